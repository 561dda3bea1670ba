"""The async engine and session factory for the configured database URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=drivers[backend])


def async_url(url: str) -> URL:
    return _with_driver(url, ASYNC_DRIVERS)


def sync_url(url: str) -> URL:
    return _with_driver(url, SYNC_DRIVERS)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is off: _begin_immediate below begins every transaction.
    dbapi_connection.isolation_level = None
    # WAL lets readers go on while a writer commits. SQLite's busy wait is not first come, first
    # served: under heavy load one request can wait seconds, hence the generous timeout.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # The driver would begin a transaction only at the first write, so a read-then-write (a rate
    # limit's count, a seat count) was not isolated, and a deferred read snapshot cannot be
    # upgraded once another writer committed ("database is locked"). Taking the write lock at
    # BEGIN makes concurrent requests take turns (SQLite has one writer at a time anyway).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine; ``session()`` opens a unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(async_url(url))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
            event.listen(self.engine.sync_engine, "begin", _begin_immediate)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)

    async def dispose(self) -> None:
        await self.engine.dispose()
