"""RecordingStore: chunks in, quota kept, recordings finished, listed and deleted — per rep ID.

Quota: each ID has one ``storage_usage`` row. Every change of it is a single UPDATE, and adding a
chunk is a *conditional* one (``used + n <= quota``), after the row's write lock was taken, so two
reps of one ID recording at once can never pass the quota together. A chunk that does not fit is
refused whole; what was stored before stays as it was and is finished into a playable file.

Files: ``<data>/recordings/<id>/chunks/<seq>.webm`` while recording, then ``<id>/recording.webm``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server.db.database import Database
from server.db.models import Meeting, Recording, RecordingChunk, StorageUsage
from server.errors import MendanError
from server.integrations import outbox
from server.meeting.delivery import Delivery
from server.meeting.tickets import new_id
from server.settings import Settings

from .remux import concatenate, remux

log = logging.getLogger(__name__)

RECORDING, FINALISING, READY, FAILED = "recording", "finalising", "ready", "failed"
# Held of the quota from start to finish: the finished file has cues and a duration the chunks lack.
FINISH_RESERVE = 256 * 1024
# After the meeting ended, chunks still in flight from the rep's browser get this long to arrive.
END_SETTLE_SECONDS = 10.0
MAX_SEQ = 100_000
WARN_SHARE = 0.9


@dataclass(frozen=True)
class Usage:
    """How much of its recording storage an ID uses."""

    used: int
    quota: int

    @property
    def warn(self) -> bool:
        return self.used >= self.quota * WARN_SHARE

    def view(self) -> dict[str, object]:
        return {
            "used": self.used,
            "quota": self.quota,
            "text": f"{format_bytes(self.used)} / {format_bytes(self.quota)}",
            "warn": self.warn,
            "full": self.used + FINISH_RESERVE >= self.quota,
        }


def format_bytes(size: int) -> str:
    """12.3 MB, 5 GB: decimal units, as storage is sold."""
    if size >= 1000**3:
        return f"{size / 1000**3:.1f}".removesuffix(".0") + " GB"
    return f"{size / 1000**2:.1f} MB"


class RecordingStore:
    """Creates recordings, takes their chunks, finishes them into seekable WebM, deletes them."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        now: Callable[[], float],
        publish: Callable[[list[Delivery]], Awaitable[None]],
    ) -> None:
        self.publish = publish  # tells the meeting's participants when recording starts and stops
        self.database = database
        self.settings = settings
        self.now = now
        self.root = settings.data_dir / "recordings"
        self._finishing: set[asyncio.Task[None]] = set()

    # ---- paths ----------------------------------------------------------------------------------

    def folder(self, recording_id: str) -> Path:
        return self.root / recording_id

    def chunk_path(self, recording_id: str, seq: int) -> Path:
        return self.folder(recording_id) / "chunks" / f"{seq:06d}.webm"

    def file_path(self, recording_id: str) -> Path:
        return self.folder(recording_id) / "recording.webm"

    # ---- quota ----------------------------------------------------------------------------------

    async def _lock_usage(self, db: AsyncSession, account_id: int) -> None:
        """Take the usage row's write lock first (SQLite: the database's), creating the row once."""
        locked = await db.execute(
            update(StorageUsage)
            .where(StorageUsage.account_id == account_id)
            .values(used_bytes=StorageUsage.used_bytes)
        )
        if locked.rowcount == 1:  # type: ignore[attr-defined]
            return
        try:
            async with db.begin_nested():
                db.add(StorageUsage(account_id=account_id, used_bytes=0))
        except IntegrityError:  # another request made it at the same moment
            pass
        await db.execute(
            update(StorageUsage)
            .where(StorageUsage.account_id == account_id)
            .values(used_bytes=StorageUsage.used_bytes)
        )

    async def _take(self, db: AsyncSession, account_id: int, size: int) -> bool:
        """Add ``size`` bytes to the ID's usage if they fit under the quota; False if not."""
        taken = await db.execute(
            update(StorageUsage)
            .where(
                StorageUsage.account_id == account_id,
                StorageUsage.used_bytes + size <= self.settings.recording_quota_bytes,
            )
            .values(used_bytes=StorageUsage.used_bytes + size)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]

    async def _give_back(self, db: AsyncSession, account_id: int, size: int) -> None:
        await db.execute(
            update(StorageUsage)
            .where(StorageUsage.account_id == account_id)
            .values(used_bytes=func.max(StorageUsage.used_bytes - size, 0))
            if self.database.engine.dialect.name == "sqlite"
            else update(StorageUsage)
            .where(StorageUsage.account_id == account_id)
            .values(used_bytes=func.greatest(StorageUsage.used_bytes - size, 0))
        )

    async def usage(self, account_id: int) -> Usage:
        async with self.database.session() as db:
            used = await db.scalar(
                select(StorageUsage.used_bytes).where(StorageUsage.account_id == account_id)
            )
        return Usage(used=int(used or 0), quota=self.settings.recording_quota_bytes)

    # ---- recording ------------------------------------------------------------------------------

    async def start(self, account_id: int, meeting_id: str) -> Recording:
        """A new recording of the rep's running meeting, if the rep answered YES and space is left."""
        now = self.now()
        async with self.database.session() as db, db.begin():
            await self._lock_usage(db, account_id)
            meeting = await db.get(Meeting, meeting_id)
            if meeting is None or meeting.account_id != account_id:
                raise MendanError(p.ErrorCode.NOT_FOUND)
            if not meeting.recording:
                raise MendanError(p.ErrorCode.RECORDING_NOT_ALLOWED)
            if meeting.state != p.MeetingState.ACTIVE:
                raise MendanError(p.ErrorCode.MEETING_ENDED)
            if not await self._take(db, account_id, FINISH_RESERVE):
                raise MendanError(p.ErrorCode.RECORDING_QUOTA_EXCEEDED)
            recording = Recording(
                id=new_id(),
                meeting_id=meeting_id,
                account_id=account_id,
                state=RECORDING,
                started_at=now,
                last_chunk_at=now,
                size=FINISH_RESERVE,
                stop_reason="",
                mime_type="video/webm",
            )
            db.add(recording)
        await self.publish([Delivery(meeting_id, p.RecordingUpdated(active=True))])
        log.info("recording started", extra={"recording": recording.id, "meeting": meeting_id})
        return recording

    async def _owned(self, db: AsyncSession, account_id: int, recording_id: str) -> Recording:
        recording = await db.get(Recording, recording_id)
        if recording is None or recording.account_id != account_id:
            raise MendanError(p.ErrorCode.NOT_FOUND)
        return recording

    async def put_chunk(self, account_id: int, recording_id: str, seq: int, data: bytes) -> bool:
        """Store chunk ``seq``; False when it was stored before (a replay changes nothing)."""
        if not 0 <= seq <= MAX_SEQ or not data:
            raise MendanError(p.ErrorCode.BAD_REQUEST, "bad sequence number or empty chunk")
        now = self.now()
        path = self.chunk_path(recording_id, seq)
        try:
            async with self.database.session() as db, db.begin():
                await self._lock_usage(db, account_id)
                recording = await self._owned(db, account_id, recording_id)
                if await db.get(RecordingChunk, (recording_id, seq)) is not None:
                    return False
                too_late = now - recording.started_at > self.settings.recording_max_seconds + 60
                if recording.state != RECORDING or too_late:
                    raise MendanError(p.ErrorCode.RECORDING_CLOSED)
                if not await self._take(db, account_id, len(data)):
                    raise MendanError(p.ErrorCode.RECORDING_QUOTA_EXCEEDED)
                recording.size += len(data)
                recording.last_chunk_at = now
                db.add(RecordingChunk(recording_id=recording_id, seq=seq, size=len(data), received_at=now))
                await db.flush()
                # Written before the commit: a chunk row always has its whole file.
                await asyncio.to_thread(_write_atomically, path, data)
        except IntegrityError:
            return False  # the same chunk raced in twice; the other one is stored
        return True

    async def received(self, account_id: int, recording_id: str) -> tuple[Recording, list[int]]:
        """The recording and the sequence numbers the server holds (a resuming writer skips those)."""
        async with self.database.session() as db:
            recording = await self._owned(db, account_id, recording_id)
            seqs = await db.scalars(
                select(RecordingChunk.seq)
                .where(RecordingChunk.recording_id == recording_id)
                .order_by(RecordingChunk.seq)
            )
            return recording, list(seqs)

    async def finish(self, account_id: int, recording_id: str, chunks: int, reason: str) -> Recording:
        """The writer says it sent ``chunks`` chunks (0..chunks-1); finished once all are in."""
        async with self.database.session() as db, db.begin():
            recording = await self._owned(db, account_id, recording_id)
            if recording.state == RECORDING:
                recording.expected_chunks = max(0, min(chunks, MAX_SEQ + 1))
                recording.stop_reason = reason[:32]
        await self.finish_due()
        async with self.database.session() as db:
            return await self._owned(db, account_id, recording_id)

    # ---- finishing ------------------------------------------------------------------------------

    async def finish_due(self) -> None:
        """Start finishing every recording that is complete, abandoned, or of an ended meeting."""
        now = self.now()
        async with self.database.session() as db:
            received = (
                select(func.count())
                .where(RecordingChunk.recording_id == Recording.id)
                .correlate(Recording)
                .scalar_subquery()
            )
            due = await db.scalars(
                select(Recording.id)
                .join(Meeting, Meeting.id == Recording.meeting_id)
                .where(Recording.state == RECORDING)
                .where(
                    (Recording.expected_chunks.is_not(None) & (received >= Recording.expected_chunks))
                    | (Recording.last_chunk_at <= now - self.settings.recording_idle_timeout)
                    | (
                        (Meeting.state == p.MeetingState.ENDED)
                        & (Recording.last_chunk_at <= now - END_SETTLE_SECONDS)
                    )
                )
            )
            ids = list(due)
        for recording_id in ids:
            task = asyncio.create_task(self.finalise(recording_id))
            self._finishing.add(task)
            task.add_done_callback(self._finishing.discard)

    async def finalise(self, recording_id: str) -> None:
        """Turn the received chunks (the unbroken run from 0) into one seekable WebM file."""
        async with self.database.session() as db, db.begin():
            claimed = await db.execute(
                update(Recording)
                .where(Recording.id == recording_id, Recording.state == RECORDING)
                .values(state=FINALISING)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return  # someone else is finishing it
            meeting_id = await db.scalar(select(Recording.meeting_id).where(Recording.id == recording_id))
            seqs = list(
                await db.scalars(
                    select(RecordingChunk.seq)
                    .where(RecordingChunk.recording_id == recording_id)
                    .order_by(RecordingChunk.seq)
                )
            )
        run = 0
        while run < len(seqs) and seqs[run] == run:
            run += 1
        if run < len(seqs):
            log.warning("recording %s: chunk %d never arrived; later chunks are left out", recording_id, run)
        try:
            result = await asyncio.to_thread(self._build, recording_id, run)
        except Exception:
            log.exception("recording %s could not be finished", recording_id)
            result = None
        async with self.database.session() as db, db.begin():
            recording = await db.get(Recording, recording_id)
            assert recording is not None
            await self._lock_usage(db, recording.account_id)
            final_size = result[0] if result else 0
            # Usage follows the file: down by the reserve and dropped chunks, up by the cues.
            await self._give_back(db, recording.account_id, recording.size - final_size)
            recording.size = final_size
            recording.duration = result[1] if result else None
            recording.state = READY if result else FAILED
            recording.finished_at = self.now()
            await db.execute(delete(RecordingChunk).where(RecordingChunk.recording_id == recording_id))
            if result:
                await outbox.recording_ready(db, recording, self.now())
        await asyncio.to_thread(shutil.rmtree, self.folder(recording_id) / "chunks", True)
        if meeting_id is not None:
            await self.publish([Delivery(meeting_id, p.RecordingUpdated(active=False))])
        log.info(
            "recording finished",
            extra={"recording": recording_id, "state": READY if result else FAILED},
        )

    def _build(self, recording_id: str, chunks: int) -> tuple[int, float] | None:
        if chunks == 0:
            return None
        folder = self.folder(recording_id)
        assembled = folder / "assembled.webm"
        target = folder / "recording.webm.part"
        try:
            concatenate((self.chunk_path(recording_id, seq) for seq in range(chunks)), assembled)
            result = remux(assembled, target)
            if result.packets == 0:
                return None
            os.replace(target, self.file_path(recording_id))
            return result.size, result.duration
        finally:
            assembled.unlink(missing_ok=True)
            target.unlink(missing_ok=True)

    async def active_in(self, meeting_id: str) -> bool | None:
        """Whether a recording of the meeting is being made now; None if none was ever started."""
        async with self.database.session() as db:
            states = set(await db.scalars(select(Recording.state).where(Recording.meeting_id == meeting_id)))
        return RECORDING in states if states else None

    async def resume_after_restart(self) -> None:
        """A finish cut short by a restart is done again from the chunks, which are still there."""
        async with self.database.session() as db, db.begin():
            await db.execute(update(Recording).where(Recording.state == FINALISING).values(state=RECORDING))

    async def finishes_done(self) -> None:
        """Until every finish started so far has ended (at shut-down; tests that moved the clock)."""
        for task in list(self._finishing):
            with contextlib.suppress(BaseException):
                await task

    async def close(self) -> None:
        await self.finishes_done()

    # ---- listing and deleting -------------------------------------------------------------------

    async def get(self, account_id: int, recording_id: str) -> Recording:
        async with self.database.session() as db:
            return await self._owned(db, account_id, recording_id)

    async def delete(self, account_id: int, recording_id: str) -> None:
        """Delete a stored recording and give its bytes back to the ID's quota."""
        async with self.database.session() as db, db.begin():
            await self._lock_usage(db, account_id)
            recording = await self._owned(db, account_id, recording_id)
            if recording.state in (RECORDING, FINALISING):
                raise MendanError(p.ErrorCode.NOT_ALLOWED, "the recording is still being made")
            await self._give_back(db, account_id, recording.size)
            await db.delete(recording)
        await asyncio.to_thread(shutil.rmtree, self.folder(recording_id), True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    part.write_bytes(data)
    os.replace(part, path)
