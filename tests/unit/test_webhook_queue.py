"""The webhook queue on a real SQLite database: claims in order per meeting, one claimer, pruning."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import func, select

from server.auth.accounts import create_account
from server.clock import Clock
from server.db.database import Database
from server.db.migrate import upgrade
from server.db.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from server.integrations import outbox
from server.integrations.dispatcher import KEEP_FINISHED, Outcome, WebhookDispatcher
from server.settings import Settings
from tests.support.aio import run


async def _story(tmp_path: Path) -> dict[str, object]:
    settings = Settings.from_env({}, data_dir=str(tmp_path))
    upgrade(settings.database_url)
    database, clock = Database(settings.database_url), Clock()
    first = WebhookDispatcher(database, settings, clock)
    second = WebhookDispatcher(database, dataclasses.replace(settings, instance_id="other"), clock)
    async with database.session() as db, db.begin():
        contract, _ = await create_account(db, "tanaka", "correct-horse", customer_number=None,
                                           display_name="", company_name="", now=clock.now())  # fmt: skip
        db.add(WebhookEndpoint(contract_id=contract.id, url="http://127.0.0.1:9/", secret="s", created_at=0))
        await db.flush()
        events = [
            await outbox.enqueue(db, contract.id, key, "test", {}, clock.now()) for key in ("m1", "m1", "m2")
        ]
    m1_first, m1_second, m2 = (event.id for event in events if event is not None)
    seen: dict[str, object] = {}
    seen["first claims"] = sorted(await first._claim(clock.now()))
    seen["second claims while leased"] = await second._claim(clock.now())
    event = await _get(database, m1_first)
    await first._record(event, Outcome(204, ""), given_up=False)
    seen["after the first is delivered"] = await second._claim(clock.now())
    seen["ids"] = [m1_first, m1_second, m2]
    clock.advance(KEEP_FINISHED + 1)
    seen["forgotten"] = await first.forget_finished(clock.now() - KEEP_FINISHED)
    async with database.session() as db:
        seen["left"] = sorted(await db.scalars(select(WebhookEvent.id)))
        seen["tries left"] = await db.scalar(select(func.count()).select_from(WebhookAttempt))
    await first.close()
    await second.close()
    await database.dispose()
    return seen


async def _get(database: Database, event_id: int) -> WebhookEvent:
    async with database.session() as db:
        event = await db.get(WebhookEvent, event_id)
    assert event is not None
    return event


def test_one_claimer_in_order_per_meeting_and_old_ones_forgotten(tmp_path: Path) -> None:
    seen = run(_story(tmp_path))
    m1_first, m1_second, m2 = seen["ids"]  # type: ignore[misc]
    assert seen["first claims"] == [m1_first, m2]  # m1's second waits behind m1's first
    assert seen["second claims while leased"] == []  # the other instance takes nothing leased
    assert seen["after the first is delivered"] == [m1_second]
    assert seen["forgotten"] == 1 and seen["left"] == [m1_second, m2] and seen["tries left"] == 0
