"""What was shown and given in a meeting (R-5.4), for the meeting history (R-7)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import (
    DocumentGive,
    DocumentGiveLink,
    DocumentPageView,
    DocumentShow,
    Meeting,
    Participant,
)


@dataclass(frozen=True)
class PageTime:
    """One page of a show and how long it was on screen, in seconds (all its visits added)."""

    page: int
    seconds: float


@dataclass(frozen=True)
class ShownEntry:
    """One 見せる: the document, who showed it, when, for how long, and the pages seen."""

    document_id: str
    title: str
    presenter_name: str
    started_at: float
    ended_at: float | None
    seconds: float
    pages: list[PageTime]


@dataclass(frozen=True)
class GivenEntry:
    """One 渡す: the file offered, by whom, when, and who received (downloaded) it."""

    document_id: str
    title: str
    filename: str
    giver_name: str
    given_at: float
    expires_at: float
    received_by: list[str]


@dataclass(frozen=True)
class DocumentHistory:
    """A meeting's document history: everything shown and given in it, oldest first (R-5.4)."""

    shown: list[ShownEntry]
    given: list[GivenEntry]


async def documents_of_meeting(db: AsyncSession, meeting_id: str) -> DocumentHistory:
    """Shows (with time per page) and gives of a meeting; an unclosed show ends with the meeting."""
    meeting = await db.get(Meeting, meeting_id)
    names = {
        row.id: row.display_name
        for row in await db.scalars(select(Participant).where(Participant.meeting_id == meeting_id))
    }
    meeting_end = meeting.ended_at if meeting is not None else None
    shows = list(
        await db.scalars(
            select(DocumentShow).where(DocumentShow.meeting_id == meeting_id).order_by(DocumentShow.id)
        )
    )
    views_by_show: dict[int, list[DocumentPageView]] = {}
    if shows:
        for view in await db.scalars(
            select(DocumentPageView)
            .where(DocumentPageView.show_id.in_([show.id for show in shows]))
            .order_by(DocumentPageView.id)
        ):
            views_by_show.setdefault(view.show_id, []).append(view)
    shown = []
    for show in shows:
        ended = show.ended_at if show.ended_at is not None else meeting_end
        per_page: dict[int, float] = {}
        for view in views_by_show.get(show.id, []):
            view_end = view.ended_at if view.ended_at is not None else ended
            seconds = max(0.0, view_end - view.started_at) if view_end is not None else 0.0
            per_page[view.page] = per_page.get(view.page, 0.0) + seconds
        shown.append(
            ShownEntry(
                document_id=show.document_id,
                title=show.title,
                presenter_name=names.get(show.participant_id, ""),
                started_at=show.started_at,
                ended_at=ended,
                seconds=max(0.0, ended - show.started_at) if ended is not None else 0.0,
                pages=[PageTime(page, seconds) for page, seconds in per_page.items()],
            )
        )
    gives = list(
        await db.scalars(
            select(DocumentGive).where(DocumentGive.meeting_id == meeting_id).order_by(DocumentGive.given_at)
        )
    )
    received: dict[str, list[str]] = {}
    if gives:
        for link in await db.scalars(
            select(DocumentGiveLink).where(
                DocumentGiveLink.give_id.in_([give.id for give in gives]),
                DocumentGiveLink.used_at.is_not(None),
            )
        ):
            received.setdefault(link.give_id, []).append(names.get(link.participant_id, ""))
    given = [
        GivenEntry(
            document_id=give.document_id,
            title=give.title,
            filename=give.filename,
            giver_name=names.get(give.participant_id, ""),
            given_at=give.given_at,
            expires_at=give.expires_at,
            received_by=received.get(give.id, []),
        )
        for give in gives
    ]
    return DocumentHistory(shown=shown, given=given)
