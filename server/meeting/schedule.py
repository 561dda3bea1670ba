"""Scheduled meetings: a rep books a slot, the customer's link opens a waiting meeting in it.

The link works from OPENS_BEFORE seconds before the start until the slot's end; what it opens is
an ordinary waiting meeting with a number (scoped to the rep's contract, valid until the slot
ends), so the customer waits as with a number and the rep starts it as if typing that number.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.auth.accounts import RepIdentity, identity_of
from server.clock import Clock
from server.db.database import Database
from server.db.models import Meeting, ScheduledMeeting
from server.errors import MendanError

from .service import IssuedNumber, MeetingService

OPENS_BEFORE = 15 * 60
MIN_MINUTES, MAX_MINUTES = 15, 240
MAX_NAME = 100
MAX_UPCOMING = 100


@dataclass(frozen=True)
class Upcoming:
    """A booked slot on the rep's dashboard, and the number of the customer waiting in it, if any."""

    slot: ScheduledMeeting
    waiting_number: str | None


@dataclass(frozen=True)
class Booking:
    """What the customer's link page shows: who invites, when, and whether the link is open yet."""

    slot: ScheduledMeeting
    host: RepIdentity


class Schedule:
    """Books slots, lists a rep's upcoming ones, and lets a customer's link into its slot."""

    def __init__(self, database: Database, meetings: MeetingService, clock: Clock, timezone: str) -> None:
        self.database = database
        self.meetings = meetings
        self.clock = clock
        self.zone = ZoneInfo(timezone)

    def local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, self.zone)

    def parse_local(self, text: str) -> float:
        """A datetime-local value (YYYY-MM-DDTHH:MM) in the server's time zone, as Unix seconds."""
        try:
            naive = dt.datetime.fromisoformat(text)
        except ValueError:
            raise MendanError(p.ErrorCode.SCHEDULE_INVALID) from None
        return naive.replace(tzinfo=self.zone).timestamp() if naive.tzinfo is None else naive.timestamp()

    async def book(
        self, rep: RepIdentity, starts_at: float, minutes: int, customer: str, company: str
    ) -> ScheduledMeeting:
        now = self.clock.now()
        customer, company = " ".join(customer.split()), " ".join(company.split())
        if (
            starts_at + minutes * 60 <= now
            or not MIN_MINUTES <= minutes <= MAX_MINUTES
            or not customer
            or len(customer) > MAX_NAME
            or len(company) > MAX_NAME
        ):
            raise MendanError(p.ErrorCode.SCHEDULE_INVALID)
        slot = ScheduledMeeting(
            id=secrets.token_hex(8),
            account_id=rep.account_id,
            link_key=secrets.token_urlsafe(16),
            customer_name=customer,
            company_name=company,
            starts_at=starts_at,
            ends_at=starts_at + minutes * 60,
            created_at=now,
        )
        async with self.database.session() as db, db.begin():
            if len(await self._upcoming_rows(db, rep.account_id, now)) >= MAX_UPCOMING:
                raise MendanError(p.ErrorCode.RATE_LIMITED)
            db.add(slot)
        return slot

    @staticmethod
    async def _upcoming_rows(db: AsyncSession, account_id: int, now: float) -> list[ScheduledMeeting]:
        rows = await db.scalars(
            select(ScheduledMeeting)
            .where(
                ScheduledMeeting.account_id == account_id,
                ScheduledMeeting.ends_at > now,
                ScheduledMeeting.cancelled_at.is_(None),
            )
            .order_by(ScheduledMeeting.starts_at)
        )
        return list(rows)

    async def upcoming(self, account_id: int) -> list[Upcoming]:
        now = self.clock.now()
        async with self.database.session() as db:
            slots = await self._upcoming_rows(db, account_id, now)
            waiting = {}
            ids = [slot.meeting_id for slot in slots if slot.meeting_id]
            if ids:
                for meeting in await db.scalars(select(Meeting).where(Meeting.id.in_(ids))):
                    if meeting.state == p.MeetingState.WAITING and meeting.expires_at > now:
                        waiting[meeting.id] = meeting.number
        return [Upcoming(slot, waiting.get(slot.meeting_id or "")) for slot in slots]

    async def owned(self, account_id: int, slot_id: str) -> ScheduledMeeting:
        async with self.database.session() as db:
            slot = await db.get(ScheduledMeeting, slot_id)
        if slot is None or slot.account_id != account_id:
            raise MendanError(p.ErrorCode.NOT_FOUND)
        return slot

    async def cancel(self, account_id: int, slot_id: str) -> None:
        async with self.database.session() as db, db.begin():
            done = await db.execute(
                update(ScheduledMeeting)
                .where(ScheduledMeeting.id == slot_id, ScheduledMeeting.account_id == account_id)
                .values(cancelled_at=self.clock.now())
                .execution_options(synchronize_session=False)
            )
        if not done.rowcount:  # type: ignore[attr-defined]
            raise MendanError(p.ErrorCode.NOT_FOUND)

    async def booking(self, key: str) -> Booking:
        """The live booking behind a customer's link; a cancelled or unknown one is not found."""
        async with self.database.session() as db:
            slot = await db.scalar(select(ScheduledMeeting).where(ScheduledMeeting.link_key == key))
            host = await identity_of(db, slot.account_id) if slot is not None else None
        if slot is None or slot.cancelled_at is not None or host is None:
            raise MendanError(p.ErrorCode.NOT_FOUND)
        return Booking(slot, host)

    def check_open(self, slot: ScheduledMeeting) -> None:
        now = self.clock.now()
        if now >= slot.ends_at:
            raise MendanError(p.ErrorCode.MEETING_ENDED)
        if now < slot.starts_at - OPENS_BEFORE:
            opens = self.local(slot.starts_at - OPENS_BEFORE).strftime("%Y-%m-%d %H:%M")
            raise MendanError(
                p.ErrorCode.SCHEDULE_NOT_OPEN, values={"opens": opens, "minutes": OPENS_BEFORE // 60}
            )

    async def enter(self, key: str, address: str) -> IssuedNumber:
        """The customer's 商談に入る: a waiting meeting until the slot ends, only for the rep's contract."""
        booking = await self.booking(key)
        self.check_open(booking.slot)
        issued = await self.meetings.issue_number(
            address, booking.host.contract_id, until=booking.slot.ends_at
        )
        async with self.database.session() as db, db.begin():
            await db.execute(
                update(ScheduledMeeting)
                .where(ScheduledMeeting.id == booking.slot.id)
                .values(meeting_id=issued.meeting_id)
            )
        return issued

    def ics(
        self, slot: ScheduledMeeting, host: RepIdentity, url: str, summary: str, description: str
    ) -> bytes:
        """The booking as an iCalendar file for the customer's calendar."""
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Mendan//Scheduled meeting//JA")
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        event = icalendar.Event()
        event.add("uid", f"{slot.id}@mendan")
        event.add("dtstamp", dt.datetime.fromtimestamp(slot.created_at, dt.UTC))
        event.add("dtstart", dt.datetime.fromtimestamp(slot.starts_at, dt.UTC))
        event.add("dtend", dt.datetime.fromtimestamp(slot.ends_at, dt.UTC))
        event.add("summary", summary)
        event.add("description", description)
        event.add("url", url)
        event.add("location", url)
        calendar.add_component(event)
        return bytes(calendar.to_ical())
