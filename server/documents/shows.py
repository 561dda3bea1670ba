"""The document a meeting shows now: the one query 見せる and 書き込み share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import DocumentShow


async def open_show(db: AsyncSession, meeting_id: str) -> DocumentShow | None:
    """The meeting's show that 閉じる has not ended (the newest, should there ever be two)."""
    found: DocumentShow | None = await db.scalar(
        select(DocumentShow)
        .where(DocumentShow.meeting_id == meeting_id, DocumentShow.ended_at.is_(None))
        .order_by(DocumentShow.id.desc())
        .limit(1)
    )
    return found
