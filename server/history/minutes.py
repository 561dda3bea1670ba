"""商談記録 (minutes): the rep's notes of a meeting, and one page that files the whole meeting.

The page and its Markdown export hold the history's own strings (``HistoryText``: the same times,
talk-time shares, chat and documents the history list and its CSV show), plus who joined and
left when, the screen shares, the recording links and the rep's notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.clock import Clock
from server.db.database import Database
from server.db.models import Meeting, MeetingNotes, ScreenShare
from server.errors import MendanError

from .annotated_pdf import has_annotations
from .service import HistoryEntry, HistoryService, HistoryText

MAX_NOTES_LENGTH = 20000
"""Characters of notes one meeting keeps: pages of text, far below a request's size limit."""


@dataclass
class Minutes:
    """Everything the minutes page shows, as the strings it shows."""

    title: str
    facts: list[tuple[str, str]]  # (label, value): when, how long, the number
    people: list[tuple[str, str, str]]  # (who, joined, left)
    talk_time: str
    chat: list[str]
    documents: list[str]
    screen_shares: list[str]
    recordings: list[tuple[str, str]]  # (label, absolute URL or "")
    notes: str
    annotated_pdf: str = ""  # absolute URL of the pages drawn on, when any were
    headings: dict[str, str] = field(default_factory=dict)


class MeetingNotesStore:
    """The notes of meetings, written only by the rep ID that claimed the meeting."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @staticmethod
    async def _own_meeting(db: AsyncSession, account_id: int, meeting_id: str) -> Meeting:
        meeting = await db.get(Meeting, meeting_id)
        if meeting is None or meeting.account_id != account_id:
            raise MendanError(p.ErrorCode.NOT_FOUND, f"meeting {meeting_id}")
        return meeting

    async def read(self, account_id: int, meeting_id: str) -> str:
        async with self.database.session() as db:
            await self._own_meeting(db, account_id, meeting_id)
            notes = await db.get(MeetingNotes, meeting_id)
            return notes.text if notes else ""

    async def write(self, account_id: int, meeting_id: str, text: str) -> float:
        if len(text) > MAX_NOTES_LENGTH:
            raise MendanError(p.ErrorCode.BAD_REQUEST, f"notes over {MAX_NOTES_LENGTH} characters")
        now = self.clock.now()
        async with self.database.session() as db, db.begin():
            await self._own_meeting(db, account_id, meeting_id)
            notes = await db.get(MeetingNotes, meeting_id)
            if notes is None:
                db.add(MeetingNotes(meeting_id=meeting_id, text=text, updated_at=now))
            else:
                notes.text, notes.updated_at = text, now
        return now


async def screen_shares_of(database: Database, meeting_id: str) -> list[ScreenShare]:
    async with database.session() as db:
        rows = await db.scalars(
            select(ScreenShare).where(ScreenShare.meeting_id == meeting_id).order_by(ScreenShare.id)
        )
        return list(rows)


async def minutes_of(
    history: HistoryService,
    notes: MeetingNotesStore,
    text: HistoryText,
    account_id: int,
    meeting_id: str,
    base_url: str,
) -> Minutes:
    """The minutes of one of the rep ID's meetings; NOT_FOUND for anyone else's."""
    entry: HistoryEntry | None = await history.one(account_id, meeting_id)
    if entry is None:
        raise MendanError(p.ErrorCode.NOT_FOUND, f"meeting {meeting_id}")
    t = text.t
    cells = text.cells(entry)
    names = {person.id: person.display_name for person in entry.participants}
    shares = [
        t(
            "minutes.screen_share",
            name=names.get(share.participant_id, ""),
            start=text.time(share.started_at, with_date=False),
            end=text.time(share.ended_at, with_date=False) if share.ended_at else "",
        )
        for share in await screen_shares_of(history.database, meeting_id)
    ]
    return Minutes(
        title=t("minutes.title", started=cells["started"]),
        facts=[
            (t("history.started"), cells["started"]),
            (t("history.ended"), cells["ended"]),
            (t("history.duration"), cells["duration"]),
            (t("history.number"), cells["number"]),
        ],
        people=[
            (
                text.participant(person),
                text.time(person.joined_at, with_date=False),
                text.time(person.left_at, with_date=False) if person.left_at else "",
            )
            for person in entry.participants
        ],
        talk_time=cells["talk_time"],
        chat=cells["chat"].split("\n") if entry.chat else [],
        documents=text._document_lines(entry),  # the history's own words for 見せる and 渡す
        screen_shares=shares,
        recordings=[
            (text.recording(index + 1, recording), f"{base_url}/api/recordings/{recording.id}/file")
            if recording.state == "ready"
            else (text.recording(index + 1, recording), "")
            for index, recording in enumerate(entry.recordings)
        ],
        notes=await notes.read(account_id, meeting_id),
        annotated_pdf=f"{base_url}/rep/meetings/{meeting_id}/annotated.pdf"
        if await has_annotations(history.database, meeting_id)
        else "",
        headings={
            key: t(f"minutes.{key}")
            for key in ("people", "joined", "left", "talk_time", "chat", "documents", "screen_shares")
        }
        | {key: t(f"minutes.{key}") for key in ("recordings", "notes", "none", "print", "markdown")}
        | {"annotated_pdf": t("minutes.annotated_pdf")},
    )


def _markdown_text(value: str) -> str:
    """One line that Markdown shows as written: no markup, link, HTML or table cell comes of it."""
    line = value.replace("\r", " ").replace("\n", " ")
    escaped = "".join("\\" + char if char in "\\`*_[]<>|#~" else char for char in line)
    return "\\" + escaped if escaped[:1] in ("-", "+", "=") else escaped


def as_markdown(minutes: Minutes) -> str:
    """The minutes as Markdown, for pasting into a CRM."""
    h = minutes.headings
    none = h["none"]
    lines = [f"# {_markdown_text(minutes.title)}", ""]
    lines += [f"- {_markdown_text(label)}: {_markdown_text(value)}" for label, value in minutes.facts]
    lines += ["", f"## {h['people']}", ""]
    lines += [f"| {h['people']} | {h['joined']} | {h['left']} |", "| --- | --- | --- |"]
    lines += [f"| {_markdown_text(who)} | {joined} | {left} |" for who, joined, left in minutes.people]
    lines += ["", f"## {h['talk_time']}", "", _markdown_text(minutes.talk_time)]
    for key, items in (
        ("chat", minutes.chat),
        ("documents", minutes.documents),
        ("screen_shares", minutes.screen_shares),
    ):
        lines += ["", f"## {h[key]}", ""]
        lines += [f"- {_markdown_text(item)}" for item in items] or [none]
    if minutes.annotated_pdf:
        lines += ["", f"[{_markdown_text(h['annotated_pdf'])}](<{minutes.annotated_pdf}>)"]
    lines += ["", f"## {h['recordings']}", ""]
    lines += [
        f"- [{_markdown_text(label)}](<{url}>)" if url else f"- {_markdown_text(label)}"
        for label, url in minutes.recordings
    ] or [none]
    lines += ["", f"## {h['notes']}", ""]
    # The notes keep their lines; each is escaped so nothing the rep typed becomes markup or a link.
    lines += [_markdown_text(line) + "  " for line in minutes.notes.splitlines()] or [none]
    return "\n".join(lines) + "\n"
