"""Four people in one meeting: time from the 4th join until all 12 directed streams decode,
and CPU per browser context while the full mesh runs.

Each run: customer + rep start the meeting, two invitees join by the invite URL; the clock
starts when the 4th person presses 商談に参加する and stops when every one of the 4 pages
decodes frames from all 3 others (framesDecoded > 0 on 12 inbound video streams). Each person
is a separate Chromium browser process, so its CPU can be read from /proc.

    python -m bench.mesh [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from bench import bench_server
from tests.e2e.meeting_steps import invite_url, join_by_invite, start_meeting, tid
from tests.support.browser import launch_options
from tests.support.server import MendanServer

DECODING = """async () => {
    let n = 0;
    for (const pc of Object.values(Mendan.debug.peerConnections ? Mendan.debug.peerConnections() : {})) {
        const stats = await pc.getStats();
        stats.forEach((r) => {
            if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) n++;
        });
    }
    return n;
}"""
TICKS = os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(root_pid: int) -> float:
    """User+system CPU of a process and all its descendants (a Chromium is many processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total


def _pid_with_marker(marker: str) -> int:
    """The browser process started with ``marker`` among its arguments (Chromium ignores it)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker.encode() in arguments and not any(a.startswith(b"--type=") for a in arguments):
                return int(entry.name)
    raise RuntimeError(f"no browser process with {marker}")


def one_run(playwright: Playwright, server: MendanServer, home: Path) -> tuple[float, list[float]]:
    browsers: list[Browser] = []
    pids: list[int] = []
    pages: list[Page] = []
    try:
        for person in range(4):
            options = launch_options(home)
            marker = f"--mendan-bench={os.getpid()}-{person}-{time.monotonic_ns()}"
            options["args"] = [*options["args"], marker]  # type: ignore[misc]
            browser = playwright.chromium.launch(**options)  # type: ignore[arg-type]
            browsers.append(browser)
            pids.append(_pid_with_marker(marker))
            pages.append(browser.new_context(permissions=["camera", "microphone"]).new_page())
        customer, rep, guest1, guest2 = pages
        start_meeting(customer, rep, server, "bench")
        url = invite_url(rep)
        join_by_invite(guest1, url, "山田 花子")
        tid(guest1, "meeting").wait_for()
        guest2.goto(url)
        tid(guest2, "display-name").fill("鈴木 一郎")
        started = time.monotonic()
        tid(guest2, "join-button").click()
        while True:
            if all(page.evaluate(DECODING) >= 3 for page in pages):
                break
            if time.monotonic() - started > 60:
                raise RuntimeError("the mesh did not form within 60 s")
            time.sleep(0.05)
        to_mesh = time.monotonic() - started
        before = [_tree_cpu_seconds(pid) for pid in pids]
        window = 10.0
        time.sleep(window)
        cpu = [(_tree_cpu_seconds(pid) - b) / window * 100 for pid, b in zip(pids, before, strict=True)]
        return to_mesh, cpu
    finally:
        for browser in browsers:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: list[float] = []
    cpus: list[float] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        bench_server(Path(folder)) as server,
        sync_playwright() as playwright,
    ):
        for run in range(args.runs):
            to_mesh, cpu = one_run(playwright, server, Path(folder))
            times.append(to_mesh)
            cpus.extend(cpu)
            shown = " ".join(f"{c:5.1f}%" for c in cpu)
            print(f"run {run + 1}: 4th join -> 12 decoding {to_mesh * 1000:6.0f} ms   CPU {shown}")
    print()
    setup = f"Chromium per person, fake 640x480 camera, loopback, {os.cpu_count()} cores"
    print(f"4 people, full mesh, {args.runs} runs ({setup})")
    print(f"  4th join -> all 12 directed streams decoding: median {statistics.median(times) * 1000:.0f} ms")
    cpu_median, cpu_max = statistics.median(cpus), max(cpus)
    print(
        f"  CPU per browser (% of one core) in the running mesh: median {cpu_median:.0f}%  max {cpu_max:.0f}%"
    )


if __name__ == "__main__":
    main()
