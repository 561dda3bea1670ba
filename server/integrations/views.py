"""A meeting as machines read it: the webhook payloads and the REST API share these shapes."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from server.db.models import Participant, Recording

if TYPE_CHECKING:  # the history imports the recording store, which queues webhook events
    from server.history.service import HistoryEntry

READY = "ready"  # server.recording.store.READY, not imported for the same reason


def participant_json(person: Participant, talk_seconds: float) -> dict[str, Any]:
    return {
        "id": person.id,
        "role": person.role,
        "display_name": person.display_name,
        "company_name": person.company_name,
        "joined_at": person.joined_at,
        "left_at": person.left_at,
        "talk_seconds": round(talk_seconds, 3),
    }


def recording_json(recording: Recording) -> dict[str, Any]:
    ready = recording.state == READY
    return {
        "id": recording.id,
        "meeting_id": recording.meeting_id,
        "state": recording.state,
        "started_at": recording.started_at,
        "duration_seconds": recording.duration,
        "size": recording.size,
        "download_path": f"/api/v1/recordings/{recording.id}/file" if ready else None,
    }


def meeting_json(entry: HistoryEntry, with_chat: bool = False) -> dict[str, Any]:
    meeting = entry.meeting
    ended, started = meeting.ended_at, meeting.started_at
    view: dict[str, Any] = {
        "id": meeting.id,
        "number": meeting.number,
        "state": meeting.state,
        "started_at": started,
        "ended_at": ended,
        "end_reason": meeting.end_reason,
        "duration_seconds": round(ended - started, 3) if ended is not None and started is not None else None,
        "participants": [participant_json(p, entry.talk.get(p.id, 0.0)) for p in entry.participants],
        "recordings": [recording_json(r) for r in entry.recordings],
        "documents": dataclasses.asdict(entry.documents) if entry.documents else {"shown": [], "given": []},
    }
    if with_chat:
        view["chat"] = [
            {"sent_at": m.sent_at, "participant_id": m.participant_id, "display_name": name, "text": m.text}
            for m, name in entry.chat
        ]
    return view
