"""The document library's records and files: one folder per document revision, rows in ``documents``.

Layout under ``<data dir>/documents``::

    incoming/<instance>/<random>.part           uploads while they stream in, per server instance
    <account id>/<document id>/r<revision>/
        original.<kind>                         the file as uploaded (name generated, never the user's)
        render/                                 pages, thumbs, pages.json (see render.py)

Every lookup by a rep goes through the rep's account id, so one ID never sees another's documents.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from protocol.signaling import ErrorCode
from server.db.database import Database
from server.db.models import Account, Document
from server.documents.filetypes import FileType
from server.documents.render import RenderFailure
from server.errors import MendanError

log = logging.getLogger(__name__)

MAX_TITLE_CHARS = 200
MAX_FILENAME_CHARS = 255


class RenderState(enum.StrEnum):
    """How far a document revision is on its way to showable page images."""

    PENDING = "pending"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


# Replacing a file starts over from PENDING whatever the state; the rest only moves forward.
TRANSITIONS: dict[RenderState, set[RenderState]] = {
    RenderState.PENDING: {RenderState.RENDERING, RenderState.FAILED},
    RenderState.RENDERING: {RenderState.READY, RenderState.FAILED, RenderState.PENDING},
    RenderState.READY: set(),
    RenderState.FAILED: set(),
}


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file on disk in the incoming folder, already checked, with its digest."""

    path: Path
    filename: str
    size: int
    sha256: str
    file_type: FileType


def clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise MendanError(ErrorCode.DOCUMENT_TITLE_REQUIRED)
    if len(title) > MAX_TITLE_CHARS:
        raise MendanError(ErrorCode.DOCUMENT_TITLE_TOO_LONG, values={"max_chars": MAX_TITLE_CHARS})
    return title


def clean_filename(filename: str) -> str:
    """The name to offer on download: base name only, no control characters, bounded length."""
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        name = (
            stem[: MAX_FILENAME_CHARS - len(suffix) - 1] + dot + suffix if dot else name[:MAX_FILENAME_CHARS]
        )
    return name or "document"


class DocumentStore:
    """Documents of each rep ID: create, read, edit, replace, delete, and their render state."""

    def __init__(
        self, database: Database, data_dir: Path, now: Callable[[], float], instance_id: str = "local"
    ) -> None:
        self.database = database
        self.root = data_dir / "documents"
        # Per instance: instances sharing one data folder must not clear each other's uploads.
        self.incoming = self.root / "incoming" / instance_id
        self.now = now
        self.incoming.mkdir(parents=True, exist_ok=True)

    # ---- paths -------------------------------------------------------------------------------

    def revision_dir(self, document: Document) -> Path:
        return self.root / str(document.account_id) / document.id / f"r{document.revision}"

    def original_path(self, document: Document) -> Path:
        return self.revision_dir(document) / f"original.{document.kind}"

    def render_dir(self, document: Document) -> Path:
        return self.revision_dir(document) / "render"

    def page_path(self, document: Document, number: int, thumb: bool = False) -> Path:
        """The JPEG of page ``number`` (from 1); NOT_FOUND unless rendered and in range."""
        if document.render_state != RenderState.READY or not 1 <= number <= document.page_count:
            raise MendanError(ErrorCode.NOT_FOUND, f"page {number} of {document.id}")
        return self.render_dir(document) / ("thumbs" if thumb else "pages") / f"{number}.jpg"

    def new_incoming_path(self) -> Path:
        return self.incoming / f"{secrets.token_hex(16)}.part"

    async def clear_incoming(self) -> None:
        """Drop half-received uploads a stopped server left behind; call before serving."""
        await _remove_tree(self.incoming)
        self.incoming.mkdir(parents=True, exist_ok=True)

    # ---- reading -----------------------------------------------------------------------------

    async def list_for(self, account_id: int) -> list[Document]:
        async with self.database.session() as db:
            rows = await db.scalars(
                select(Document)
                .where(Document.account_id == account_id, Document.meeting_id.is_(None))
                .order_by(Document.created_at.desc(), Document.id)
            )
            return list(rows)

    async def get(self, account_id: int, document_id: str) -> Document:
        """The rep ID's library document; NOT_FOUND for another ID's, so their existence is not revealed.

        A file shared during a meeting is not in the library (``meeting_documents`` reaches those).
        """
        document = await self.find(document_id)
        if document is None or document.account_id != account_id or document.meeting_id is not None:
            raise MendanError(ErrorCode.NOT_FOUND, f"document {document_id}")
        return document

    async def find(self, document_id: str) -> Document | None:
        """Any ID's document: only for requests already authorised some other way (a signed link)."""
        async with self.database.session() as db:
            return await db.get(Document, document_id)

    async def contract_of(self, document: Document) -> int:
        """The contract whose rep ID owns the document (render workers are shared per contract)."""
        async with self.database.session() as db:
            contract = await db.scalar(select(Account.contract_id).where(Account.id == document.account_id))
            return int(contract or 0)

    async def unfinished(self) -> list[Document]:
        """Documents whose rendering was cut short, e.g. by a restart."""
        async with self.database.session() as db:
            rows = await db.scalars(
                select(Document).where(
                    Document.render_state.in_([RenderState.PENDING, RenderState.RENDERING])
                )
            )
            return list(rows)

    # ---- writing -----------------------------------------------------------------------------

    async def create(
        self,
        account_id: int,
        title: str,
        memo: str,
        shareable: bool,
        upload: StoredUpload,
        meeting_id: str | None = None,
    ) -> Document:
        """A new document; with ``meeting_id`` a file shared in that meeting, outside the library."""
        now = self.now()
        document = Document(
            id=secrets.token_hex(16),
            account_id=account_id,
            title=clean_title(title),
            memo=memo,
            shareable=shareable,
            revision=1,
            page_count=0,
            render_state=RenderState.PENDING,
            created_at=now,
            updated_at=now,
            meeting_id=meeting_id,
        )
        _describe_file(document, upload)
        await self._move_in(document, upload)
        try:
            async with self.database.session() as db, db.begin():
                db.add(document)
        except BaseException:
            await _remove_tree(self.root / str(account_id) / document.id)
            raise
        log.info(
            "document %s created for account %s (%s, %d bytes)",
            document.id,
            account_id,
            document.kind,
            upload.size,
        )
        return document

    async def update(
        self,
        account_id: int,
        document_id: str,
        *,
        title: str | None = None,
        memo: str | None = None,
        shareable: bool | None = None,
    ) -> Document:
        async with self.database.session() as db, db.begin():
            document = await self._owned(db, account_id, document_id)
            if title is not None:
                document.title = clean_title(title)
            if memo is not None:
                document.memo = memo
            if shareable is not None:
                document.shareable = shareable
            document.updated_at = self.now()
        return document

    async def replace_file(self, account_id: int, document_id: str, upload: StoredUpload) -> Document:
        """A new revision with the new file; the old revision's files and links go away."""
        async with self.database.session() as db, db.begin():
            document = await self._owned(db, account_id, document_id)
            old_dir = self.revision_dir(document)
            document.revision += 1
            _describe_file(document, upload)
            document.page_count = 0
            document.render_failure = None
            document.rendered_at = None
            document.updated_at = self.now()
            log.info(
                "document %s render state %s -> pending (file replaced)", document.id, document.render_state
            )
            document.render_state = RenderState.PENDING
            await self._move_in(document, upload)
        await _remove_tree(old_dir)
        return document

    async def delete(self, account_id: int, document_id: str) -> None:
        async with self.database.session() as db, db.begin():
            document = await self._owned(db, account_id, document_id)
            await db.delete(document)
        await _remove_tree(self.root / str(account_id) / document_id)
        log.info("document %s deleted", document_id)

    async def transition(
        self,
        document_id: str,
        revision: int,
        new: RenderState,
        *,
        page_count: int = 0,
        failure: RenderFailure | None = None,
    ) -> bool:
        """Move one revision's render state; False when the document or revision is gone or no move."""
        async with self.database.session() as db, db.begin():
            document = await db.get(Document, document_id)
            if document is None or document.revision != revision:
                return False
            old = RenderState(document.render_state)
            if new not in TRANSITIONS[old]:
                return False
            log.info("document %s r%d render state %s -> %s", document_id, revision, old, new)
            document.render_state = new
            document.render_failure = failure.value if failure else None
            if new is RenderState.READY:
                document.page_count = page_count
            if new in (RenderState.READY, RenderState.FAILED):
                document.rendered_at = self.now()
            return True

    async def _owned(self, db: AsyncSession, account_id: int, document_id: str) -> Document:
        document = await db.get(Document, document_id, with_for_update=True)
        if document is None or document.account_id != account_id or document.meeting_id is not None:
            raise MendanError(ErrorCode.NOT_FOUND, f"document {document_id}")
        return document

    async def _move_in(self, document: Document, upload: StoredUpload) -> None:
        target = self.original_path(document)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(upload.path, target)  # same file system: a rename, never a copy

        await anyio.to_thread.run_sync(move)


def _describe_file(document: Document, upload: StoredUpload) -> None:
    document.original_filename = clean_filename(upload.filename)
    document.kind = upload.file_type.kind.value
    document.content_type = upload.file_type.content_type
    document.encrypted = upload.file_type.encrypted
    document.size = upload.size
    document.sha256 = upload.sha256


async def _remove_tree(path: Path) -> None:
    await anyio.to_thread.run_sync(lambda: shutil.rmtree(path, ignore_errors=True))
