"""Who may act in a meeting: one rule for every feature the others see (見せる, 渡す, 書き込み, 画面共有).

A participant who has not left, in a meeting a rep has claimed and that has not ended (ACTIVE).
While the meeting waits, the customer is alone: there is nobody to show anything to, no host to
decide who may draw, and no history entry yet; once it has ended nothing may change. So both are
refused alike, with MEETING_ENDED.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.db.models import Meeting, Participant
from server.errors import MendanError
from server.meeting.presence import Presence


async def active_member(db: AsyncSession, participant_id: str) -> tuple[Participant, Meeting]:
    """The participant and its meeting, or MEETING_ENDED when either may no longer act."""
    row = await db.get(Participant, participant_id)
    meeting = await db.get(Meeting, row.meeting_id) if row else None
    if (
        row is None
        or meeting is None
        or row.presence == Presence.LEFT
        or meeting.state != p.MeetingState.ACTIVE
    ):
        raise MendanError(p.ErrorCode.MEETING_ENDED)
    return row, meeting
