"""The server under abuse, side by side with a quiet baseline (docs/security.md, issue 13 item 11).

Each scenario starts its own `mendan serve` (SQLite), measures one figure while nothing else
happens, then again while raw clients attack it the way the issue describes:

- large bodies: the server's peak memory (VmHWM) while N clients send 200 MB bodies at once, chunked
  (no Content-Length to refuse up front) and declared (a 1 GB Content-Length);
- login flood: /healthz p99 while C clients post logins (right passwords, so every one is hashed).

Add a scenario by appending to SCENARIOS: a name, a unit, and a function (server, attacked) -> figure.

    python -m bench.abuse [--bodies 3] [--login-clients 6] [--samples 200]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import abuse_meeting
from tests.support.clients import CSRF_FIELD
from tests.support.raw_http import connect, head, peak_memory_kib, send_until_answered
from tests.support.server import MendanServer

MIB = 1024 * 1024


@dataclass(frozen=True)
class Scenario:
    name: str
    unit: str
    measure: Callable[[MendanServer, bool, argparse.Namespace], tuple[float, str]]
    """(server, attacked, args) -> the figure and a note (e.g. how many requests failed)."""
    env: dict[str, str]


def _chunk(size: int) -> bytes:
    return f"{size:x}\r\n".encode() + b"x" * size + b"\r\n"


def _large_body(server: MendanServer, chunked: bool) -> None:
    with contextlib.suppress(OSError), connect(server) as sock:  # a server that hangs up has answered
        if chunked:
            sock.sendall(head("POST", "/api/numbers", {"Transfer-Encoding": "chunked"}))
            send_until_answered(sock, _chunk(MIB), most=200 * MIB)
        else:
            sock.sendall(head("POST", "/api/numbers", {"Content-Length": str(1024 * MIB)}))
            send_until_answered(sock, b"x" * MIB, most=200 * MIB)


def peak_memory(server: MendanServer, attacked: bool, args: argparse.Namespace) -> tuple[float, str]:
    assert server.process is not None
    for _ in range(20):  # the quiet baseline: ordinary pages and health checks
        httpx.get(f"{server.url}/").raise_for_status()
        httpx.get(f"{server.url}/healthz").raise_for_status()
    if attacked:
        attackers = [
            threading.Thread(target=_large_body, args=(server, n % 2 == 0)) for n in range(2 * args.bodies)
        ]
        for thread in attackers:
            thread.start()
        for thread in attackers:
            thread.join()
    alive = server.process.poll() is None
    return peak_memory_kib(server.process.pid) / 1024 if alive else float(
        "nan"
    ), "" if alive else "server died"


def _healthz_p99(server: MendanServer, samples: int) -> tuple[float, str]:
    times, failed = [], 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(samples):
            started = time.perf_counter()
            failed += client.get("/healthz").status_code != 200  # 503: the database check timed out
            times.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(times, n=100)[98], f"{failed} of {samples} not 200" if failed else ""


def _log_in_forever(server: MendanServer, stop: threading.Event) -> None:
    with httpx.Client(base_url=server.url, timeout=120) as client:
        while not stop.is_set():
            token = CSRF_FIELD.search(client.get("/login").text)
            assert token
            form = {"login": "bench", "password": "bench-password", "csrf_token": token[1]}
            client.post("/login", data=form)
            client.cookies.clear()


def healthz_during_login_flood(
    server: MendanServer, attacked: bool, args: argparse.Namespace
) -> tuple[float, str]:
    if not attacked:
        return _healthz_p99(server, args.samples)
    stop = threading.Event()
    flood = [threading.Thread(target=_log_in_forever, args=(server, stop)) for _ in range(args.login_clients)]
    for thread in flood:
        thread.start()
    time.sleep(1)  # let the flood build up
    try:
        return _healthz_p99(server, args.samples)
    finally:
        stop.set()
        for thread in flood:
            thread.join()


SCENARIOS = [
    Scenario("peak memory, N large bodies", "MiB", peak_memory, {}),
    # The flood logs in with the right password, so the throttle never steps in: all hashing.
    Scenario(
        "/healthz p99, login flood", "ms", healthz_during_login_flood, {"MENDAN_LOGIN_LIMIT": "100000/60"}
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bodies", type=int, default=3, help="attackers of each kind (chunked, declared)")
    parser.add_argument("--login-clients", type=int, default=6)
    parser.add_argument("--samples", type=int, default=200, help="/healthz requests per p99")
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    print(f"{'scenario':<32} {'quiet':>10} {'attacked':>10}  unit  notes")
    for scenario in [s for s in SCENARIOS if args.only in s.name]:
        with tempfile.TemporaryDirectory() as folder:
            server = MendanServer(Path(folder) / "data", scenario.env)
            server.create_account("bench", password="bench-password", name="ベンチ")
            server.start()
            try:
                quiet, quiet_note = scenario.measure(server, False, args)
                attacked, attacked_note = scenario.measure(server, True, args)
            finally:
                server.stop()
        notes = "; ".join(note for note in (quiet_note, attacked_note) if note)
        print(
            f"{scenario.name:<32} {quiet:>10.1f} {attacked:>10.1f}  {scenario.unit:<4}  {notes}", flush=True
        )
    # Inside meetings: numbers a fresh customer still gets, signal latency beside a hostile socket.
    meeting_scenarios = [name for name in abuse_meeting.SCENARIOS if args.only in name]
    if meeting_scenarios:
        print()
        abuse_meeting.run(meeting_scenarios)


if __name__ == "__main__":
    main()
