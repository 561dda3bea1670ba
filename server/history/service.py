"""History queries, talk-time, and the one set of display strings the page and the CSV share.

Every meeting belongs to the rep ID that claimed it; nothing here reads another ID's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.db.database import Database
from server.db.models import ChatMessage, Meeting, Participant, Recording, TalkTime
from server.documents.history import DocumentHistory, documents_of_meeting
from server.errors import MendanError
from server.i18n import catalogue_for
from server.recording.store import format_bytes

# A report covers a few seconds; more than this in one report is not speech but a broken client.
MAX_SECONDS_PER_REPORT = 30.0
MAX_QUERY_LENGTH = 100
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
"""Meetings per answer: a rep ID with years of history never makes one answer hold them all."""


@dataclass(frozen=True)
class Search:
    """Which meetings to list: started on or after ``start`` and before ``end`` (dates), text."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    after: tuple[float, str] | None = None
    """Where the last page ended (its last meeting's start and id): the next page starts after it."""
    limit: int = PAGE_SIZE


@dataclass
class HistoryEntry:
    """One meeting as the history shows it."""

    meeting: Meeting
    participants: list[Participant] = field(default_factory=list)
    chat: list[tuple[ChatMessage, str]] = field(default_factory=list)
    talk: dict[str, float] = field(default_factory=dict)
    recordings: list[Recording] = field(default_factory=list)
    # Documents shown and given, from `documents_of_meeting`.
    documents: DocumentHistory | None = None


def parse_search(params: Any) -> Search:
    def day(name: str) -> dt.date | None:
        value = str(params.get(name, "") or "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise MendanError(p.ErrorCode.BAD_REQUEST, f"{name} must be YYYY-MM-DD") from None

    text = " ".join(str(params.get("q", "") or "").split())[:MAX_QUERY_LENGTH]
    limit = str(params.get("limit", "") or PAGE_SIZE)
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE_SIZE:
        raise MendanError(p.ErrorCode.BAD_REQUEST, f"limit must be 1 to {MAX_PAGE_SIZE}")
    return Search(
        date_from=day("from"), date_to=day("to"), text=text, after=parse_cursor(params), limit=int(limit)
    )


def parse_cursor(params: Any) -> tuple[float, str] | None:
    value = str(params.get("after", "") or "")
    if not value:
        return None
    started, _, meeting_id = value.partition("_")
    try:
        return float(started), meeting_id[:64]
    except ValueError:
        raise MendanError(p.ErrorCode.BAD_REQUEST, "after is not a page cursor") from None


def cursor_of(entry: HistoryEntry) -> str:
    """The ``after`` that continues past this meeting."""
    return f"{entry.meeting.started_at!r}_{entry.meeting.id}"


class HistoryService:
    """Reads a rep ID's meetings with everything the history shows; stores talk-time reports."""

    def __init__(self, database: Database, timezone: str) -> None:
        self.database = database
        self.zone = ZoneInfo(timezone)

    def _day_start(self, day: dt.date) -> float:
        return dt.datetime.combine(day, dt.time(), tzinfo=self.zone).timestamp()

    async def search(
        self, account_id: int, search: Search, limit: int | None = None, offset: int = 0
    ) -> list[HistoryEntry]:
        """One page, newest first: after ``search.after`` (the history's cursor) or from ``offset``
        (the REST API's numbered pages), ``limit`` (default ``search.limit``) meetings long."""
        query = self._query(account_id, search)
        if search.after is not None:
            started, meeting_id = search.after
            query = query.where(
                or_(
                    Meeting.started_at < started, and_(Meeting.started_at == started, Meeting.id > meeting_id)
                )
            )
        query = query.order_by(Meeting.started_at.desc(), Meeting.id)
        async with self.database.session() as db:
            meetings = list(await db.scalars(query.limit(limit or search.limit).offset(offset)))
            return await self._fill(db, account_id, meetings)

    async def count(self, account_id: int, search: Search) -> int:
        async with self.database.session() as db:
            found = await db.scalar(
                select(func.count()).select_from(self._query(account_id, search).subquery())
            )
            return int(found or 0)

    async def one(self, account_id: int, meeting_id: str) -> HistoryEntry | None:
        """One meeting of the ID (None for anyone else's or one never started)."""
        async with self.database.session() as db:
            meeting = await db.scalar(
                select(Meeting).where(
                    Meeting.id == meeting_id,
                    Meeting.account_id == account_id,
                    Meeting.started_at.is_not(None),
                )
            )
            entries = await self._fill(db, account_id, [meeting] if meeting else [])
            return entries[0] if entries else None

    def _query(self, account_id: int, search: Search) -> Select[Meeting]:
        query = select(Meeting).where(Meeting.account_id == account_id, Meeting.started_at.is_not(None))
        if search.date_from:
            query = query.where(Meeting.started_at >= self._day_start(search.date_from))
        if search.date_to:
            query = query.where(Meeting.started_at < self._day_start(search.date_to + dt.timedelta(days=1)))
        for word in search.text.split(" ") if search.text else []:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(
                    Meeting.number.like(pattern, escape="\\"),
                    exists().where(
                        and_(
                            Participant.meeting_id == Meeting.id,
                            or_(
                                Participant.display_name.ilike(pattern, escape="\\"),
                                Participant.company_name.ilike(pattern, escape="\\"),
                            ),
                        )
                    ),
                    exists().where(
                        and_(
                            ChatMessage.meeting_id == Meeting.id, ChatMessage.text.ilike(pattern, escape="\\")
                        )
                    ),
                )
            )
        return query

    async def pages(self, account_id: int, search: Search) -> AsyncIterator[list[HistoryEntry]]:
        """Every matching meeting, a page at a time (the CSV streams them)."""
        while True:
            entries = await self.search(account_id, search)
            if entries:
                yield entries
            if len(entries) < search.limit:
                return
            search = replace(search, after=(entries[-1].meeting.started_at or 0.0, entries[-1].meeting.id))

    async def _fill(
        self, db: AsyncSession, account_id: int, meetings: Sequence[Meeting]
    ) -> list[HistoryEntry]:
        entries = {m.id: HistoryEntry(meeting=m) for m in meetings}
        ids = list(entries)
        if not ids:
            return []
        for person in await db.scalars(
            select(Participant)
            .where(Participant.meeting_id.in_(ids))
            .order_by(Participant.joined_at, Participant.id)
        ):
            entries[person.meeting_id].participants.append(person)
        chat = await db.execute(
            select(ChatMessage, Participant.display_name)
            .join(Participant, Participant.id == ChatMessage.participant_id)
            .where(ChatMessage.meeting_id.in_(ids))
            .order_by(ChatMessage.id)
        )
        for message, name in chat:
            entries[message.meeting_id].chat.append((message, name))
        for talk in await db.scalars(select(TalkTime).where(TalkTime.meeting_id.in_(ids))):
            entries[talk.meeting_id].talk[talk.participant_id] = talk.seconds
        for recording in await db.scalars(
            select(Recording)
            .where(Recording.account_id == account_id, Recording.meeting_id.in_(ids))
            .order_by(Recording.started_at)
        ):
            entries[recording.meeting_id].recordings.append(recording)
        for meeting_id in ids:
            entries[meeting_id].documents = await documents_of_meeting(db, meeting_id)
        return [entries[meeting_id] for meeting_id in ids]

    async def add_talk_time(self, account_id: int, meeting_id: str, seconds: dict[str, float]) -> None:
        """Add one report of speaking seconds per participant, measured in the rep's browser."""
        async with self.database.session() as db, db.begin():
            # A no-op write first: the write lock before the reads (SQLite), the row lock (PostgreSQL).
            await db.execute(update(Meeting).where(Meeting.id == meeting_id).values(state=Meeting.state))
            meeting = await db.get(Meeting, meeting_id)
            if meeting is None or meeting.account_id != account_id:
                raise MendanError(p.ErrorCode.NOT_FOUND)
            members = set(
                await db.scalars(select(Participant.id).where(Participant.meeting_id == meeting_id))
            )
            for participant_id, value in seconds.items():
                if participant_id not in members or not 0 <= value <= MAX_SECONDS_PER_REPORT:
                    raise MendanError(p.ErrorCode.BAD_REQUEST, "unknown participant or bad seconds")
            for participant_id, value in seconds.items():
                row = await db.get(TalkTime, (meeting_id, participant_id))
                if row is None:
                    db.add(TalkTime(meeting_id=meeting_id, participant_id=participant_id, seconds=value))
                else:
                    row.seconds += value


# ---- what the page and the CSV show -------------------------------------------------------------

COLUMNS = (
    "started",
    "ended",
    "duration",
    "number",
    "participants",
    "talk_time",
    "chat",
    "recordings",
    "documents",
)


def clock_text(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class HistoryText:
    """The strings of one history entry in one language and time zone: the page shows exactly these
    and the CSV holds exactly these, so the export is what the rep saw."""

    def __init__(self, lang: str, zone: ZoneInfo) -> None:
        self.t = catalogue_for(lang).text
        self.zone = zone

    def time(self, at: float | None, with_date: bool = True) -> str:
        if at is None:
            return ""
        local = dt.datetime.fromtimestamp(at, self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")

    def participant(self, person: Participant) -> str:
        role = self.t(f"room.role.{person.role}")
        company = f" ・ {person.company_name}" if person.company_name else ""
        return f"{person.display_name}（{role}{company}）"

    def _document_lines(self, entry: HistoryEntry) -> list[str]:
        """見せる and 渡す of a meeting in words: title, who, how long, which pages, who received."""
        documents = entry.documents
        if documents is None:
            return []
        lines = []
        for shown in documents.shown:
            pages = ", ".join(str(page.page) for page in sorted(shown.pages, key=lambda view: view.page))
            lines.append(
                self.t("history.document_shown", title=shown.title, name=shown.presenter_name,
                       minutes=int(shown.seconds // 60), seconds=int(shown.seconds % 60), pages=pages)
            )  # fmt: skip
        for given in documents.given:
            received = "、".join(given.received_by) or self.t("history.document_not_received")
            lines.append(
                self.t("history.document_given", title=given.title, name=given.giver_name, received=received)
            )
        return lines

    def talk_shares(self, entry: HistoryEntry) -> list[tuple[str, str, int]]:
        """(participant id, name, percent) per participant; empty when nothing was measured."""
        total = sum(entry.talk.values())
        if total <= 0:
            return []
        return [
            (person.id, person.display_name, round(100 * entry.talk.get(person.id, 0.0) / total))
            for person in entry.participants
        ]

    def recording(self, index: int, recording: Recording) -> str:
        if recording.state != "ready":
            state = self.t(f"history.recording_state.{recording.state}")
            return f"{self.t('history.recordings')} {index}（{state}）"
        return self.t(
            "history.recording_label",
            index=index,
            duration=clock_text(recording.duration or 0),
            size=format_bytes(recording.size),
        )

    def cells(self, entry: HistoryEntry) -> dict[str, str]:
        meeting = entry.meeting
        end = meeting.ended_at
        duration = (end - meeting.started_at) if end is not None and meeting.started_at is not None else None
        shares = self.talk_shares(entry)
        return {
            "started": self.time(meeting.started_at),
            "ended": self.time(end) if end is not None else self.t("history.in_progress"),
            "duration": clock_text(duration) if duration is not None else "",
            "number": meeting.number,
            "participants": " / ".join(self.participant(person) for person in entry.participants),
            "talk_time": " / ".join(f"{name} {share}%" for _, name, share in shares)
            or self.t("history.talk_time_none"),
            "chat": "\n".join(
                f"{self.time(message.sent_at, with_date=False)} {name}: {message.text}"
                for message, name in entry.chat
            )
            or self.t("history.chat_none"),
            "recordings": " / ".join(self.recording(i + 1, r) for i, r in enumerate(entry.recordings))
            or self.t("history.recordings_none"),
            "documents": " / ".join(self._document_lines(entry)) or self.t("history.documents_none"),
        }

    def headers(self) -> list[str]:
        return [self.t(f"history.{column}") for column in COLUMNS]
