"""Documents in a meeting: 見せる (show, page turns, pointer), 渡す (one-time download offers), R-5.

Who may use which document: the host may show or give the documents of the rep ID that claimed
the meeting (giving needs 「ファイルを共有する」 on); anyone in the meeting may show or give a file
picked during this meeting (R-5.3). Every show, page and give is kept with the meeting (R-5.4):
``server/documents/history.py`` reads it back.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from protocol import signaling as p
from server import rate_limit
from server.clock import Clock
from server.db.database import Database
from server.db.models import (
    Document,
    DocumentGive,
    DocumentGiveLink,
    DocumentPageView,
    DocumentShow,
    Meeting,
    Participant,
)
from server.documents import views
from server.documents.shows import open_show
from server.documents.signed_url import UrlSigner
from server.documents.store import DocumentStore, RenderState
from server.errors import MendanError
from server.integrations import outbox
from server.meeting.delivery import Delivery
from server.meeting.membership import active_member
from server.meeting.presence import Presence
from server.settings import Settings

log = logging.getLogger(__name__)


def give_link_path(link_id: str) -> str:
    return f"/api/gives/{link_id}/download"


def give_status_path(link_id: str) -> str:
    """Asked before downloading, so a refusal shows as a message and the download itself can be
    the browser's own (progress, large files, phones) without leaving the room on an error."""
    return f"/api/gives/{link_id}/status"


@dataclass(frozen=True)
class GiveResult:
    """What the giver is told and what goes to each recipient."""

    give_id: str
    recipients: int
    expires_at: float
    deliveries: list[Delivery]


class MeetingDocuments:
    """Shows and gives documents inside meetings; each change in one transaction."""

    def __init__(
        self,
        database: Database,
        store: DocumentStore,
        signer: UrlSigner,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.database = database
        self.store = store
        self.signer = signer
        self.settings = settings
        self.clock = clock

    # ---- who and what --------------------------------------------------------------------------

    async def uploader(self, participant_id: str) -> tuple[str, int]:
        """(meeting id, rep ID's account) for a file a participant picks during a running meeting.

        Counted per meeting: the files land in the rep's storage, so a page picking files in a loop
        is refused with RATE_LIMITED (and a message) before it can fill the disk."""
        async with self.database.session() as db, db.begin():
            _, meeting = await active_member(db, participant_id)
            if meeting.account_id is None:  # never in an active meeting: the rep's claim sets it
                raise MendanError(p.ErrorCode.MEETING_ENDED)
            await rate_limit.take(
                db, "meeting_upload", meeting.id, self.clock.now(), self.settings.meeting_upload_limit
            )
            return meeting.id, meeting.account_id

    async def meeting_document(self, participant_id: str, document_id: str) -> Document:
        """A file shared in the participant's meeting; NOT_FOUND for anything else."""
        async with self.database.session() as db:
            _, meeting = await active_member(db, participant_id)
            document = await db.get(Document, document_id)
            if document is None or document.meeting_id != meeting.id:
                raise MendanError(p.ErrorCode.NOT_FOUND, f"document {document_id}")
            return document

    async def _usable(
        self, db: AsyncSession, who: Participant, meeting: Meeting, document_id: str
    ) -> Document:
        document = await db.get(Document, document_id)
        if document is None:
            raise MendanError(p.ErrorCode.NOT_FOUND, f"document {document_id}")
        if document.meeting_id is not None:
            if document.meeting_id == meeting.id:
                return document
        elif who.role == p.Role.HOST and document.account_id == meeting.account_id:
            return document
        raise MendanError(p.ErrorCode.NOT_FOUND, f"document {document_id} not usable here")

    async def _shown(self, document: Document, show: DocumentShow) -> p.ShownDocument:
        sizes = await asyncio.to_thread(views.read_page_sizes, self.store, document)
        size = sizes[show.page - 1] if show.page <= len(sizes) else {"width": 0, "height": 0}
        return p.ShownDocument(
            show_id=show.id,
            document_id=document.id,
            title=show.title,
            presenter=show.participant_id,
            page=show.page,
            page_count=document.page_count,
            url=views.page_url(self.signer, document, show.page, self.settings.document_url_ttl),
            width=size["width"],
            height=size["height"],
        )

    @staticmethod
    async def _end_page(db: AsyncSession, show_id: int, now: float) -> None:
        await db.execute(
            update(DocumentPageView)
            .where(DocumentPageView.show_id == show_id, DocumentPageView.ended_at.is_(None))
            .values(ended_at=now)
        )

    async def _end_show(self, db: AsyncSession, show: DocumentShow, now: float) -> None:
        show.ended_at = now
        await self._end_page(db, show.id, now)

    # ---- 見せる ----------------------------------------------------------------------------------

    async def show(self, participant_id: str, document_id: str, page: int) -> list[Delivery]:
        now = self.clock.now()
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            document = await self._usable(db, who, meeting, document_id)
            if document.render_state != RenderState.READY:
                raise MendanError(p.ErrorCode.DOCUMENT_NOT_READY)
            if page > document.page_count:
                raise MendanError(p.ErrorCode.BAD_REQUEST, f"page {page} of {document.page_count}")
            previous = await open_show(db, meeting.id)
            if previous is not None:  # one document at a time: showing another replaces it
                await self._end_show(db, previous, now)
            show = DocumentShow(
                meeting_id=meeting.id,
                document_id=document.id,
                title=document.title,
                participant_id=who.id,
                page=page,
                started_at=now,
            )
            db.add(show)
            await db.flush()
            db.add(DocumentPageView(show_id=show.id, page=page, started_at=now))
            shown = await self._shown(document, show)
        log.info("document shown", extra={"meeting": meeting.id})
        return [Delivery(meeting.id, p.DocumentShown(document=shown))]

    async def turn(self, participant_id: str, page: int) -> list[Delivery]:
        now = self.clock.now()
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            show = await open_show(db, meeting.id)
            if show is None or show.participant_id != who.id:
                raise MendanError(p.ErrorCode.NOT_PRESENTING)
            document = await db.get(Document, show.document_id)
            if document is None or document.render_state != RenderState.READY:
                raise MendanError(p.ErrorCode.NOT_FOUND, "shown document gone")
            if page > document.page_count:
                raise MendanError(p.ErrorCode.BAD_REQUEST, f"page {page} of {document.page_count}")
            if page != show.page:
                await self._end_page(db, show.id, now)
                db.add(DocumentPageView(show_id=show.id, page=page, started_at=now))
                show.page = page
            shown = await self._shown(document, show)
        return [Delivery(meeting.id, p.DocumentShown(document=shown))]

    async def close(self, participant_id: str) -> list[Delivery]:
        """The presenter, or the host (the rep can close what a customer shows), closes it."""
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            show = await open_show(db, meeting.id)
            if show is None or (show.participant_id != who.id and who.role != p.Role.HOST):
                raise MendanError(p.ErrorCode.NOT_PRESENTING)
            await self._end_show(db, show, self.clock.now())
            return [Delivery(meeting.id, p.DocumentClosed(show_id=show.id))]

    async def presenting_meeting(self, participant_id: str) -> str:
        """The meeting in which this participant shows a document now (the pointer is theirs)."""
        async with self.database.session() as db:
            who, meeting = await active_member(db, participant_id)
            show = await open_show(db, meeting.id)
            if show is None or show.participant_id != who.id:
                raise MendanError(p.ErrorCode.NOT_PRESENTING)
            return meeting.id

    async def current(self, meeting_id: str) -> p.ShownDocument | None:
        """What a participant joining now must see (snapshot in ``joined``)."""
        async with self.database.session() as db:
            show = await open_show(db, meeting_id)
            document = await db.get(Document, show.document_id) if show else None
            if show is None or document is None or document.render_state != RenderState.READY:
                return None
            return await self._shown(document, show)

    # ---- 渡す ------------------------------------------------------------------------------------

    async def give(self, participant_id: str, document_id: str) -> GiveResult:
        now = self.clock.now()
        ttl = self.settings.give_ttl
        async with self.database.session() as db, db.begin():
            who, meeting = await active_member(db, participant_id)
            document = await self._usable(db, who, meeting, document_id)
            if document.meeting_id is None and not document.shareable:
                raise MendanError(p.ErrorCode.DOCUMENT_NOT_SHAREABLE)
            others = list(
                await db.scalars(
                    select(Participant).where(
                        Participant.meeting_id == meeting.id,
                        Participant.presence != Presence.LEFT,
                        Participant.id != who.id,
                    )
                )
            )
            give = DocumentGive(
                id=secrets.token_hex(16),
                meeting_id=meeting.id,
                document_id=document.id,
                title=document.title,
                filename=document.original_filename,
                participant_id=who.id,
                given_at=now,
                expires_at=now + ttl,
            )
            db.add(give)
            await db.flush()
            await outbox.document_given(db, give, who, now)
            deliveries = []
            for other in others:
                link = DocumentGiveLink(id=secrets.token_hex(16), give_id=give.id, participant_id=other.id)
                db.add(link)
                offer = self._offer(give, link.id, document.size, ttl)
                deliveries.append(Delivery(meeting.id, offer, to=other.id))
        log.info("document given", extra={"meeting": meeting.id})
        return GiveResult(give.id, len(others), give.expires_at, deliveries)

    def _offer(self, give: DocumentGive, link_id: str, size: int, ttl: float) -> p.DocumentOffered:
        return p.DocumentOffered(
            give_id=give.id,
            giver=give.participant_id,
            title=give.title,
            filename=give.filename,
            size=size,
            url=self.signer.sign(give_link_path(link_id), ttl),
            status_url=self.signer.sign(give_status_path(link_id), ttl),
            expires_at=give.expires_at,
            ttl=ttl,
        )

    async def open_offers(self, participant_id: str) -> list[p.DocumentOffered]:
        """Offers to this participant still open: a page that re-joins gets them again."""
        now = self.clock.now()
        async with self.database.session() as db:
            rows = (
                await db.execute(
                    select(DocumentGive, DocumentGiveLink.id, Document.size)
                    .join(DocumentGiveLink, DocumentGiveLink.give_id == DocumentGive.id)
                    .join(Document, Document.id == DocumentGive.document_id)
                    .where(
                        DocumentGiveLink.participant_id == participant_id,
                        DocumentGiveLink.used_at.is_(None),
                        DocumentGive.expires_at > now,
                    )
                    .order_by(DocumentGive.given_at)
                )
            ).all()
        return [self._offer(give, link_id, size, give.expires_at - now) for give, link_id, size in rows]

    async def check_give_link(self, link_id: str) -> None:
        """Raises what ``take_give_link`` would refuse with, without using the link."""
        async with self.database.session() as db:
            await self._usable_give(db, link_id)

    async def take_give_link(self, link_id: str) -> Document:
        """The document behind a one-time link, marking the link used; a second use is refused."""
        async with self.database.session() as db, db.begin():
            give = await self._usable_give(db, link_id)
            # The condition in the UPDATE makes the link single-use even under concurrent requests.
            taken = await db.execute(
                update(DocumentGiveLink)
                .where(DocumentGiveLink.id == link_id, DocumentGiveLink.used_at.is_(None))
                .values(used_at=self.clock.now())
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise MendanError(p.ErrorCode.LINK_USED)
            document = await db.get(Document, give.document_id)
            if document is None:
                raise MendanError(p.ErrorCode.NOT_FOUND, "given document was deleted")
            return document

    async def _usable_give(self, db: AsyncSession, link_id: str) -> DocumentGive:
        link = await db.get(DocumentGiveLink, link_id)
        give = await db.get(DocumentGive, link.give_id) if link else None
        if link is None or give is None:
            raise MendanError(p.ErrorCode.LINK_INVALID, "no such give link")
        if give.expires_at < self.clock.now():
            raise MendanError(p.ErrorCode.GIVE_EXPIRED)
        if link.used_at is not None:
            raise MendanError(p.ErrorCode.LINK_USED)
        return give
