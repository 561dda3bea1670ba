"""Signaling load: how many participants one `mendan serve` process holds with p99 relay latency ≤ 20 ms.

For each bus (in-process with SQLite; Redis with PostgreSQL), a fresh server is started on loopback
and worker processes (asyncio + websockets) build meetings of 2, 3 and 4 people exactly as the
pages do: issue a number over HTTP, claim it as a logged-in rep, invite the rest with the host's
invite URL, join each socket with its ticket. At each level of participants every socket then
sends trickle-ICE ``signal`` messages to a random other person of its meeting; the receiver
measures the time from send to arrival (one machine, one clock). Printed per level: p50/p99 relay
latency, the server's RSS per participant; and once per bus: number issues per second.

    python -m bench.signaling [--levels 1000,3000,5000,7000,9000] [--seconds 20] [--rate 0.2]
    python -m bench.signaling --bus in-process --compare-peerjs   # PeerJS climbs the same levels

One climbing series per server: the sockets of one level stay for the next. Every level is
climbed (bounded by --budget seconds); the highest level with p99 ≤ --target-ms is the result.
"lost" counts signals sent while measuring that never arrived. It talks to 127.0.0.1 only and
stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.peerjs_server import peerjs_server
from tests.support.backends import PostgresServer, RedisServer
from tests.support.server import MendanServer

LOGIN, PASSWORD = "bench", "bench-password"
ROOM_SIZES = (2, 3, 4)
HEARTBEAT_INTERVAL = 5.0
HEARTBEAT_PHASES = 50
SETUP_CONCURRENCY = 24
SERVER_ENV = {
    "MENDAN_ISSUE_LIMIT": "100000000/600",
    "MENDAN_ISSUE_NETWORK_LIMIT": "100000000/600",
    "MENDAN_ISSUE_GLOBAL_LIMIT": "100000000/600",
    "MENDAN_SIGNAL_LIMIT": "100000000/1",
    "MENDAN_CHAT_LIMIT": "100000000/1",
    "MENDAN_GUESS_LIMIT": "100000000/600",
    "MENDAN_NUMBER_TTL": "3600",
    "MENDAN_GRACE_PERIOD": "3600",
    "MENDAN_LOG_FORMAT": "json",
    # The default (4,000 connections and requests at once, sockets included) is what one process is
    # sized for in production; the bench climbs past it on purpose.
    "MENDAN_MAX_CONNECTIONS": "100000",
}


def raise_open_files_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# ---- the worker process: meetings and their sockets ---------------------------------------------


@dataclass
class Person:
    socket: ClientConnection
    self_id: str
    room: list[Person] = field(default_factory=list)


class Worker:
    """Holds the meetings of one client process and drives their traffic."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws_url = url.replace("http", "ws") + "/ws"
        self.people: list[Person] = []
        self.latencies: list[float] = []
        self.errors = 0
        self.measuring = False
        self.sizes = itertools.cycle(ROOM_SIZES)
        self.rep = httpx.AsyncClient(base_url=url, timeout=60)
        self.guest = httpx.AsyncClient(base_url=url, timeout=60)
        self.csrf = ""
        self.guest_csrf = ""
        self.readers: list[asyncio.Task[None]] = []
        self.failed_rooms = 0
        self.sent = 0
        self.last_failure = ""

    async def log_in(self) -> None:
        (await self.rep.get("/login")).raise_for_status()
        form = {"login": LOGIN, "password": PASSWORD, "csrf_token": self.rep.cookies["mendan_csrf"]}
        assert (await self.rep.post("/login", data=form)).status_code == 303
        (await self.rep.get("/rep")).raise_for_status()
        self.csrf = self.rep.cookies["mendan_csrf"]
        (await self.guest.get("/")).raise_for_status()
        self.guest_csrf = self.guest.cookies["mendan_csrf"]

    async def _enter(self, ticket: str) -> Person:
        socket = await connect(self.ws_url, max_queue=None, open_timeout=60, ping_interval=None)
        await socket.send(json.dumps({"v": 1, "type": "join", "request_id": "j", "ticket": ticket}))
        while True:
            reply = json.loads(await socket.recv())
            if reply.get("request_id") == "j":
                assert reply["type"] == "joined", reply
                return Person(socket, reply["self_id"])

    async def _request(self, person: Person, message: dict[str, Any]) -> dict[str, Any]:
        await person.socket.send(json.dumps({"v": 1, "request_id": "q", **message}))
        while True:
            reply: dict[str, Any] = json.loads(await person.socket.recv())
            if reply.get("request_id") == "q":
                return reply

    async def one_room(self, size: int) -> None:
        issued = (await self.guest.post("/api/numbers")).json()
        customer = await self._enter(issued["ticket"])
        claim = await self.rep.post(
            "/api/meetings",
            json={"number": issued["number"], "recording": False},
            headers={"X-CSRF-Token": self.csrf},
        )
        host = await self._enter(claim.json()["ticket"])
        room = [customer, host]
        if size > 2:
            token = (await self._request(host, {"type": "create_invite"}))["url"].rsplit("/", 1)[1]
            for n in range(size - 2):
                joined = await self.guest.post(
                    "/api/invite/join",
                    json={"token": token, "display_name": f"guest {n}"},
                    headers={"X-CSRF-Token": self.guest_csrf},
                )
                room.append(await self._enter(joined.json()["ticket"]))
        for person in room:
            person.room = [other for other in room if other is not person]
            self.readers.append(asyncio.create_task(self._read(person)))
        self.people += room

    async def grow_to(self, participants: int) -> None:
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        planned = len(self.people)
        sizes = []
        while planned < participants:
            sizes.append(next(self.sizes))
            planned += sizes[-1]

        async def guarded(size: int) -> None:
            async with gate:
                try:
                    await self.one_room(size)
                except Exception as exc:  # counted and shown; the level goes on with the rooms made
                    self.failed_rooms += 1
                    self.last_failure = repr(exc)[:300]

        await asyncio.gather(*(guarded(size) for size in sizes))

    @staticmethod
    def signal_text(person: Person, to: Person, candidate: str) -> str:
        return json.dumps({"v": 1, "type": "signal", "to": to.self_id, "candidate": {"candidate": candidate}})

    @staticmethod
    def relayed_candidate(message: dict[str, Any]) -> str | None:
        """The candidate of a relayed signal; raises KeyError for an error message."""
        if message.get("type") == "error":
            raise KeyError("error")
        if message.get("type") == "signal_relayed":
            return str(message["candidate"]["candidate"])
        return None

    async def _read(self, person: Person) -> None:
        async for text in person.socket:
            try:
                candidate = self.relayed_candidate(json.loads(text))
            except KeyError:
                self.errors += 1
                continue
            if candidate is not None and self.measuring:
                sent = float(candidate.split(" ", 1)[0][10:])
                self.latencies.append((time.time() - sent) * 1000)

    async def traffic(self, seconds: float, rate: float) -> None:
        """Every person sends ``rate`` signals per second on average (Poisson), for ``seconds``."""
        self.latencies.clear()
        self.sent = 0
        self.measuring = True
        deadline = time.monotonic() + seconds

        async def talk(person: Person) -> None:
            await asyncio.sleep(random.expovariate(rate))
            while time.monotonic() < deadline:
                to = random.choice(person.room)
                candidate = (
                    f"candidate:{time.time():.6f} 1 udp 2122260223 192.0.2.1 54321 typ host generation 0"
                )
                await person.socket.send(self.signal_text(person, to, candidate))
                if self.measuring:
                    self.sent += 1
                await asyncio.sleep(random.expovariate(rate))

        await asyncio.gather(*(talk(person) for person in self.people))
        await asyncio.sleep(1.0)  # what is in flight arrives
        self.measuring = False

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(person.socket.close() for person in self.people), return_exceptions=True)
        await self.rep.aclose()
        await self.guest.aclose()


class PeerJSWorker(Worker):
    """The same meetings and traffic against PeerJS's server (bench/peerjs): an id per socket, no
    tickets, rooms only in the load generator's head; a heartbeat as its client library sends."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.ws_url = url.replace("http", "ws", 1) + "/peerjs"

    async def log_in(self) -> None:
        self.heartbeat = asyncio.create_task(self._heartbeats())

    async def _heartbeats(self) -> None:
        """Every socket beats every 5 s as PeerJS's client does (its pingInterval; the server drops a
        socket silent for 60 s), each on its own phase like clients that connected at different
        times: a fiftieth of them every 0.1 s. (All at once every 20 s put a burst of thousands of
        messages on PeerJS's server that no real crowd of clients sends.)"""
        beat = json.dumps({"type": "HEARTBEAT"})
        for tick in itertools.count():
            await asyncio.sleep(HEARTBEAT_INTERVAL / HEARTBEAT_PHASES)
            phase = tick % HEARTBEAT_PHASES
            due = self.people[phase::HEARTBEAT_PHASES]
            await asyncio.gather(*(one.socket.send(beat) for one in due), return_exceptions=True)

    async def one_room(self, size: int) -> None:
        room = []
        for _ in range(size):
            peer_id = os.urandom(8).hex()
            socket = await connect(
                f"{self.ws_url}?key=peerjs&id={peer_id}&token={peer_id}",
                max_queue=None,
                open_timeout=60,
                ping_interval=None,
            )
            assert json.loads(await socket.recv())["type"] == "OPEN"
            room.append(Person(socket, peer_id))
        for person in room:
            person.room = [other for other in room if other is not person]
            self.readers.append(asyncio.create_task(self._read(person)))
        self.people += room

    @staticmethod
    def signal_text(person: Person, to: Person, candidate: str) -> str:
        return json.dumps(
            {"type": "CANDIDATE", "dst": to.self_id, "payload": {"candidate": {"candidate": candidate}}}
        )

    @staticmethod
    def relayed_candidate(message: dict[str, Any]) -> str | None:
        if message.get("type") in ("ERROR", "EXPIRE", "ID-TAKEN"):
            raise KeyError(message["type"])
        if message.get("type") == "CANDIDATE":
            return str(message["payload"]["candidate"]["candidate"])
        return None


def worker_main(url: str, peerjs: bool, commands: Any, answers: Any) -> None:
    raise_open_files_limit()

    async def serve() -> None:
        worker = PeerJSWorker(url) if peerjs else Worker(url)
        await worker.log_in()
        while True:
            # The queue read blocks: in a thread, so this loop keeps answering the server's pings
            # while it waits (blocking here had ~1,500 sockets closed with 1011 between levels).
            command, value, rate = await asyncio.to_thread(commands.get)
            if command == "grow":
                await worker.grow_to(value)
                # The load generator's own collections would be counted as relay latency: its
                # sockets live to the end, so they are frozen, as the server freezes its own.
                gc.collect()
                gc.freeze()
                answers.put((len(worker.people), worker.failed_rooms, worker.last_failure))
            elif command == "traffic":
                gc.disable()  # nor its collections of the traffic's own objects while it measures
                try:
                    await worker.traffic(value, rate)
                finally:
                    gc.enable()
                answers.put((worker.latencies.copy(), worker.errors, worker.sent))
            else:
                await worker.close()
                answers.put(None)
                return

    asyncio.run(serve())


# ---- the conductor ----------------------------------------------------------------------------


async def issue_rate(url: str, count: int, concurrency: int = 16) -> float:
    """Numbers issued per second over HTTP, ``concurrency`` requests in flight."""
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def one() -> None:
            async with gate:
                response = await client.post("/api/numbers")
                assert response.status_code == 200, response.text

        started = time.monotonic()
        await asyncio.gather(*(one() for _ in range(count)))
        return count / (time.monotonic() - started)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Level:
    participants: int
    p99: float
    kib_per_participant: float
    lost: int


def climb(label: str, url: str, pid: int, peerjs: bool, args: argparse.Namespace) -> list[Level]:
    """One climbing series against one server: the same sockets grow from level to level."""
    baseline = rss_bytes(pid)
    budget_end = time.monotonic() + args.budget
    workers: list[tuple[Any, Any, Any]] = []
    rows: list[Level] = []
    print(f"\n== {label}: server pid {pid}, RSS at start {baseline / 2**20:.0f} MiB")
    try:
        context = mp.get_context("spawn")
        for _ in range(args.workers):
            commands, answers = context.Queue(), context.Queue()
            process = context.Process(target=worker_main, args=(url, peerjs, commands, answers), daemon=True)
            process.start()
            workers.append((process, commands, answers))
        print(
            f"{'participants':>12} {'setup s':>8} {'signals':>8} {'lost':>6} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'RSS MiB':>8} {'KiB/participant':>15} {'errors':>6}"
        )
        for level in args.levels:
            if time.monotonic() > budget_end:
                print(f"(time budget of {args.budget} s used up)")
                break
            started = time.monotonic()
            for _, commands, _ in workers:
                commands.put(("grow", level // len(workers), 0.0))
            grown = [answers.get(timeout=args.budget) for _, _, answers in workers]
            held = sum(people for people, _, _ in grown)
            for _, failed, why in grown:
                if failed:
                    print(f"  rooms that could not be set up: {failed} (last: {why})")
            setup = time.monotonic() - started
            time.sleep(1.0)
            for _, commands, _ in workers:
                commands.put(("traffic", args.seconds, args.rate))
            latencies: list[float] = []
            errors = sent = 0
            for _, _, answers in workers:
                got, failed, count = answers.get(timeout=args.seconds + 120)
                latencies += got
                errors += failed
                sent += count
            rss = rss_bytes(pid)
            p50, p99 = (
                statistics.median(latencies) if latencies else float("nan"),
                percentile(latencies, 0.99),
            )
            kib = (rss - baseline) / max(held, 1) / 1024
            print(
                f"{held:>12} {setup:>8.1f} {len(latencies):>8} {sent - len(latencies):>6} {p50:>7.1f} "
                f"{p99:>7.1f} {rss / 2**20:>8.0f} {kib:>15.1f} {errors:>6}"
            )
            rows.append(Level(held, p99, kib, sent - len(latencies)))
    finally:
        for _, commands, _ in workers:
            commands.put(("close", 0, 0.0))
        for process, _, answers in workers:
            with contextlib.suppress(Exception):  # a stuck worker is killed below
                answers.get(timeout=60)
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    best = best_level(rows, args) or "none of the levels"
    print(f"most participants with p99 ≤ {args.target_ms:g} ms: {best}")
    return rows


def best_level(rows: list[Level], args: argparse.Namespace) -> int:
    return max((row.participants for row in rows if row.p99 <= args.target_ms), default=0)


def first_over(rows: list[Level], args: argparse.Namespace) -> int | str:
    """A noisy machine can put one level over the rule and the next under it: both are shown."""
    return next((row.participants for row in rows if not row.p99 <= args.target_ms), "none")


def run_bus(label: str, env: dict[str, str], args: argparse.Namespace, folder: Path) -> list[Level]:
    server = MendanServer(folder / label.split(" ")[0], {**SERVER_ENV, **env})
    server.create_account(LOGIN, PASSWORD)
    server.start()
    assert server.process is not None
    try:
        if args.issues:
            print(f"number issues: {asyncio.run(issue_rate(server.url, args.issues)):.0f} per second")
        return climb(label, server.url, server.process.pid, False, args)
    finally:
        server.stop()


def run_peerjs(args: argparse.Namespace) -> list[Level]:
    with peerjs_server() as (url, pid):
        return climb("PeerJS (peer 1.0.2, node)", url, pid, True, args)


def print_comparison(mendan: list[Level], peerjs: list[Level], args: argparse.Namespace) -> None:
    print(f"\n== side by side (p99 ≤ {args.target_ms:g} ms rule, load average {os.getloadavg()[0]:.1f})")
    print(f"{'participants':>12} {'Mendan p99':>11} {'KiB/p':>6} {'PeerJS p99':>11} {'KiB/p':>6}")
    for ours, theirs in itertools.zip_longest(mendan, peerjs):
        level = (ours or theirs).participants
        print(
            f"{level:>12} {ours.p99 if ours else float('nan'):>11.1f} "
            f"{ours.kib_per_participant if ours else float('nan'):>6.1f} "
            f"{theirs.p99 if theirs else float('nan'):>11.1f} "
            f"{theirs.kib_per_participant if theirs else float('nan'):>6.1f}"
        )
    best_ours, best_theirs = best_level(mendan, args), best_level(peerjs, args)
    ratio = best_ours / best_theirs if best_theirs else float("nan")
    memory = [row.kib_per_participant for row in mendan[-1:]] + [
        row.kib_per_participant for row in peerjs[-1:]
    ]
    print(f"most participants within the rule: Mendan {best_ours}, PeerJS {best_theirs}, ratio {ratio:.2f}")
    print(f"first level over the rule: Mendan {first_over(mendan, args)}, PeerJS {first_over(peerjs, args)}")
    if len(memory) == 2 and memory[1] > 0:
        print(f"memory per participant at the top level: Mendan/PeerJS {memory[0] / memory[1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--levels",
        default="1000,3000,5000,6000",
        type=lambda text: [int(n) for n in text.split(",")],
    )
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="traffic time at each level (shorter: a noisier p99)"
    )
    parser.add_argument("--rate", type=float, default=0.2, help="signals per participant per second")
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--issues", type=int, default=500, help="numbers issued to measure the issue rate")
    parser.add_argument("--target-ms", type=float, default=20.0)
    parser.add_argument("--budget", type=float, default=900.0, help="seconds per bus, at most")
    parser.add_argument("--keep", help="folder for the servers' data and logs, kept afterwards")
    parser.add_argument(
        "--compare-peerjs",
        action="store_true",
        help="also climb PeerJS's server (bench/peerjs, needs node) and print both side by side",
    )
    parser.add_argument("--bus", choices=["in-process", "redis", "both"], default="both")
    args = parser.parse_args()
    raise_open_files_limit()
    with tempfile.TemporaryDirectory(prefix="mendan-bench-") as name:
        folder = Path(args.keep or name)
        if args.bus in ("in-process", "both"):
            ours = run_bus("in-process bus, SQLite", {}, args, folder)
            if args.compare_peerjs:
                print_comparison(ours, run_peerjs(args), args)
        if args.bus in ("redis", "both"):
            postgres, redis = PostgresServer().start(), RedisServer().start()
            try:
                env = {"MENDAN_DATABASE_URL": postgres.create_database(), "MENDAN_REDIS_URL": redis.url}
                run_bus("Redis bus, PostgreSQL", env, args, folder)
            finally:
                redis.stop()
                postgres.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
