"""Counting events per key in a sliding window, and timed lock-outs; stored in the database so that
every server instance sees the same counts."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from protocol.signaling import ErrorCode
from server.db.models import Lockout, RateLimitHit
from server.errors import MendanError


async def count_recent(session: AsyncSession, bucket: str, key: str, since: float) -> int:
    total = await session.scalar(
        select(func.count())
        .select_from(RateLimitHit)
        .where(RateLimitHit.bucket == bucket, RateLimitHit.key == key, RateLimitHit.at > since)
    )
    return int(total or 0)


async def _serialise(session: AsyncSession, bucket: str, key: str) -> None:
    """Take a lock on (bucket, key) until the transaction ends, so that counting and adding are one step
    for all instances (PostgreSQL advisory lock; SQLite has one writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": f"{bucket}:{key}"}
        )


async def take(session: AsyncSession, bucket: str, key: str, now: float, limit: tuple[int, float]) -> None:
    """Count one event, or raise RATE_LIMITED when ``key`` already used up its allowance."""
    count, window = limit
    await _serialise(session, bucket, key)
    if await count_recent(session, bucket, key, now - window) >= count:
        raise MendanError(ErrorCode.RATE_LIMITED, f"{bucket} limit for {key}", retry_after=window)
    session.add(RateLimitHit(bucket=bucket, key=key, at=now))


async def ensure_not_locked(session: AsyncSession, keys: list[str], now: float) -> None:
    rows = await session.scalars(select(Lockout).where(Lockout.key.in_(keys), Lockout.until > now))
    latest = max((row.until for row in rows), default=None)
    if latest is not None:
        raise MendanError(ErrorCode.LOCKED_OUT, "too many wrong numbers", retry_after=latest - now)


async def record_failure(
    session: AsyncSession, bucket: str, keys: list[str], now: float, limit: tuple[int, float], lockout: float
) -> None:
    """Count a failed attempt against each key and lock any key that reached the limit."""
    count, window = limit
    for key in sorted(keys):  # one order everywhere: two instances never wait on each other in a circle
        await _serialise(session, bucket, key)
        session.add(RateLimitHit(bucket=bucket, key=key, at=now))
        await session.flush()
        if await count_recent(session, bucket, key, now - window) >= count:
            existing = await session.get(Lockout, key)
            if existing is None:
                session.add(Lockout(key=key, until=now + lockout))
            else:
                existing.until = now + lockout


async def forget_older_than(session: AsyncSession, moment: float) -> None:
    await session.execute(delete(RateLimitHit).where(RateLimitHit.at < moment))
    await session.execute(delete(Lockout).where(Lockout.until < moment))
