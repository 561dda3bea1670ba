"""The message bus between server instances over Redis pub/sub: one channel per meeting.

An instance subscribes to a meeting's channel while it holds at least one socket of that meeting,
and every delivery (its own included) reaches the hubs through Redis, so all instances see one
order. A delivery travels as two header lines (``to``, ``exclude``; empty for none) and the
message in the protocol's own JSON.

Publishing goes through one outbox: what is published while a batch is on its way to Redis goes in
the next batch, one pipeline (one write, one read) for all of it. Under load that is one round
trip for hundreds of signals instead of one each (docs/scaling.md), and the order of publishes is
the order they reach Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from protocol import signaling as p
from server.meeting.delivery import Delivery

from .hub import Hub

log = logging.getLogger(__name__)

PREFIX = "mendan:meeting:"
MAX_CONNECTIONS = 32
"""Connections to Redis per instance: the subscriber's one, and publishers taking turns on the rest."""
POOL_TIMEOUT = 10.0
"""Seconds a publish waits for a free connection before it fails."""
RETRY_AFTER = 0.5
"""Seconds between attempts to reach Redis again after the subscriber connection broke."""


def channel_of(meeting_id: str) -> str:
    return PREFIX + meeting_id


def encode(delivery: Delivery) -> str:
    return f"{delivery.to or ''}\n{delivery.exclude or ''}\n{p.encode(delivery.message)}"


def _seen(sent: asyncio.Future[None]) -> None:
    """A failed batch was logged; nobody may be waiting for it (in-place publishes)."""
    if not sent.cancelled():
        sent.exception()


def decode(meeting_id: str, data: str) -> Delivery:
    to, exclude, text = data.split("\n", 2)
    return Delivery(meeting_id, p.parse_server_message(text), to=to or None, exclude=exclude or None)


class RedisBus:
    """Publishes deliveries to Redis and hands what arrives on subscribed meetings to the local hub."""

    def __init__(self, hub: Hub, url: str, instance_id: str) -> None:
        self.hub = hub
        # A blocking pool: under load a publish waits for a free connection instead of failing
        # with "Too many connections" (what the default pool does past its limit).
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=POOL_TIMEOUT,
            decode_responses=True,
            health_check_interval=10,
        )
        self.client: redis.Redis = redis.Redis(connection_pool=pool)
        self._pubsub = self.client.pubsub()
        # A channel of our own keeps the subscriber connection subscribed (and read) at all times.
        self._own_channel = f"mendan:instance:{instance_id}"
        self._watched: set[str] = set()
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self.received = 0
        self._outbox: list[tuple[str, str]] = []
        self._outbox_sent: asyncio.Future[None] | None = None
        """Done when the batch now filling has reached Redis (or failed to)."""
        self._sender: asyncio.Task[None] | None = None

    async def start(self) -> RedisBus:
        await self._subscribe(self._own_channel)
        return self

    async def _subscribe(self, channel: str) -> None:
        """Subscribe and wait until Redis confirmed it: only then is no later publish missed."""
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        try:
            await self._pubsub.subscribe(channel)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read())
            await asyncio.wait_for(confirmed, timeout=10)
        finally:
            self._confirmations.pop(channel, None)

    def publish_in_place(self, deliveries: list[Delivery]) -> None:
        """Into the outbox, without waiting: a failure to reach Redis is logged, not raised."""
        self._post(deliveries)

    async def publish(self, deliveries: list[Delivery]) -> None:
        """Into the outbox; returns when Redis has it, or raises what stopped it."""
        sent = self._post(deliveries)
        if sent is not None:
            await asyncio.shield(sent)  # a caller that gives up does not fail the others' batch

    def _post(self, deliveries: list[Delivery]) -> asyncio.Future[None] | None:
        if not deliveries:
            return None
        self._outbox.extend((channel_of(d.meeting_id), encode(d)) for d in deliveries)
        if self._outbox_sent is None:
            self._outbox_sent = asyncio.get_running_loop().create_future()
            self._outbox_sent.add_done_callback(_seen)
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_outbox())
        return self._outbox_sent

    async def _send_outbox(self) -> None:
        try:
            while self._outbox:
                batch, self._outbox = self._outbox, []
                sent, self._outbox_sent = self._outbox_sent, None
                assert sent is not None
                try:
                    async with self.client.pipeline(transaction=False) as pipe:
                        for channel, data in batch:
                            pipe.publish(channel, data)
                        await pipe.execute()
                except (RedisError, OSError) as exc:
                    log.warning("publishing to redis failed", extra={"error": str(exc), "lost": len(batch)})
                    sent.set_exception(exc)
                else:
                    sent.set_result(None)
        finally:
            self._sender = None

    async def watch(self, meeting_id: str) -> None:
        async with self._lock:
            if meeting_id not in self._watched:
                await self._subscribe(channel_of(meeting_id))
                self._watched.add(meeting_id)

    async def unwatch(self, meeting_id: str) -> None:
        async with self._lock:
            # A socket of the meeting may have arrived while we waited for the lock: keep listening.
            if meeting_id in self._watched and not self.hub.holds(meeting_id):
                self._watched.discard(meeting_id)
                await self._pubsub.unsubscribe(channel_of(meeting_id))

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
            except (RedisError, OSError) as exc:
                log.warning("redis subscriber connection lost; retrying", extra={"error": str(exc)})
                await asyncio.sleep(RETRY_AFTER)
                continue
            if message is not None:
                self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        if message["type"] == "subscribe":
            confirmed = self._confirmations.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
        elif message["type"] == "message" and channel.startswith(PREFIX):
            self.received += 1
            try:
                delivery = decode(channel[len(PREFIX) :], message["data"])
            except ValueError:  # not ours, or from a newer version: never let it stop the reader
                log.exception("undecodable delivery", extra={"channel": channel})
                return
            self.hub.deliver(delivery)

    async def healthy(self) -> bool:
        try:
            return bool(await self.client.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        if self._sender is not None:  # what is in the outbox still goes out
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._sender), timeout=POOL_TIMEOUT)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self.client.aclose(close_connection_pool=True)
