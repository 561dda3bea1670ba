"""画面共有 in a meeting: one share at a time, announced to everyone, kept for the history.

The screen itself travels on the mesh links like any camera (the pages add a video track); the
server only says whose stream it is, so every page shows that stream large. A share ends with
共有を停止 (by the sharer, or by the host), or when the sharer has left the meeting: a share whose
sharer is gone is ended the next time anyone looks at it.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.clock import Clock
from server.db.database import Database
from server.db.models import Participant, ScreenShare
from server.errors import MendanError

from .delivery import Delivery
from .membership import active_member
from .presence import Presence

log = logging.getLogger(__name__)


class ScreenShares:
    """Starts and stops screen shares; each change in one transaction."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def _open(self, db: AsyncSession, meeting_id: str) -> ScreenShare | None:
        """The running share, ending it first if its sharer has left the meeting."""
        share: ScreenShare | None = await db.scalar(
            select(ScreenShare)
            .where(ScreenShare.meeting_id == meeting_id, ScreenShare.ended_at.is_(None))
            .order_by(ScreenShare.id.desc())
            .limit(1)
        )
        if share is None:
            return None
        sharer = await db.get(Participant, share.participant_id)
        if sharer is None or sharer.presence == Presence.LEFT:
            share.ended_at = sharer.left_at if sharer and sharer.left_at else self.clock.now()
            return None
        return share

    @staticmethod
    def _wire(share: ScreenShare) -> p.ScreenShare:
        return p.ScreenShare(
            participant_id=share.participant_id, stream_id=share.stream_id, started_at=share.started_at
        )

    async def start(self, participant_id: str, stream_id: str) -> list[Delivery]:
        """Announce this participant's screen stream; refused while someone else shares."""
        now = self.clock.now()
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            running = await self._open(db, meeting.id)
            if running is not None:
                if running.participant_id != who.id:
                    raise MendanError(p.ErrorCode.SCREEN_SHARE_BUSY)
                running.ended_at = now  # the sharer picked another screen: a new stream
            share = ScreenShare(
                meeting_id=meeting.id, participant_id=who.id, stream_id=stream_id, started_at=now
            )
            db.add(share)
            await db.flush()
            announced = self._wire(share)
        log.info("screen share started", extra={"meeting": meeting.id})
        return [Delivery(meeting.id, p.ScreenShareUpdated(share=announced))]

    async def stop(self, participant_id: str) -> list[Delivery]:
        """The sharer, or the host (the rep can end what a customer shares), ends the share."""
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            running = await self._open(db, meeting.id)
            if running is None or (running.participant_id != who.id and who.role != p.Role.HOST):
                raise MendanError(p.ErrorCode.NOT_SHARING)
            running.ended_at = self.clock.now()
        log.info("screen share stopped", extra={"meeting": meeting.id})
        return [Delivery(meeting.id, p.ScreenShareUpdated(share=None))]

    async def current(self, meeting_id: str) -> p.ScreenShare | None:
        """What a participant joining now must show (snapshot in ``joined``)."""
        async with self.database.session() as db, db.begin():
            share = await self._open(db, meeting_id)
            return self._wire(share) if share is not None else None
