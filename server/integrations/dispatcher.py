"""Sends queued webhook events: at least once, in order per meeting, from any number of instances.

Every instance runs one dispatcher. An event is taken with a lease (a conditional UPDATE that
only one instance can win), so two instances never send it at the same time; an instance that
dies while sending leaves a lease that runs out, and another sends the event again (at least
once). A failed try is tried again after an exponentially growing pause; after the last try the
event is given up and the meeting's later events go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import httpx
from sqlalchemy import ColumnElement, Float, and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.orm import aliased

from server.clock import Clock
from server.db.database import Database
from server.db.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from server.settings import Settings

from .outbox import ABANDONED, DELIVERED, PENDING
from .signature import signed_headers

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
KEEP_FINISHED = 30 * 86400
"""Seconds a delivered or given-up event and its tries stay in the queue table (and the log)."""
PRUNE_EVERY = 3600.0
BATCH = 20
RESPONSE_KEPT = 300


def _free(now: float | ColumnElement[float]) -> ColumnElement[bool]:
    """Not leased, or its lease ran out."""
    return or_(WebhookEvent.lease_until.is_(None), WebhookEvent.lease_until < now)


_EARLIER = aliased(WebhookEvent, name="earlier")
_NOW = bindparam("now", type_=Float)
_DUE = (
    select(WebhookEvent.id)
    .where(WebhookEvent.state == PENDING, WebhookEvent.next_attempt_at <= _NOW, _free(_NOW))
    # In order per meeting: nothing earlier of the same meeting still waits.
    .where(
        ~exists().where(
            and_(
                _EARLIER.order_key == WebhookEvent.order_key,
                _EARLIER.state == PENDING,
                _EARLIER.id < WebhookEvent.id,
            )
        )
    )
    .order_by(WebhookEvent.id)
    .limit(BATCH)
)
"""Events due now (``now`` bound per poll). Built once: it runs every second on every instance,
and building it each time made ~20 KiB of SQL objects per poll for the collector (docs/scaling.md)."""


@dataclass(frozen=True)
class Outcome:
    """What one try got: a status code (None when no answer came) and the start of the answer."""

    status_code: int | None
    response: str

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds before try ``attempts + 1``: base, 2 base, 4 base, … at most ``cap``."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


class WebhookDispatcher:
    """Claims due events from the shared queue and posts them to their contract's endpoint."""

    def __init__(self, database: Database, settings: Settings, clock: Clock) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.owner = settings.instance_id
        self.lease = settings.webhook_timeout + 30
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=settings.webhook_timeout, follow_redirects=False)

    def wake(self) -> None:
        """Look at the queue now (an event was just queued) instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        pruned_at = 0.0
        while True:
            try:
                while await self.deliver_due():
                    pass
                if self.clock.now() - pruned_at >= PRUNE_EVERY:
                    pruned_at = self.clock.now()
                    await self.forget_finished(pruned_at - KEEP_FINISHED)
            except Exception:  # keep delivering: one failed round must not stop webhooks for good
                log.exception("webhook round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_INTERVAL)
            self._wake.clear()

    async def close(self) -> None:
        await self.release_own_leases()
        await self._client.aclose()

    async def forget_finished(self, before: float) -> int:
        """Drop events delivered or given up before ``before``, with their tries; returns how many."""
        async with self.database.session() as db, db.begin():
            old = select(WebhookEvent.id).where(
                WebhookEvent.state != PENDING, WebhookEvent.finished_at < before
            )
            await db.execute(delete(WebhookAttempt).where(WebhookAttempt.event_id.in_(old)))
            gone = await db.execute(
                delete(WebhookEvent).where(WebhookEvent.state != PENDING, WebhookEvent.finished_at < before)
            )
        return int(gone.rowcount)  # type: ignore[attr-defined]

    async def release_own_leases(self) -> None:
        """Give back what this instance held when it stopped (or, at start, when it crashed).

        An event cut off mid-send is sent again: at least once, and the receiver dedupes on
        X-Mendan-Delivery.
        """
        async with self.database.session() as db, db.begin():
            await db.execute(
                update(WebhookEvent)
                .where(WebhookEvent.lease_owner == self.owner, WebhookEvent.state == PENDING)
                .values(lease_owner=None, lease_until=None)
            )

    async def deliver_due(self) -> int:
        """Send every event that is due and first in its order; returns how many were tried."""
        claimed = await self._claim(self.clock.now())
        if claimed:
            await asyncio.gather(*(self._deliver(event_id) for event_id in claimed))
        return len(claimed)

    async def _claim(self, now: float) -> list[int]:
        async with self.database.session() as db:
            candidates = list(await db.scalars(_DUE, {"now": now}))
        won = []
        for event_id in candidates:
            async with self.database.session() as db, db.begin():
                taken = await db.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id == event_id, WebhookEvent.state == PENDING, _free(now))
                    .values(lease_owner=self.owner, lease_until=now + self.lease)
                    .execution_options(synchronize_session=False)
                )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                won.append(event_id)
        return won

    async def _deliver(self, event_id: int) -> None:
        async with self.database.session() as db:
            event = await db.get(WebhookEvent, event_id)
            endpoint = await db.get(WebhookEndpoint, event.contract_id) if event else None
        if event is None:
            return
        if endpoint is None:
            outcome = Outcome(None, "no endpoint")  # removed in the portal since: nowhere to send
        else:
            outcome = await self._post(endpoint, event)
        await self._record(event, outcome, given_up=endpoint is None)

    async def _post(self, endpoint: WebhookEndpoint, event: WebhookEvent) -> Outcome:
        body = event.body.encode("utf-8")
        # The timestamp of this try, not of the event: receivers refuse old ones against replay.
        headers = signed_headers(
            endpoint.secret, int(self.clock.now()), body, event.event_type, event.public_id
        )
        try:
            # One deadline for the whole try: a receiver trickling its answer byte by byte must not
            # hold the event (and the meeting's later ones) past the timeout.
            return await asyncio.wait_for(
                self._send(endpoint.url, body, headers), self.settings.webhook_timeout
            )
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, "timeout")
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:RESPONSE_KEPT])

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        """Post, and keep only the start of the answer: a huge one is not read into memory."""
        async with self._client.stream("POST", url, content=body, headers=headers) as response:
            kept = b""
            async for chunk in response.aiter_bytes():
                kept += chunk
                if len(kept) >= RESPONSE_KEPT:
                    break
        return Outcome(response.status_code, kept[:RESPONSE_KEPT].decode("utf-8", "replace"))

    async def _record(self, event: WebhookEvent, outcome: Outcome, given_up: bool) -> None:
        now = self.clock.now()
        attempts = event.attempts + 1
        if outcome.succeeded:
            state = DELIVERED
        elif given_up or attempts >= self.settings.webhook_max_attempts:
            state = ABANDONED
        else:
            state = PENDING
        delay = retry_delay(attempts, self.settings.webhook_retry_base, self.settings.webhook_retry_max)
        async with self.database.session() as db, db.begin():
            db.add(
                WebhookAttempt(
                    event_id=event.id,
                    contract_id=event.contract_id,
                    at=now,
                    status_code=outcome.status_code,
                    response=outcome.response,
                    succeeded=outcome.succeeded,
                )
            )
            await db.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == event.id, WebhookEvent.lease_owner == self.owner)
                .values(
                    state=state,
                    attempts=attempts,
                    next_attempt_at=now + delay,
                    lease_owner=None,
                    lease_until=None,
                    finished_at=None if state == PENDING else now,
                )
                .execution_options(synchronize_session=False)
            )
        log.info(
            "webhook tried",
            extra={
                "event": event.public_id,
                "status": outcome.status_code,
                "state": state,
                **({} if outcome.succeeded else {"response": outcome.response}),
            },
        )
