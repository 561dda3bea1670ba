"""Database rows as the protocol shows them to participants."""

from __future__ import annotations

from protocol import signaling as p
from server.db import models

from .presence import Presence


def participant_view(row: models.Participant) -> p.Participant:
    return p.Participant(
        id=row.id,
        display_name=row.display_name,
        company_name=row.company_name,
        role=p.Role(row.role),
        state=Presence(row.presence).shown,
        media=p.MediaState(ready=row.media_ready, camera=row.camera, mic=row.mic),
        version=row.version,
    )


def meeting_view(row: models.Meeting, max_participants: int) -> p.Meeting:
    return p.Meeting(
        id=row.id,
        number=row.number,
        state=p.MeetingState(row.state),
        recording=row.recording,
        max_participants=max_participants,
        expires_at=row.expires_at if row.state == p.MeetingState.WAITING else None,
    )
