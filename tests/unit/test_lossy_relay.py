"""The bad-network relay of bench.network: bandwidth queue, loss, bursts and outages do what they say."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from bench.lossy_relay import Direction, LossyRelay, Profile, _Pipe


def test_a_rate_limit_spaces_packets_and_a_full_queue_drops() -> None:
    pipe = _Pipe(Direction(rate=1_000_000, queue=0.055))  # 1250-byte packets take 10 ms each
    arrivals = [pipe.schedule(1250, 100.0, outage=False) for _ in range(8)]
    assert arrivals[:6] == pytest.approx([100.01, 100.02, 100.03, 100.04, 100.05, 100.06])
    assert arrivals[6:] == [None, None]  # 60 ms already waiting: beyond the 55 ms buffer
    assert (pipe.passed, pipe.dropped) == (6, 2)


def test_delay_and_jitter_never_reorder() -> None:
    pipe = _Pipe(Direction(delay=0.1, jitter=0.05))
    arrivals = [pipe.schedule(100, 10.0 + i * 0.001, outage=False) for i in range(200)]
    assert all(a is not None and a >= 10.1 for a in arrivals)
    assert arrivals == sorted(arrivals)  # type: ignore[type-var]


def test_loss_happens_inside_bursts_only() -> None:
    pipe = _Pipe(Direction(burst_loss=1.0, burst_every=4, burst_length=1), started=0.0)
    assert pipe.schedule(100, 0.5, outage=False) is None  # inside the first burst
    assert pipe.schedule(100, 2.0, outage=False) is not None
    assert pipe.schedule(100, 4.2, outage=False) is None  # the next burst


def test_the_relay_carries_both_ways_and_an_outage_drops_everything() -> None:
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    echo = threading.Thread(target=_echo, args=(target,), daemon=True)
    echo.start()
    relay = LossyRelay(target.getsockname(), Profile("test", Direction(delay=0.01), Direction())).start()
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(2)
    try:
        client.sendto(b"hello", ("127.0.0.1", relay.port))
        assert client.recv(100) == b"hello"
        relay.outage(1.0)
        client.sendto(b"lost", ("127.0.0.1", relay.port))
        client.settimeout(0.5)
        try:
            got: bytes | None = client.recv(100)
        except TimeoutError:
            got = None
        assert got is None
        time.sleep(0.6)
        client.settimeout(2)
        client.sendto(b"back", ("127.0.0.1", relay.port))
        assert client.recv(100) == b"back"
    finally:
        relay.stop()
        client.close()
        target.close()


def _echo(sock: socket.socket) -> None:
    while True:
        try:
            data, peer = sock.recvfrom(2048)
        except OSError:
            return
        sock.sendto(data, peer)
