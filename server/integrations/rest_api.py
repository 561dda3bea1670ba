"""The REST API under /api/v1 for a login ID's API token: history, a meeting, recordings, documents.

``Authorization: Bearer mdn_…``. No cookie is read, so no CSRF token is needed; a read-only token
may only GET. Everything is the token's ID's own: another ID's meeting or recording is 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.auth.accounts import RepIdentity, identity_of
from server.documents.api import documents_of, upload_for
from server.errors import MendanError
from server.history.service import HistoryService, parse_search
from server.recording.api import recording_file_of
from server.services import services

from . import tokens
from .openapi import describe
from .views import meeting_json

PER_PAGE, MAX_PER_PAGE = 50, 100
# Writing last_used_at on every call would make each read a write: once a minute is enough.
USE_NOTED_EVERY = 60.0


async def token_holder(request: Request, write: bool = False) -> RepIdentity:
    """The ID whose live token the request carries; 401 without one, 403 for writes on a read token."""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    state = services(request)
    now = state.clock.now()
    async with state.database.session() as db, db.begin():
        row = await tokens.find(db, presented.strip()) if scheme.lower() == "bearer" else None
        if row is None:
            raise MendanError(ErrorCode.NOT_AUTHENTICATED)
        if write and row.scope != tokens.WRITE:
            raise MendanError(ErrorCode.NOT_ALLOWED, "this token is read-only")
        if row.last_used_at is None or row.last_used_at < now - USE_NOTED_EVERY:
            row.last_used_at = now
        identity = await identity_of(db, row.account_id)
    if identity is None:
        raise MendanError(ErrorCode.NOT_AUTHENTICATED)
    return identity


def _whole_number(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name, "")
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise MendanError(ErrorCode.BAD_REQUEST, f"{name} must be a whole number from {low} to {high}")
    return int(text)


async def list_meetings(request: Request) -> JSONResponse:
    """The ID's meetings, newest first, ``from``/``to`` dates (YYYY-MM-DD) and ``page``/``per_page``."""
    rep = await token_holder(request)
    history: HistoryService = services(request).history
    search = parse_search(request.query_params)
    page = _whole_number(request, "page", 1, 1, 1_000_000)
    per_page = _whole_number(request, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    total = await history.count(rep.account_id, search)
    entries = await history.search(rep.account_id, search, limit=per_page, offset=(page - 1) * per_page)
    return JSONResponse(
        {
            "ok": True,
            "meetings": [meeting_json(entry) for entry in entries],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )


async def get_meeting(request: Request) -> JSONResponse:
    """One meeting with its chat (the minutes the meeting keeps)."""
    rep = await token_holder(request)
    history: HistoryService = services(request).history
    entry = await history.one(rep.account_id, request.path_params["meeting_id"])
    if entry is None:
        raise MendanError(ErrorCode.NOT_FOUND)
    return JSONResponse({"ok": True, "meeting": meeting_json(entry, with_chat=True)})


async def recording_file(request: Request) -> Response:
    rep = await token_holder(request)
    return await recording_file_of(request, rep.account_id)


async def list_documents(request: Request) -> JSONResponse:
    rep = await token_holder(request)
    return await documents_of(request, rep.account_id)


async def upload_document(request: Request) -> JSONResponse:
    rep = await token_holder(request, write=True)
    return await upload_for(request, rep.account_id)


async def api_docs(request: Request) -> JSONResponse:
    return JSONResponse(describe())


routes = [
    Route("/api/v1/meetings", list_meetings, methods=["GET"]),
    Route("/api/v1/meetings/{meeting_id}", get_meeting, methods=["GET"]),
    Route("/api/v1/recordings/{recording_id}/file", recording_file, methods=["GET"]),
    Route("/api/v1/documents", list_documents, methods=["GET"]),
    Route("/api/v1/documents", upload_document, methods=["POST"]),
    Route("/api/docs", api_docs, methods=["GET"]),
]
