"""Events put in the webhook queue in the same transaction as the change they report (an outbox).

So an event exists exactly when its change was committed: a crash between the two cannot lose
one or announce one that did not happen. docs/integrations.md documents every payload.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import (
    Account,
    Contract,
    DocumentGive,
    Meeting,
    Participant,
    Recording,
    TalkTime,
    WebhookEndpoint,
    WebhookEvent,
)
from server.documents.history import documents_of_meeting

from .views import participant_json

PENDING, DELIVERED, ABANDONED = "pending", "delivered", "abandoned"


async def enqueue(
    db: AsyncSession, contract_id: int, order_key: str, event_type: str, data: dict[str, Any], now: float
) -> WebhookEvent | None:
    """Queue an event for the contract's endpoint; none is queued while the contract has no endpoint."""
    if await db.get(WebhookEndpoint, contract_id) is None:
        return None
    contract = await db.get(Contract, contract_id)
    assert contract is not None
    public_id = "evt_" + secrets.token_hex(12)
    body = {
        "id": public_id,
        "type": event_type,
        "created_at": now,
        "contract": contract.customer_number,
        "data": data,
    }
    event = WebhookEvent(
        public_id=public_id,
        contract_id=contract_id,
        order_key=order_key,
        event_type=event_type,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.add(event)
    await db.flush()
    return event


async def _rep_of(db: AsyncSession, meeting: Meeting) -> Account | None:
    return await db.get(Account, meeting.account_id) if meeting.account_id is not None else None


def _meeting_view(meeting: Meeting, rep: Account) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "number": meeting.number,
        "started_at": meeting.started_at,
        "rep": {"login": rep.login, "display_name": rep.display_name},
    }


async def meeting_started(db: AsyncSession, meeting: Meeting, now: float) -> None:
    rep = await _rep_of(db, meeting)
    if rep is not None:
        data = {"meeting": _meeting_view(meeting, rep)}
        await enqueue(db, rep.contract_id, meeting.id, "meeting.started", data, now)


async def meeting_ended(db: AsyncSession, meeting: Meeting, now: float) -> None:
    """Who took part, how long, who spoke how much (as measured until the end), what was shown and given."""
    rep = await _rep_of(db, meeting)
    if rep is None:
        return  # a number nobody claimed: no rep, no contract, nothing to report
    talk = {
        row.participant_id: row.seconds
        for row in await db.scalars(select(TalkTime).where(TalkTime.meeting_id == meeting.id))
    }
    people = await db.scalars(
        select(Participant).where(Participant.meeting_id == meeting.id).order_by(Participant.joined_at)
    )
    documents = await documents_of_meeting(db, meeting.id)
    started = meeting.started_at or now
    data = {
        "meeting": {
            **_meeting_view(meeting, rep),
            "ended_at": meeting.ended_at,
            "end_reason": meeting.end_reason,
            "duration_seconds": round((meeting.ended_at or now) - started, 3),
        },
        "participants": [participant_json(person, talk.get(person.id, 0.0)) for person in people],
        "documents": dataclasses.asdict(documents),
        # The meeting's record (chat as minutes, recordings) through the REST API with a token.
        "minutes_path": f"/api/v1/meetings/{meeting.id}",
    }
    await enqueue(db, rep.contract_id, meeting.id, "meeting.ended", data, now)


async def recording_ready(db: AsyncSession, recording: Recording, now: float) -> None:
    account = await db.get(Account, recording.account_id)
    assert account is not None
    data = {
        "recording": {
            "id": recording.id,
            "meeting_id": recording.meeting_id,
            "duration_seconds": recording.duration,
            "size": recording.size,
            "download_path": f"/api/v1/recordings/{recording.id}/file",
        }
    }
    await enqueue(db, account.contract_id, recording.meeting_id, "recording.ready", data, now)


async def document_given(db: AsyncSession, give: DocumentGive, giver: Participant, now: float) -> None:
    meeting = await db.get(Meeting, give.meeting_id)
    rep = await _rep_of(db, meeting) if meeting is not None else None
    if rep is None:
        return
    data = {
        "meeting_id": give.meeting_id,
        "document": {"id": give.document_id, "title": give.title, "filename": give.filename},
        "given_by": {"participant_id": giver.id, "display_name": giver.display_name, "role": giver.role},
        "given_at": give.given_at,
    }
    await enqueue(db, rep.contract_id, give.meeting_id, "document.given", data, now)


async def queue_test_event(db: AsyncSession, contract_id: int, now: float) -> WebhookEvent | None:
    """The portal's 送信テスト: an event of its own order, so it never waits behind a meeting's."""
    data = {"message": "Mendan webhook test"}
    return await enqueue(db, contract_id, "test:" + secrets.token_hex(6), "test", data, now)
