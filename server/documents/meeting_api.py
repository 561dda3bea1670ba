"""Files picked during a meeting by any participant (R-5.3), and the one-time links of 渡す (R-5.2).

Participants have no login: a meeting's routes take the participant's ticket in the
``X-Mendan-Ticket`` header (a header, not a cookie, so no other site can make a browser send it).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.db.models import Document
from server.documents.api import (
    SECURITY_HEADERS,
    _checked_upload,
    _receive,
    _store,
    _view,
    content_disposition,
)
from server.documents.meeting import MeetingDocuments, give_link_path, give_status_path
from server.documents.store import MAX_TITLE_CHARS
from server.errors import MendanError
from server.services import services

TICKET_HEADER = "X-Mendan-Ticket"


async def _meeting_view(request: Request, document: Document) -> dict[str, Any]:
    """The document's JSON without the plain download link: in a meeting the file goes out only
    through 渡す's one-time links (anyone shown it learns its id, and may ask for this view)."""
    view = await _view(request, document, detail=True)
    view.pop("download_url", None)
    return view


def _documents(request: Request) -> MeetingDocuments:
    documents: MeetingDocuments = services(request).meeting_documents
    return documents


async def _participant(request: Request) -> str:
    ticket = request.headers.get(TICKET_HEADER, "")
    if not ticket:
        raise MendanError(ErrorCode.INVALID_TICKET)
    participant_id, _ = await services(request).meetings.check_ticket(ticket)
    assert isinstance(participant_id, str)
    return participant_id


async def upload_meeting_document(request: Request) -> JSONResponse:
    """Multipart ``file`` (and an optional ``title``, else the file's name): shared in this meeting."""
    participant_id = await _participant(request)
    meeting_id, account_id = await _documents(request).uploader(participant_id)
    received = await _receive(request, services(request).settings.meeting_document_max_bytes)
    try:
        upload = await _checked_upload(request, received)
        title = received.fields.get("title", "").strip() or PurePath(upload.filename).stem or upload.filename
        document = await _store(request).create(
            account_id, title[:MAX_TITLE_CHARS], "", True, upload, meeting_id=meeting_id
        )
    except BaseException:
        received.discard()
        raise
    services(request).render_queue.submit(document)
    return JSONResponse({"ok": True, "document": await _meeting_view(request, document)}, status_code=201)


async def get_meeting_document(request: Request) -> JSONResponse:
    participant_id = await _participant(request)
    document = await _documents(request).meeting_document(participant_id, request.path_params["document_id"])
    return JSONResponse({"ok": True, "document": await _meeting_view(request, document)})


async def give_download(request: Request) -> Response:
    """The original file, once per link: the signature first, then the used-links record."""
    link_id = request.path_params["link_id"]
    services(request).url_signer.verify(give_link_path(link_id), request.query_params)
    document = await _documents(request).take_give_link(link_id)
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": content_disposition(document.original_filename),
        "Cache-Control": "private, no-store",
    }
    return FileResponse(
        _store(request).original_path(document), media_type=document.content_type, headers=headers
    )


async def give_status(request: Request) -> Response:
    """Whether the one-time link would still be served, without using it (see give_status_path)."""
    link_id = request.path_params["link_id"]
    services(request).url_signer.verify(give_status_path(link_id), request.query_params)
    await _documents(request).check_give_link(link_id)
    return JSONResponse({"ok": True}, headers={"Cache-Control": "private, no-store"})


routes = [
    Route("/api/meeting-documents", upload_meeting_document, methods=["POST"]),
    Route("/api/meeting-documents/{document_id}", get_meeting_document, methods=["GET"]),
    Route("/api/gives/{link_id}/download", give_download, methods=["GET"]),
    Route("/api/gives/{link_id}/status", give_status, methods=["GET"]),
]
