"""MeetingService: every change to a meeting, each in one transaction, returning what to announce.

A participant row's presence is a ``Presence`` (server/meeting/presence.py); the instances'
heartbeats are in server/meeting/heartbeat.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server import rate_limit
from server.auth.accounts import RepIdentity
from server.clock import Clock
from server.connection_number import extend_reservation, normalise, reserve_number
from server.db.database import Database
from server.db.models import ChatMessage, Meeting, Participant
from server.errors import MendanError
from server.integrations import outbox
from server.issuing import network_of
from server.settings import Settings

from . import heartbeat
from .delivery import Delivery
from .invites import InviteCodec
from .presence import Presence
from .tickets import hash_secret, make_ticket, new_id, new_secret, secret_matches, split_ticket
from .views import meeting_view, participant_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedNumber:
    """What the customer's page gets after 商談を始める."""

    number: str
    expires_at: float
    ticket: str
    meeting_id: str


@dataclass(frozen=True)
class Entry:
    """A ticket into a meeting, for the page that will open the WebSocket."""

    meeting_id: str
    ticket: str


@dataclass(frozen=True)
class JoinResult:
    participant_id: str
    meeting_id: str
    meeting: p.Meeting
    participants: list[p.Participant]
    chat: list[p.ChatLine]
    deliveries: list[Delivery]


@dataclass(frozen=True)
class InvitePreview:
    """What the invite page shows before someone joins: who invites, and whether there is room."""

    host_name: str
    host_company: str
    seats_left: int


CHAT_HISTORY_IN_SNAPSHOT = 200
MAX_NAME_LENGTH = 50


class MeetingService:
    """Issues numbers, lets reps claim them, and tracks who is in which meeting."""

    def __init__(self, database: Database, settings: Settings, clock: Clock, customer_name: str) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.customer_name = customer_name
        self.invites = InviteCodec(settings.secret_key)

    # ---- numbers ------------------------------------------------------------------------------

    async def issue_number(
        self, address: str, scope_contract_id: int | None = None, until: float | None = None
    ) -> IssuedNumber:
        """A waiting meeting with a number, valid for the number TTL (or ``until``: a booked slot's end)."""
        now = self.clock.now()
        meeting_id = new_id()
        expires_at = until if until is not None else now + self.settings.number_ttl
        async with self.database.session() as db, db.begin():
            # One address, one network, everybody: a flood from one place cannot use up the numbers
            # of everybody else, and all floods together cannot fill the number space.
            await rate_limit.take(db, "issue", address, now, self.settings.issue_limit)
            await rate_limit.take(
                db, "issue_net", network_of(address), now, self.settings.issue_network_limit
            )
            try:
                await rate_limit.take(db, "issue_all", "*", now, self.settings.issue_global_limit)
            except MendanError:
                raise MendanError(p.ErrorCode.NUMBERS_EXHAUSTED, "global issue budget") from None
            # Unclaimed, the number is free again when it expires; claimed, it rests a day (claim).
            number = await reserve_number(db, meeting_id, now, expires_at)
            db.add(
                Meeting(
                    id=meeting_id,
                    number=number,
                    state=p.MeetingState.WAITING,
                    created_at=now,
                    expires_at=expires_at,
                    scope_contract_id=scope_contract_id,
                    recording=False,
                    issued_by_address=address,
                )
            )
            await db.flush()
            _, ticket = self._add_participant(db, meeting_id, p.Role.CUSTOMER, self.customer_name, "", now)
        log.info("number issued", extra={"meeting": meeting_id, "address": address})
        return IssuedNumber(number=number, expires_at=expires_at, ticket=ticket, meeting_id=meeting_id)

    async def claim(
        self, typed: str, rep: RepIdentity, recording: bool, address: str
    ) -> tuple[Entry, list[Delivery]]:
        """The rep's 接続する: every failure is the same INVALID_NUMBER, and counts as a guess."""
        now = self.clock.now()
        # Per ID, and per address within the rep's own contract: one contract's typos (or guesses)
        # never lock out another contract's reps behind the same office address.
        keys = [f"account:{rep.account_id}", f"address:{rep.contract_id}:{address}"]
        async with self.database.session() as db:
            async with db.begin():
                await rate_limit.ensure_not_locked(db, keys, now)
                entry = await self._try_claim(db, normalise(typed), rep, recording, now)
                if entry is not None:
                    meeting = await db.get(Meeting, entry.meeting_id)
                    host = await db.scalar(
                        select(Participant).where(
                            Participant.meeting_id == entry.meeting_id, Participant.role == p.Role.HOST
                        )
                    )
                    assert meeting is not None and host is not None
                    view = meeting_view(meeting, self.settings.max_participants)
                    deliveries = [
                        Delivery(entry.meeting_id, p.MeetingStarted(meeting=view), exclude=host.id),
                        Delivery(
                            entry.meeting_id,
                            p.ParticipantJoined(participant=participant_view(host)),
                            exclude=host.id,
                        ),
                    ]
                    return entry, deliveries
            async with db.begin():
                await rate_limit.record_failure(
                    db, "guess", keys, now, self.settings.guess_limit, self.settings.lockout
                )
        raise MendanError(p.ErrorCode.INVALID_NUMBER)

    async def _try_claim(
        self, db: AsyncSession, number: str | None, rep: RepIdentity, recording: bool, now: float
    ) -> Entry | None:
        if number is None:
            return None
        meeting = await db.scalar(
            select(Meeting).where(
                Meeting.number == number, Meeting.state == p.MeetingState.WAITING, Meeting.expires_at > now
            )
        )
        if meeting is None or meeting.scope_contract_id not in (None, rep.contract_id):
            return None
        # The state check in the UPDATE makes a number claimable once, even by two reps at once.
        claimed = await db.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id, Meeting.state == p.MeetingState.WAITING)
            .values(
                state=p.MeetingState.ACTIVE, started_at=now, account_id=rep.account_id, recording=recording
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        await db.refresh(meeting)
        await extend_reservation(db, number, now + self.settings.number_reuse_after)
        await outbox.meeting_started(db, meeting, now)
        _, ticket = self._add_participant(
            db, meeting.id, p.Role.HOST, rep.display_name, rep.company_name, now
        )
        return Entry(meeting_id=meeting.id, ticket=ticket)

    def _add_participant(
        self, db: AsyncSession, meeting_id: str, role: p.Role, name: str, company: str, now: float
    ) -> tuple[Participant, str]:
        """A new participant row and the ticket (the only place its secret exists in clear)."""
        secret = new_secret()
        row = Participant(
            id=new_id(8),
            meeting_id=meeting_id,
            role=role,
            display_name=name,
            company_name=company,
            secret_hash=hash_secret(secret),
            presence=Presence.CONNECTING,
            joined_at=now,
            version=1,
            media_ready=False,
            camera=True,
            mic=True,
        )
        db.add(row)
        return row, make_ticket(row.id, secret)

    # ---- presence -----------------------------------------------------------------------------

    async def check_ticket(self, ticket: str) -> tuple[str, str]:
        """The (participant id, meeting id) a ticket opens, or INVALID_TICKET."""
        async with self.database.session() as db:
            row = await self._ticket_holder(db, ticket)
            return row.id, row.meeting_id

    async def _ticket_holder(self, db: AsyncSession, ticket: str) -> Participant:
        parts = split_ticket(ticket)
        row = await db.get(Participant, parts[0]) if parts else None
        if parts is None or row is None or not secret_matches(row.secret_hash, parts[1]):
            raise MendanError(p.ErrorCode.INVALID_TICKET)
        return row

    async def join(self, ticket: str) -> JoinResult:
        """A socket presents its ticket (first time or after a drop): snapshot for it, news for others."""
        async with self.database.session() as db, db.begin():
            row = await self._ticket_holder(db, ticket)
            meeting = await db.get(Meeting, row.meeting_id)
            if meeting is None or meeting.state == p.MeetingState.ENDED or row.presence == Presence.LEFT:
                raise MendanError(p.ErrorCode.MEETING_ENDED)
            row.presence = Presence.CONNECTED
            row.disconnected_at = None
            row.instance_id = self.settings.instance_id
            row.version += 1
            others = await self._present(db, meeting.id)
            chat = await self._recent_chat(db, meeting.id)
            deliveries = [
                Delivery(meeting.id, p.ParticipantUpdated(participant=participant_view(row)), exclude=row.id)
            ]
            return JoinResult(
                participant_id=row.id,
                meeting_id=meeting.id,
                meeting=meeting_view(meeting, self.settings.max_participants),
                participants=[participant_view(other) for other in others],
                chat=chat,
                deliveries=deliveries,
            )

    async def update_media(self, participant_id: str, media: p.MediaState) -> list[Delivery]:
        async with self.database.session() as db, db.begin():
            row = await db.get(Participant, participant_id)
            if row is None or row.presence == Presence.LEFT:
                raise MendanError(p.ErrorCode.MEETING_ENDED)
            row.media_ready, row.camera, row.mic = media.ready, media.camera, media.mic
            row.version += 1
            return [Delivery(row.meeting_id, p.ParticipantUpdated(participant=participant_view(row)))]

    async def disconnected(self, participant_id: str) -> list[Delivery]:
        """The socket closed without 接続終了: the grace period starts.

        Only while the participant's socket is still counted as ours: by the time an instance
        notices a dead socket, its client may already have joined again on another instance.
        """
        async with self.database.session() as db, db.begin():
            # One conditional UPDATE, so a join elsewhere committing meanwhile is never overwritten.
            lost = await db.execute(
                update(Participant)
                .where(
                    Participant.id == participant_id,
                    Participant.presence == Presence.CONNECTED,
                    Participant.instance_id == self.settings.instance_id,
                )
                .values(
                    presence=Presence.RECONNECTING,
                    disconnected_at=self.clock.now(),
                    version=Participant.version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if lost.rowcount != 1:  # type: ignore[attr-defined]
                return []
            row = await db.get(Participant, participant_id)
            assert row is not None
            return [
                Delivery(
                    row.meeting_id, p.ParticipantUpdated(participant=participant_view(row)), exclude=row.id
                )
            ]

    async def leave(self, participant_id: str, reason: p.EndReason = p.EndReason.LEFT) -> list[Delivery]:
        async with self.database.session() as db, db.begin():
            return await self._leave(db, participant_id, reason, self.clock.now())

    async def _leave(
        self, db: AsyncSession, participant_id: str, reason: p.EndReason, now: float
    ) -> list[Delivery]:
        row = await db.get(Participant, participant_id)
        if row is None:
            return []
        # Leaves of one meeting (the rep hanging up on one instance, the customer's grace period
        # running out on another) are taken one after the other, each seeing what the last one did.
        await self._lock_meeting(db, row.meeting_id)
        await db.refresh(row)
        if row.presence == Presence.LEFT:
            return []
        row.presence = Presence.LEFT
        row.left_at = now
        row.version += 1
        deliveries = [Delivery(row.meeting_id, p.ParticipantLeft(participant_id=row.id, reason=reason))]
        meeting = await db.get(Meeting, row.meeting_id, populate_existing=True)
        assert meeting is not None
        remaining = await self._present(db, meeting.id)
        # A meeting needs two people and its rep: a waiting customer who left, the last partner
        # gone, or the rep (親) hanging up ends it for everyone.
        if meeting.state == p.MeetingState.WAITING:
            deliveries += await self._end(db, meeting, reason, now)
        elif meeting.state == p.MeetingState.ACTIVE and (len(remaining) < 2 or row.role == p.Role.HOST):
            deliveries += await self._end(db, meeting, p.EndReason.OTHER_LEFT, now)
        return deliveries

    async def _end(
        self, db: AsyncSession, meeting: Meeting, reason: p.EndReason, now: float
    ) -> list[Delivery]:
        meeting.state = p.MeetingState.ENDED
        meeting.ended_at = now
        meeting.end_reason = reason
        if meeting.started_at is not None:  # a number a rep used rests a day; an unused one is free
            await extend_reservation(db, meeting.number, now + self.settings.number_reuse_after)
        for row in await self._present(db, meeting.id):
            row.presence = Presence.LEFT
            row.left_at = now
        await outbox.meeting_ended(db, meeting, now)
        log.info("meeting ended", extra={"meeting": meeting.id, "reason": reason.value})
        return [Delivery(meeting.id, p.MeetingEnded(reason=reason))]

    async def _present(self, db: AsyncSession, meeting_id: str) -> list[Participant]:
        rows = await db.scalars(
            select(Participant)
            .where(Participant.meeting_id == meeting_id, Participant.presence != Presence.LEFT)
            .order_by(Participant.joined_at, Participant.id)
        )
        return list(rows)

    # ---- invites and chat -----------------------------------------------------------------------

    async def create_invite(self, participant_id: str) -> tuple[str, float]:
        """An invite token for the host's meeting, and when it expires."""
        async with self.database.session() as db:
            row = await db.get(Participant, participant_id)
            meeting = await db.get(Meeting, row.meeting_id) if row else None
            if row is None or meeting is None or row.presence == Presence.LEFT:
                raise MendanError(p.ErrorCode.MEETING_ENDED)
            if row.role != p.Role.HOST:
                raise MendanError(p.ErrorCode.NOT_ALLOWED)
            if meeting.state != p.MeetingState.ACTIVE:
                raise MendanError(p.ErrorCode.MEETING_ENDED)
        expires_at = self.clock.now() + self.settings.invite_ttl
        return self.invites.seal(meeting.id, expires_at), expires_at

    async def preview_invite(self, token: str) -> InvitePreview:
        async with self.database.session() as db:
            _, present = await self._invited_meeting(db, token)
            host = next((row for row in present if row.role == p.Role.HOST), None)
            return InvitePreview(
                host_name=host.display_name if host else "",
                host_company=host.company_name if host else "",
                seats_left=self.settings.max_participants - len(present),
            )

    async def join_invite(self, token: str, display_name: str) -> tuple[Entry, list[Delivery]]:
        """Add a named invitee, if the meeting still runs and has a seat (checked under a lock)."""
        name = " ".join(display_name.split())
        if not name or len(name) > MAX_NAME_LENGTH:
            raise MendanError(p.ErrorCode.INVALID_NAME)
        async with self.database.session() as db, db.begin():
            meeting_id = self.invites.open(token, self.clock.now()).meeting_id
            await self._lock_meeting(db, meeting_id)
            meeting, present = await self._invited_meeting(db, token)
            if len(present) >= self.settings.max_participants:
                raise MendanError(p.ErrorCode.MEETING_FULL)
            row, ticket = self._add_participant(db, meeting.id, p.Role.INVITEE, name, "", self.clock.now())
            announce = Delivery(
                meeting.id, p.ParticipantJoined(participant=participant_view(row)), exclude=row.id
            )
            return Entry(meeting_id=meeting.id, ticket=ticket), [announce]

    async def _invited_meeting(self, db: AsyncSession, token: str) -> tuple[Meeting, list[Participant]]:
        invite = self.invites.open(token, self.clock.now())
        meeting = await db.get(Meeting, invite.meeting_id)
        if meeting is None or meeting.state != p.MeetingState.ACTIVE:
            raise MendanError(p.ErrorCode.MEETING_ENDED)
        return meeting, await self._present(db, meeting.id)

    async def _lock_meeting(self, db: AsyncSession, meeting_id: str) -> None:
        # A no-op write takes the row's write lock (SQLite: the database's), so two joins that
        # race for the last seat are counted one after the other.
        await db.execute(update(Meeting).where(Meeting.id == meeting_id).values(state=Meeting.state))

    async def post_chat(self, participant_id: str, text: str) -> list[Delivery]:
        text = text.strip()
        if not text:
            raise MendanError(p.ErrorCode.BAD_REQUEST)
        async with self.database.session() as db, db.begin():
            row = await db.get(Participant, participant_id)
            if row is None or row.presence == Presence.LEFT:
                raise MendanError(p.ErrorCode.MEETING_ENDED)
            # Counted under the meeting's lock, so sockets posting at once cannot pass the cap together.
            await self._lock_meeting(db, row.meeting_id)
            kept = await db.scalar(
                select(func.count()).select_from(ChatMessage).where(ChatMessage.meeting_id == row.meeting_id)
            )
            if (kept or 0) >= self.settings.chat_max_per_meeting:
                raise MendanError(p.ErrorCode.CHAT_FULL)
            message = ChatMessage(
                meeting_id=row.meeting_id, participant_id=row.id, text=text, sent_at=self.clock.now()
            )
            db.add(message)
            await db.flush()
            line = p.ChatLine(
                id=message.id,
                participant_id=row.id,
                display_name=row.display_name,
                text=text,
                sent_at=message.sent_at,
            )
            return [Delivery(row.meeting_id, p.ChatPosted(line=line))]

    async def _recent_chat(self, db: AsyncSession, meeting_id: str) -> list[p.ChatLine]:
        rows = await db.execute(
            select(ChatMessage, Participant.display_name)
            .join(Participant, Participant.id == ChatMessage.participant_id)
            .where(ChatMessage.meeting_id == meeting_id)
            .order_by(ChatMessage.id.desc())
            .limit(CHAT_HISTORY_IN_SNAPSHOT)
        )
        lines = [
            p.ChatLine(
                id=m.id, participant_id=m.participant_id, display_name=name, text=m.text, sent_at=m.sent_at
            )
            for m, name in rows
        ]
        return lines[::-1]

    # ---- housekeeping -------------------------------------------------------------------------

    async def sweep(self) -> list[Delivery]:
        """Expire unclaimed numbers and drop participants whose grace period ran out.

        Every instance sweeps; each step is its own short transaction, locks meetings before their
        participants (as every other change does), and changes only what still needs it, so two
        instances sweeping at once announce each end once.
        """
        now = self.clock.now()
        deliveries: list[Delivery] = []
        async with self.database.session() as db, db.begin():
            await heartbeat.beat(db, self.settings.instance_id, now)
            deliveries += await heartbeat.sockets_lost_with_silent_instances(
                db, self.settings.instance_timeout, now
            )
        async with self.database.session() as db, db.begin():
            # SKIP LOCKED (PostgreSQL): a meeting another instance is ending right now is its job.
            expired = await db.scalars(
                select(Meeting)
                .where(Meeting.state == p.MeetingState.WAITING, Meeting.expires_at <= now)
                .with_for_update(skip_locked=True)
            )
            for meeting in expired:
                deliveries += await self._end(db, meeting, p.EndReason.NUMBER_EXPIRED, now)
        async with self.database.session() as db:
            deadline = now - self.settings.grace_period
            gone = list(
                await db.scalars(
                    select(Participant.id)
                    .join(Meeting, Meeting.id == Participant.meeting_id)
                    .where(
                        Meeting.state != p.MeetingState.ENDED,
                        Participant.presence.in_([Presence.CONNECTING, Presence.RECONNECTING]),
                        func.coalesce(Participant.disconnected_at, Participant.joined_at) <= deadline,
                    )
                )
            )
        for participant_id in gone:
            async with self.database.session() as db, db.begin():
                # _leave re-reads under the meeting's lock: one that came back meanwhile stays.
                deliveries += await self._leave_if_still_gone(db, participant_id, deadline, now)
        settings = self.settings
        longest_window = max(
            settings.guess_limit[1],
            settings.issue_limit[1],
            settings.issue_network_limit[1],
            settings.issue_global_limit[1],
            settings.login_limit[1],
        )
        async with self.database.session() as db, db.begin():
            await rate_limit.forget_older_than(db, now - longest_window)
        return deliveries

    async def _leave_if_still_gone(
        self, db: AsyncSession, participant_id: str, deadline: float, now: float
    ) -> list[Delivery]:
        row = await db.get(Participant, participant_id)
        if row is None:
            return []
        await self._lock_meeting(db, row.meeting_id)
        await db.refresh(row)
        if (
            row.presence not in (Presence.CONNECTING, Presence.RECONNECTING)
            or (row.disconnected_at or row.joined_at) > deadline
        ):
            return []
        return await self._leave(db, participant_id, p.EndReason.CONNECTION_LOST, now)

    async def sockets_lost_at_start(self) -> None:
        """After a restart this instance's sockets are gone: their grace period starts."""
        async with self.database.session() as db, db.begin():
            await heartbeat.sockets_lost_at_start(db, self.settings.instance_id, self.clock.now())
