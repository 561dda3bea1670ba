"""Native host figures: frames per second reaching the page, delay added per remote stream, and
host CPU per stream, with 1 and 3 remote participants at 640x360 (``python -m bench.bridge``).

The "page" is this script reading the host's stdout, as the extension does. Remote participants
are aiortc peers in another process (``bench.remotes``) sending the synthetic source, whose
pictures carry their capture time, so the end-to-end delay (remote camera -> VP8 -> host ->
JPEG -> page) is read from each JPEG. ``added`` is the host's share: from the host decoding a
frame to the page receiving it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from native_host.synthetic import read_timestamp, stamp_ms
from tests.support.bridge_host import ROOT, HostProcess, write_config

CLOCK_TICKS = 100  # os.sysconf("SC_CLK_TCK") on Linux


@dataclass
class StreamFigures:
    peer_id: str
    fps: float
    added_ms_median: float
    added_ms_p95: float
    end_to_end_ms_median: float
    width: int
    remote_fps_from_host: float


def _is(kind: str, peer_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: message.get("type") == kind and message.get("peer_id") == peer_id


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _end_to_end(arrivals: list[tuple[float, bytes]]) -> list[float]:
    delays = []
    decoder = av.CodecContext.create("mjpeg", "r")
    for arrived, jpeg in arrivals:
        for picture in decoder.decode(av.Packet(jpeg)):
            assert isinstance(picture, av.VideoFrame)
            plane = picture.planes[0]
            sent = read_timestamp(bytes(plane), picture.width, picture.height, plane.line_size)
            delays.append(((stamp_ms(arrived) - sent) % (1 << 24)) / 1000)
    return delays


async def measure(
    remotes: int, seconds: float, home: Path, command: list[str] | None = None
) -> tuple[list[StreamFigures], float, float]:
    started_host = time.monotonic()
    host = await HostProcess(home, command=command).start()
    arrivals: dict[str, list[tuple[float, dict[str, Any]]]] = {}
    measuring = False

    def on_message(now: float, message: dict[str, Any]) -> None:
        if measuring and message.get("type") == "frame":
            arrivals.setdefault(message["peer_id"], []).append((now, message))

    host.on_message = on_message
    peers = [f"remote{i}" for i in range(1, remotes + 1)]
    others = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.remotes",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert others.stdin is not None and others.stdout is not None

    async def ask(command: dict[str, Any]) -> dict[str, Any]:
        assert others.stdin is not None and others.stdout is not None
        others.stdin.write(json.dumps(command).encode() + b"\n")
        reply: dict[str, Any] = json.loads(await others.stdout.readline())
        return reply

    try:
        await host.open_session()
        host_start = time.monotonic() - started_host  # process start to camera and mic running
        for peer_id in peers:
            reply = await host.request(
                {"type": "create_peer", "peer_id": peer_id, "polite": False, "initiator": True}
            )
            assert reply["type"] == "ok", reply
            offer = await host.wait_for(_is("local_signal", peer_id))
            answer = (await ask({"peer_id": peer_id, "offer": offer["description"]}))["answer"]
            await host.request({"type": "signal", "peer_id": peer_id, "description": answer})
        for peer_id in peers:
            await host.wait_for(_is("frame", peer_id), 20)
        await asyncio.sleep(1.0)  # let the size ladder settle
        before = (await ask({"count": True}))["frames"]
        cpu_before, started = _cpu_seconds(host.pid), time.monotonic()
        measuring = True
        await asyncio.sleep(seconds)
        measuring = False
        elapsed = time.monotonic() - started
        cpu = (_cpu_seconds(host.pid) - cpu_before) / elapsed
        after = (await ask({"count": True}))["frames"]
        await host.request({"type": "shutdown"})
        await host.close()
    finally:
        others.stdin.close()
        await others.wait()
        if host.process is not None and host.process.returncode is None:
            host.process.kill()
            await host.process.wait()
    figures = []
    for peer_id in peers:
        got = arrivals.get(peer_id, [])
        added = [(now - m["captured_at"]) * 1000 for now, m in got]
        e2e = _end_to_end([(now, base64.b64decode(m["jpeg"])) for now, m in got])
        figures.append(
            StreamFigures(
                peer_id=peer_id,
                fps=len(got) / elapsed,
                added_ms_median=statistics.median(added) if added else float("nan"),
                added_ms_p95=_percentile(added, 0.95),
                end_to_end_ms_median=statistics.median(e2e) * 1000 if e2e else float("nan"),
                width=statistics.mode(m["width"] for _, m in got) if got else 0,
                remote_fps_from_host=(after[peer_id] - before[peer_id]) / elapsed,
            )
        )
    return figures, cpu, host_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--remotes", type=int, nargs="*", default=[1, 3])
    parser.add_argument(
        "--host", choices=["python", "frozen", "both"], default="both",
        help="python -m native_host, the PyInstaller build (python -m native_host.freeze), or both",
    )  # fmt: skip
    args = parser.parse_args()
    hosts: list[tuple[str, list[str] | None]] = []
    if args.host in ("python", "both"):
        hosts.append(("python", None))
    if args.host in ("frozen", "both"):
        from native_host.freeze import build, executable

        hosts.append(("frozen", [str(executable(build()))]))
    print("host    remotes stream    fps  added ms (median/p95)  end-to-end ms  width", end="")
    print("  host->remote fps  host CPU/stream")
    for name, command in hosts:
        for count in args.remotes:
            with tempfile.TemporaryDirectory() as tmp:
                home = Path(tmp)
                write_config(home)
                figures, cpu, host_start = asyncio.run(measure(count, args.seconds, home, command))
            for f in figures:
                print(
                    f"{name:7s} {count:7d} {f.peer_id:8s} {f.fps:5.1f}"
                    f"  {f.added_ms_median:8.1f} / {f.added_ms_p95:6.1f}"
                    f"        {f.end_to_end_ms_median:8.1f}  {f.width:5d}  {f.remote_fps_from_host:16.1f}"
                    f"  {100 * cpu / count:6.1f}% of a core"
                )
            total = f"host total CPU {100 * cpu:.1f}% of a core; started in {host_start:.2f} s"
            print(f"{name:7s}         {total}")


if __name__ == "__main__":
    main()
