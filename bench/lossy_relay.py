"""A userspace UDP relay that gives one participant a bad network: bandwidth, delay, jitter, loss
(random or in bursts) and outages, each way separately. netem is not in this machine's kernel, so
``bench.network`` puts this relay between one browser and the TURN server (coturn) instead.

Bandwidth is a token bucket with a tail-drop queue (like a home router's buffer); delay and jitter
are added after the queue, never reordering packets; loss and outages drop before it.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Direction:
    """One way of a link: rate in bit/s (0: unlimited), one-way delay and jitter in seconds, loss."""

    rate: float = 0.0
    delay: float = 0.0
    jitter: float = 0.0
    loss: float = 0.0
    burst_loss: float = 0.0  # loss inside bursts …
    burst_every: float = 0.0  # … which start every this many seconds …
    burst_length: float = 0.0  # … and last this long
    queue: float = 0.2  # seconds of traffic the bottleneck buffers before it drops


@dataclass(frozen=True)
class Profile:
    name: str
    up: Direction  # from the participant
    down: Direction  # to the participant


@dataclass
class _Pipe:
    spec: Direction
    started: float = field(default_factory=time.monotonic)
    free_at: float = 0.0
    last_delivery: float = 0.0
    dropped: int = 0
    passed: int = 0

    def loss_now(self, now: float) -> float:
        spec = self.spec
        if spec.burst_every and (now - self.started) % spec.burst_every < spec.burst_length:
            return spec.burst_loss
        return spec.loss

    def schedule(self, size: int, now: float, outage: bool) -> float | None:
        """When this packet arrives at the far end, or None when it is lost."""
        if outage or random.random() < self.loss_now(now):
            self.dropped += 1
            return None
        spec = self.spec
        leaves = now
        if spec.rate:
            start = max(now, self.free_at)
            if start - now > spec.queue:
                self.dropped += 1  # the bottleneck's buffer is full
                return None
            self.free_at = start + size * 8 / spec.rate
            leaves = self.free_at
        arrives = max(leaves + spec.delay + random.uniform(0, spec.jitter), self.last_delivery)
        self.last_delivery = arrives
        self.passed += 1
        return arrives


class LossyRelay:
    """Listens on 127.0.0.1 (``port`` once started) and relays every client to ``target``."""

    def __init__(self, target: tuple[str, int], profile: Profile) -> None:
        self.target = target
        self.profile = profile
        self.up = _Pipe(profile.up)
        self.down = _Pipe(profile.down)
        self.outage_until = 0.0
        self.port = 0
        self.transports: list[asyncio.BaseTransport] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> LossyRelay:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        return self

    def outage(self, seconds: float) -> None:
        """Drop everything both ways for ``seconds`` from now."""
        self.outage_until = time.monotonic() + seconds

    def stop(self) -> None:
        async def close() -> None:
            for transport in self.transports:
                transport.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def _send_later(self, pipe: _Pipe, data: bytes, send: Callable[[bytes], object]) -> None:
        now = time.monotonic()
        arrives = pipe.schedule(len(data), now, now < self.outage_until)
        if arrives is not None:
            self.loop.call_at(self.loop.time() + (arrives - now), send, data)

    async def _listen(self) -> None:
        relay = self
        upstreams: dict[tuple[str, int], asyncio.DatagramTransport] = {}

        class FromTarget(asyncio.DatagramProtocol):
            def __init__(self, client: tuple[str, int]) -> None:
                self.client = client

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                relay._send_later(relay.down, data, lambda d: listener.sendto(d, self.client))

        class FromClient(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                if addr not in upstreams:
                    upstreams[addr] = None  # type: ignore[assignment]
                    relay.loop.create_task(self.connect(addr, data))
                    return
                upstream = upstreams[addr]
                if upstream is not None:
                    relay._send_later(relay.up, data, upstream.sendto)

            async def connect(self, addr: tuple[str, int], first: bytes) -> None:
                transport, _ = await relay.loop.create_datagram_endpoint(
                    lambda: FromTarget(addr), remote_addr=relay.target
                )
                upstreams[addr] = transport
                relay.transports.append(transport)
                relay._send_later(relay.up, first, transport.sendto)

        listener, _ = await self.loop.create_datagram_endpoint(FromClient, local_addr=("127.0.0.1", 0))
        self.transports.append(listener)
        self.port = listener.get_extra_info("sockname")[1]
