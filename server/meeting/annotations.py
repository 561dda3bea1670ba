"""書き込み on shown documents: strokes as small vector pieces, per page of one show.

Who may draw: the host always; the customer and guests only while the host allows it. A stroke
goes only on the page everyone sees now (the open show and its current page); strokes of other
pages are kept while the document stays open and are read back after a page turn. 閉じる ends the
show, so the next show starts blank; the strokes stay in the database for the annotated PDF.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.clock import Clock
from server.db.database import Database
from server.db.models import AnnotationStroke, DocumentShow, DrawingPermission, Meeting
from server.documents.shows import open_show
from server.errors import MendanError

from .delivery import Delivery
from .membership import active_member

log = logging.getLogger(__name__)

MAX_PIECES_PER_PAGE = 3000
"""Stroke pieces one page may hold (undone ones count too): a page drawn on in a loop stops here."""


def _drawn(row: AnnotationStroke) -> p.DrawnStroke:
    return p.DrawnStroke(
        show_id=row.show_id,
        page=row.page,
        participant_id=row.participant_id,
        stroke=p.Stroke(
            stroke_id=row.stroke_id,
            tool=row.tool,
            color=row.color,
            width=row.width,
            points=json.loads(row.points),
        ),
    )


class Annotations:
    """Stores and relays strokes; each change in one transaction."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def _shown_page(
        self, db: AsyncSession, meeting: Meeting, show_id: int, page: int, current_only: bool = True
    ) -> DocumentShow:
        """The open show ``show_id`` of this meeting, on ``page`` now (or any of its pages)."""
        show = await open_show(db, meeting.id)
        if show is None or show.id != show_id or (current_only and show.page != page):
            raise MendanError(p.ErrorCode.PAGE_NOT_SHOWN)
        return show

    @staticmethod
    async def _allowed(db: AsyncSession, meeting_id: str) -> bool:
        permission = await db.get(DrawingPermission, meeting_id)
        return permission is not None and permission.allowed

    async def draw(self, participant_id: str, show_id: int, page: int, stroke: p.Stroke) -> list[Delivery]:
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            if who.role != p.Role.HOST and not await self._allowed(db, meeting.id):
                raise MendanError(p.ErrorCode.NOT_ALLOWED, "the rep has not allowed drawing")
            await self._shown_page(db, meeting, show_id, page)
            pieces = await db.scalar(
                select(func.count())
                .select_from(AnnotationStroke)
                .where(AnnotationStroke.show_id == show_id, AnnotationStroke.page == page)
            )
            if (pieces or 0) >= MAX_PIECES_PER_PAGE:
                raise MendanError(p.ErrorCode.TOO_MANY_STROKES)
            row = AnnotationStroke(
                meeting_id=meeting.id,
                show_id=show_id,
                page=page,
                participant_id=who.id,
                stroke_id=stroke.stroke_id,
                tool=stroke.tool,
                color=stroke.color,
                width=stroke.width,
                points=json.dumps(stroke.points, separators=(",", ":")),
                drawn_at=self.clock.now(),
            )
            db.add(row)
        drawn = p.DrawnStroke(show_id=show_id, page=page, participant_id=who.id, stroke=stroke)
        return [Delivery(meeting.id, p.StrokeDrawn(drawn=drawn), exclude=who.id)]

    async def undo(self, participant_id: str, show_id: int, page: int) -> list[Delivery]:
        """Removes the participant's latest stroke (all its pieces) on that page; nothing to undo is fine."""
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            await self._shown_page(db, meeting, show_id, page)
            latest = await db.scalar(
                select(AnnotationStroke.stroke_id)
                .where(
                    AnnotationStroke.show_id == show_id,
                    AnnotationStroke.page == page,
                    AnnotationStroke.participant_id == who.id,
                    AnnotationStroke.removed_at.is_(None),
                )
                .order_by(AnnotationStroke.id.desc())
                .limit(1)
            )
            if latest is None:
                return []
            await db.execute(
                update(AnnotationStroke)
                .where(
                    AnnotationStroke.show_id == show_id,
                    AnnotationStroke.page == page,
                    AnnotationStroke.participant_id == who.id,
                    AnnotationStroke.stroke_id == latest,
                )
                .values(removed_at=self.clock.now())
            )
        removed = p.StrokeRemoved(show_id=show_id, page=page, stroke_id=latest)
        return [Delivery(meeting.id, removed)]

    async def clear(self, participant_id: str, show_id: int, page: int) -> list[Delivery]:
        """The host removes every stroke on the page."""
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            if who.role != p.Role.HOST:
                raise MendanError(p.ErrorCode.NOT_ALLOWED, "only the rep clears a page")
            await self._shown_page(db, meeting, show_id, page)
            await db.execute(
                update(AnnotationStroke)
                .where(
                    AnnotationStroke.show_id == show_id,
                    AnnotationStroke.page == page,
                    AnnotationStroke.removed_at.is_(None),
                )
                .values(removed_at=self.clock.now())
            )
        return [Delivery(meeting.id, p.StrokesCleared(show_id=show_id, page=page))]

    async def allow(self, participant_id: str, allowed: bool) -> list[Delivery]:
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            if who.role != p.Role.HOST:
                raise MendanError(p.ErrorCode.NOT_ALLOWED, "only the rep decides who draws")
            permission = await db.get(DrawingPermission, meeting.id)
            if permission is None:
                db.add(DrawingPermission(meeting_id=meeting.id, allowed=allowed, changed_at=self.clock.now()))
            else:
                permission.allowed, permission.changed_at = allowed, self.clock.now()
        return [Delivery(meeting.id, p.DrawingAllowed(allowed=allowed))]

    async def _page_strokes(self, db: AsyncSession, show_id: int, page: int) -> list[p.DrawnStroke]:
        rows = await db.scalars(
            select(AnnotationStroke)
            .where(
                AnnotationStroke.show_id == show_id,
                AnnotationStroke.page == page,
                AnnotationStroke.removed_at.is_(None),
            )
            .order_by(AnnotationStroke.id)
        )
        return [_drawn(row) for row in rows]

    async def strokes(self, participant_id: str, show_id: int, page: int) -> list[p.DrawnStroke]:
        """A page of the open show, after a page turn."""
        async with self.database.session() as db:
            _, meeting = await active_member(db, participant_id)
            show = await self._shown_page(db, meeting, show_id, page, current_only=False)
            return await self._page_strokes(db, show.id, page)

    async def snapshot(self, meeting_id: str) -> tuple[list[p.DrawnStroke], bool]:
        """For ``joined``: the strokes on the page shown now, and whether the customer may draw."""
        async with self.database.session() as db:
            show = await open_show(db, meeting_id)
            strokes = await self._page_strokes(db, show.id, show.page) if show else []
            return strokes, await self._allowed(db, meeting_id)
