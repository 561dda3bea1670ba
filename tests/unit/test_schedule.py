"""A booked slot's link over time (a real SQLite database, the clock moved instead of waited for)."""

from __future__ import annotations

from pathlib import Path

from server.auth.accounts import create_account, identity_of
from server.clock import Clock
from server.db.database import Database
from server.db.migrate import upgrade
from server.errors import MendanError
from server.meeting.schedule import OPENS_BEFORE, Schedule
from server.meeting.service import MeetingService
from server.settings import Settings
from tests.support.aio import run


async def _story(tmp_path: Path) -> list[str]:
    settings = Settings.from_env({}, data_dir=str(tmp_path))
    upgrade(settings.database_url)
    database, clock = Database(settings.database_url), Clock()
    schedule = Schedule(
        database, MeetingService(database, settings, clock, "お客様"), clock, settings.timezone
    )
    async with database.session() as db, db.begin():
        _, account = await create_account(db, "tanaka", "correct-horse", customer_number=None,
                                          display_name="田中", company_name="", now=clock.now())  # fmt: skip
    async with database.session() as db:
        rep = await identity_of(db, account.id)
    assert rep is not None
    slot = await schedule.book(rep, clock.now() + 3600, 30, "山田", "")
    seen = []
    for moment in (3600 - OPENS_BEFORE - 60, 3600 - OPENS_BEFORE + 60, 3600 + 29 * 60, 3600 + 31 * 60):
        clock.offset = moment
        try:
            issued = await schedule.enter(slot.link_key, "192.0.2.1")
            assert issued.expires_at == slot.ends_at
            seen.append("open")
        except MendanError as error:
            seen.append(error.code.value)
    upcoming = await schedule.upcoming(account.id)
    await database.dispose()
    return [*seen, str(len(upcoming))]


def test_a_link_opens_shortly_before_its_slot_and_expires_after_it(tmp_path: Path) -> None:
    assert run(_story(tmp_path)) == ["schedule_not_open", "open", "open", "meeting_ended", "0"]
