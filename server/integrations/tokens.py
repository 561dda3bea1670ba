"""API tokens of a login ID: made and revoked in the portal, presented as ``Authorization: Bearer``.

The token is shown once; only its SHA-256 is stored. 32 random bytes need no slow hash: nobody
can guess one, and a leaked table does not give the tokens back.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import ApiToken

PREFIX = "mdn_"
READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)
MAX_NAME_LENGTH = 100
MAX_TOKENS_PER_ID = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    db: AsyncSession, account_id: int, name: str, scope: str, now: float
) -> tuple[ApiToken, str]:
    """A new token row and the token itself (the only time it exists in clear)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=secrets.token_hex(8),
        account_id=account_id,
        name=name,
        token_hash=token_hash(token),
        scope=scope,
        created_at=now,
    )
    db.add(row)
    return row, token


async def list_for(db: AsyncSession, account_id: int) -> list[ApiToken]:
    rows = await db.scalars(
        select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.created_at.desc())
    )
    return list(rows)


async def active_count(db: AsyncSession, account_id: int) -> int:
    return len([row for row in await list_for(db, account_id) if row.revoked_at is None])


async def revoke(db: AsyncSession, account_id: int, token_id: str, now: float) -> bool:
    """Revoke one of the ID's own tokens; another ID's token id changes nothing."""
    done = await db.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.account_id == account_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def find(db: AsyncSession, presented: str) -> ApiToken | None:
    """The live token row for a presented token, or None (unknown, malformed or revoked)."""
    if not presented.startswith(PREFIX) or len(presented) > 100:
        return None
    row = await db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(presented)))
    return row if row is not None and row.revoked_at is None else None
