"""Abuse inside the meeting service, each scenario beside a quiet baseline on a fresh `mendan serve`.

    python -m bench.abuse_meeting [numbers|signals]

numbers: a fresh customer (each from its own network) asks for 接続ナンバー, once quietly and once
    while 50 addresses of one /24 and 10 other networks issue as fast as they can. Printed: how many
    of the customer's requests got a number, their p50/p99 time, and what the flood got.
signals: a normal meeting's host sends 200 trickle-ICE signals (50 a second) to the customer, once
    quietly and once while a third socket in the same meeting floods signals and chat as fast as
    it can. Printed: p50/p99 send-to-arrival latency (one machine, one clock), how much of the
    flood got through, and how the hostile socket ended.

All traffic is on loopback (127.0.0.0/8 gives the different addresses); everything started is stopped.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed

from tests.support.meeting import Meeting
from tests.support.server import MendanServer


def _server(folder: Path, env: dict[str, str] | None = None) -> MendanServer:
    return MendanServer(folder, {"MENDAN_LOG_FORMAT": "json", **(env or {})}).start()


def _percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"


# ---- numbers ----------------------------------------------------------------------------------


def _issue(url: str, address: str) -> tuple[int, float]:
    started = time.perf_counter()
    with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30) as client:
        status = client.post(f"{url}/api/numbers").status_code
    return status, time.perf_counter() - started


def _customers(url: str, count: int, tag: int) -> tuple[int, list[float]]:
    """``count`` customers, each from a network of its own: how many got a number, and the times."""
    got, times = 0, []
    for n in range(count):
        status, took = _issue(url, f"127.{100 + tag}.{n}.2")
        got += status == 200
        times.append(took)
        time.sleep(0.1)
    return got, times


def _flood(url: str, stop: threading.Event, results: list[int]) -> None:
    addresses = [f"127.0.50.{n}" for n in range(2, 52)] + [f"127.0.{60 + n}.2" for n in range(10)]

    def one(address: str) -> None:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30) as client:
            while not stop.is_set():
                results.append(client.post(f"{url}/api/numbers").status_code)

    threads = [threading.Thread(target=one, args=(a,), daemon=True) for a in addresses[:60:3]]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=30)


def run_numbers(folder: Path) -> None:
    server = _server(folder)
    try:
        quiet_got, quiet_times = _customers(server.url, 20, 0)
        stop, flood_results = threading.Event(), []  # type: ignore[var-annotated]
        flooding = threading.Thread(target=_flood, args=(server.url, stop, flood_results))
        flooding.start()
        time.sleep(2)
        busy_got, busy_times = _customers(server.url, 20, 1)
        stop.set()
        flooding.join()
    finally:
        server.stop()
    issued = flood_results.count(200)
    print("numbers a fresh customer gets (20 asks, each from its own network)")
    print(f"  quiet:          {quiet_got:2d}/20  {_percentiles(quiet_times)}")
    print(f"  during flood:   {busy_got:2d}/20  {_percentiles(busy_times)}")
    print(f"  the flood: {len(flood_results)} requests from 20 addresses, {issued} numbers issued")


# ---- signals ----------------------------------------------------------------------------------


def _latencies(meeting: Meeting, count: int = 200, rate: float = 50) -> list[float]:
    """The host sends ``count`` signals stamped with their send time; the customer reads them."""
    arrived: list[float] = []

    def read() -> None:
        while len(arrived) < count:
            try:
                message = json.loads(meeting.customer.ws.recv(timeout=15))
            except TimeoutError:
                return
            if message.get("type") == "signal_relayed" and message["sender"] == meeting.host_id:
                arrived.append(time.perf_counter() - float(message["candidate"]["candidate"].split()[-1]))

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(count):
        stamp = f"candidate:1 1 udp 1 127.0.0.1 9 typ host {time.perf_counter()}"
        meeting.host.send(type="signal", to=meeting.customer_id, candidate={"candidate": stamp})
        time.sleep(1 / rate)
    reader.join()
    return arrived


def _hostile(meeting: Meeting, stop: threading.Event, tally: dict[str, Any]) -> None:
    socket, _ = meeting.invitee("flood")

    def drain() -> None:
        try:
            while True:
                message = json.loads(socket.ws.recv())
                if message.get("type") == "error":
                    code = message["error"]["code"]
                    tally[code] = tally.get(code, 0) + 1
        except ConnectionClosed as closed:
            tally["closed"] = closed.rcvd.code if closed.rcvd else "dropped"

    threading.Thread(target=drain, daemon=True).start()
    threading.Thread(target=_count_flood_at_host, args=(meeting, stop, tally), daemon=True).start()
    sent = 0
    try:
        while not stop.is_set():
            socket.send(
                type="signal", to=meeting.host_id, description={"type": "offer", "sdp": "v=0 " + "x" * 4000}
            )
            if sent % 10 == 0:
                socket.send(type="send_chat", text="spam", request_id=f"c{sent}")
            sent += 1
    except ConnectionClosed:
        pass
    tally["sent"] = sent


def _count_flood_at_host(meeting: Meeting, stop: threading.Event, tally: dict[str, Any]) -> None:
    """The host's page reads everything, as a browser does; count what the flood got through."""
    tally["at_host"] = 0
    try:
        while not stop.is_set():
            try:
                message = json.loads(meeting.host.ws.recv(timeout=0.5))
            except TimeoutError:
                continue
            tally["at_host"] += message.get("type") == "signal_relayed"
    except ConnectionClosed as closed:
        tally["host_closed"] = closed.rcvd.code if closed.rcvd else "dropped"


def run_signals(folder: Path) -> None:
    server = _server(folder)
    try:
        with ExitStack() as stack:
            meeting = Meeting(server, stack)
            meeting.host.nothing_arrives(0.5)
            meeting.customer.nothing_arrives(0.5)
            quiet = _latencies(meeting)
            stop, tally = threading.Event(), {}  # type: ignore[var-annotated]
            hostile = threading.Thread(target=_hostile, args=(meeting, stop, tally))
            hostile.start()
            time.sleep(1)
            busy = _latencies(meeting)
            stop.set()
            hostile.join(timeout=30)
    finally:
        server.stop()
    refused = ", ".join(f"{k} {v}" for k, v in tally.items() if k.endswith(("_fast", "_full"))) or "-"
    print("a normal meeting's signal latency (200 signals, 50 a second, host to customer)")
    print(f"  quiet:                  {len(quiet):3d}/200 arrived  {_percentiles(quiet)}")
    print(f"  hostile socket floods:  {len(busy):3d}/200 arrived  {_percentiles(busy)}")
    print(f"  the flood: {tally.get('sent', 0)} signals sent, {tally.get('at_host', 0)} reached the host")
    print(f"  refused: {refused}; hostile socket closed with {tally.get('closed', 'nothing (still open)')}")
    print(f"  host socket: {tally.get('host_closed', 'stayed open')}")


SCENARIOS: dict[str, Callable[[Path], None]] = {"numbers": run_numbers, "signals": run_signals}


def run(names: list[str]) -> None:
    for name in names or list(SCENARIOS):
        with tempfile.TemporaryDirectory(prefix=f"mendan-abuse-{name}-") as folder:
            SCENARIOS[name](Path(folder))


if __name__ == "__main__":
    run(sys.argv[1:])
