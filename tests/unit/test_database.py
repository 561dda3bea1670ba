"""The embedded database under concurrent requests: a transaction that reads and then writes (a rate
limit's count, a seat count) sees no other request commit in between; SQLite transactions take turns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select, update

from server.db.database import Database
from server.db.migrate import upgrade
from server.db.models import Contract
from tests.support.aio import run


async def _read_then_write_while_another_commits(url: str) -> list[str]:
    database = Database(url)
    try:
        async with database.session() as db, db.begin():
            db.add(Contract(id=1, customer_number="C000001", company_name="", created_at=0.0))

        async def other_writer() -> None:
            async with database.session() as db, db.begin():
                await db.execute(update(Contract).values(company_name="other"))

        async with database.session() as db, db.begin():
            await db.scalar(select(func.count()).select_from(Contract))
            other = asyncio.create_task(other_writer())
            await asyncio.sleep(0.3)  # room for the other request to commit, were it allowed to
            await db.execute(update(Contract).values(company_name="first"))
        await other
        async with database.session() as db:
            return list(await db.scalars(select(Contract.company_name)))
    finally:
        await database.dispose()


def test_sqlite_transactions_take_turns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    assert run(_read_then_write_while_another_commits(url)) == ["other"]
