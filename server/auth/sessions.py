"""Login sessions kept in the database: the cookie holds a random token, the table its hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import AuthSession

COOKIE = "mendan_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(session: AsyncSession, account_id: int, now: float, ttl: float) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(token_hash=_hash(token), account_id=account_id, created_at=now, expires_at=now + ttl)
    )
    return token


async def account_for(session: AsyncSession, token: str | None, now: float) -> int | None:
    if not token:
        return None
    row = await session.scalar(select(AuthSession).where(AuthSession.token_hash == _hash(token)))
    if row is None or row.expires_at < now:
        return None
    return row.account_id


async def close_session(session: AsyncSession, token: str | None) -> None:
    if token:
        await session.execute(delete(AuthSession).where(AuthSession.token_hash == _hash(token)))


async def end_sessions(session: AsyncSession, account_id: int, keep: str | None = None) -> None:
    """Log the ID out everywhere (a password changed), except the session ``keep`` if given."""
    statement = delete(AuthSession).where(AuthSession.account_id == account_id)
    if keep:
        statement = statement.where(AuthSession.token_hash != _hash(keep))
    await session.execute(statement)
