"""The Redis bus's outbox (server/signaling/redis_bus.py) against a real Redis: everything handed
over without waiting arrives, in the order it was handed over, and a Redis that cannot be reached
fails an awaited publish but never the one that did not wait."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.exceptions import RedisError

from protocol import signaling as p
from server.meeting.delivery import Delivery
from server.signaling.hub import Connection, Hub
from server.signaling.redis_bus import RedisBus
from tests.support.backends import RedisServer


class Received(Connection):
    """The receiving end as a transport sees it: every message text the hub hands over."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str | None] = []

    def _put(self, item: str | None) -> None:
        self.texts.append(item)


def _signal(n: int) -> p.SignalRelayed:
    candidate = p.IceCandidate(candidate=f"candidate:{n} 1 udp 1 192.0.2.1 9 typ host")
    return p.SignalRelayed(sender="a", candidate=candidate)


def _number(text: str | None) -> int:
    message = p.parse_server_message(text or "")
    assert isinstance(message, p.SignalRelayed) and message.candidate is not None
    return int(message.candidate.candidate.split()[0].removeprefix("candidate:"))


def test_what_is_published_in_place_arrives_complete_and_in_order(redis: RedisServer) -> None:
    async def run() -> list[str | None]:
        receiving_hub = Hub()
        receiver = Received()
        receiver.meeting_id, receiver.participant_id = "m1", "b"
        receiving_hub.attach(receiver)
        sender = await RedisBus(Hub(), redis.url, "sender").start()
        listener = await RedisBus(receiving_hub, redis.url, "listener").start()
        try:
            await listener.watch("m1")
            for n in range(2000):  # in one go, as a burst of signals from many sockets arrives
                sender.publish_in_place([Delivery("m1", _signal(n), to="b")])
            await sender.publish([Delivery("m1", _signal(2000), to="b")])  # returns once Redis has it
            for _ in range(200):
                if len(receiver.texts) >= 2001:
                    break
                await asyncio.sleep(0.05)
            return receiver.texts
        finally:
            await sender.close()
            await listener.close()

    received = asyncio.run(run())
    assert [_number(text) for text in received] == list(range(2001))


def test_an_unreachable_redis_fails_an_awaited_publish_only(caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        bus = RedisBus(Hub(), "redis://127.0.0.1:9/0", "nowhere")  # port 9: nothing listens
        try:
            bus.publish_in_place([Delivery("m1", _signal(1), to="b")])  # does not raise
            with pytest.raises((RedisError, OSError)):
                await bus.publish([Delivery("m1", _signal(2), to="b")])
        finally:
            await bus.close()

    with caplog.at_level(logging.WARNING, logger="server.signaling.redis_bus"):
        asyncio.run(run())
    assert "publishing to redis failed" in caplog.text
