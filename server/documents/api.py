"""The document library's HTTP API: a rep's list, upload, edit, replace, delete; signed pages and downloads.

Rep routes need the login cookie, and those that change something the ``X-CSRF-Token`` header
(checked before an upload body is read). Page images and downloads need no login, only a valid
signed link (``views.page_url`` / ``views.download_url``), so meeting participants can open them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.db.models import Document
from server.documents import views
from server.documents.filetypes import check_file
from server.documents.render_queue import max_pages_for
from server.documents.store import DocumentStore, StoredUpload, clean_title
from server.documents.upload import MAX_FIELDS_BYTES, Received, receive_form
from server.errors import MendanError
from server.services import services
from server.web_context import language, require_csrf, require_rep

TRUE_WORDS = {"1", "true", "on", "yes"}
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}


def _store(request: Request) -> DocumentStore:
    store: DocumentStore = services(request).document_store
    return store


async def _view(request: Request, document: Document, detail: bool = False) -> dict[str, Any]:
    state = services(request)
    sizes = await asyncio.to_thread(views.read_page_sizes, _store(request), document) if detail else None
    return views.document_view(
        document,
        state.url_signer,
        state.settings.document_url_ttl,
        language(request),
        max_pages_for(document, state.settings),
        sizes,
    )


async def _checked_upload(request: Request, received: Received) -> StoredUpload:
    file = received.file
    if file is None or not file.filename or file.size == 0:
        raise MendanError(ErrorCode.DOCUMENT_FILE_REQUIRED)
    file_type = await asyncio.to_thread(check_file, file.path, file.filename)
    return StoredUpload(file.path, file.filename, file.size, file.sha256, file_type)


async def _receive(request: Request, max_bytes: int | None = None) -> Received:
    settings = services(request).settings
    limit = settings.document_max_bytes if max_bytes is None else min(max_bytes, settings.document_max_bytes)
    return await receive_form(request, _store(request).new_incoming_path(), limit)


async def list_documents(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    return await documents_of(request, rep.account_id)


async def documents_of(request: Request, account_id: int) -> JSONResponse:
    documents = await _store(request).list_for(account_id)
    return JSONResponse({"ok": True, "documents": [await _view(request, d) for d in documents]})


async def upload_document(request: Request) -> JSONResponse:
    """Multipart form: title (required), memo, shareable ("1"/"true"/"on"), file."""
    rep = await require_rep(request)
    await require_csrf(request)
    return await upload_for(request, rep.account_id)


async def upload_for(request: Request, account_id: int) -> JSONResponse:
    """Receive, check and store an uploaded document of the ID, then queue its rendering."""
    received = await _receive(request)
    try:
        # The title first: the FAQ's most common upload error, and cheaper than the file check.
        title = clean_title(received.fields.get("title", ""))
        upload = await _checked_upload(request, received)
        document = await _store(request).create(
            account_id,
            title,
            received.fields.get("memo", ""),
            received.fields.get("shareable", "").strip().lower() in TRUE_WORDS,
            upload,
        )
    except BaseException:
        received.discard()
        raise
    services(request).render_queue.submit(document)
    return JSONResponse(
        {"ok": True, "document": await _view(request, document, detail=True)}, status_code=201
    )


async def get_document(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    document = await _store(request).get(rep.account_id, request.path_params["document_id"])
    return JSONResponse({"ok": True, "document": await _view(request, document, detail=True)})


async def edit_document(request: Request) -> JSONResponse:
    """JSON body with any of: title, memo, shareable."""
    rep = await require_rep(request)
    await require_csrf(request)
    data = await _json_object(request)
    changes: dict[str, Any] = {}
    for name, kind in (("title", str), ("memo", str), ("shareable", bool)):
        if name in data:
            if not isinstance(data[name], kind):
                raise MendanError(ErrorCode.BAD_REQUEST, f"{name} must be {kind.__name__}")
            changes[name] = data[name]
    document = await _store(request).update(rep.account_id, request.path_params["document_id"], **changes)
    return JSONResponse({"ok": True, "document": await _view(request, document, detail=True)})


async def replace_file(request: Request) -> JSONResponse:
    """Multipart form with the new ``file``; title, memo and sharing stay."""
    rep = await require_rep(request)
    await require_csrf(request)
    store = _store(request)
    document_id = request.path_params["document_id"]
    await store.get(rep.account_id, document_id)  # NOT_FOUND before reading a body for nothing
    received = await _receive(request)
    try:
        upload = await _checked_upload(request, received)
        document = await store.replace_file(rep.account_id, document_id, upload)
    except BaseException:
        received.discard()
        raise
    services(request).render_queue.submit(document)  # drops the old revision's job, if one still runs
    return JSONResponse({"ok": True, "document": await _view(request, document, detail=True)})


async def delete_document(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    await require_csrf(request)
    document_id = request.path_params["document_id"]
    # Deleted first: it checks ownership, so nobody stops another ID's rendering by naming its id.
    await _store(request).delete(rep.account_id, document_id)
    services(request).render_queue.cancel(document_id)
    return JSONResponse({"ok": True})


async def _signed_document(request: Request) -> Document:
    """The document a signed link points at; the signature is checked before anything is looked up."""
    services(request).url_signer.verify(request.url.path, request.query_params)
    document = await _store(request).find(request.path_params["document_id"])
    if document is None or document.revision != request.path_params["revision"]:
        raise MendanError(ErrorCode.NOT_FOUND, "document or revision gone")
    return document


async def page_image(request: Request) -> Response:
    document = await _signed_document(request)
    thumb = request.url.path.rsplit("/", 2)[-2] == "thumbs"
    path = _store(request).page_path(document, request.path_params["number"], thumb=thumb)
    # The revision is in the path, so a page's bytes never change under one URL.
    headers = {**SECURITY_HEADERS, "Cache-Control": "private, max-age=86400, immutable"}
    return FileResponse(path, media_type="image/jpeg", headers=headers)


async def download(request: Request) -> Response:
    document = await _signed_document(request)
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": content_disposition(document.original_filename),
        "Cache-Control": "private, no-store",
    }
    return FileResponse(
        _store(request).original_path(document), media_type=document.content_type, headers=headers
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one as RFC 5987 ``filename*``."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _json_object(request: Request) -> dict[str, Any]:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FIELDS_BYTES:
            raise MendanError(ErrorCode.MESSAGE_TOO_LARGE)
    try:
        data = json.loads(body)
    except ValueError:
        raise MendanError(ErrorCode.BAD_REQUEST, "body is not JSON") from None
    if not isinstance(data, dict):
        raise MendanError(ErrorCode.BAD_REQUEST, "body is not a JSON object")
    return data


SIGNED = "/api/documents/{document_id}/r{revision:int}"

routes = [
    Route("/api/documents", list_documents, methods=["GET"]),
    Route("/api/documents", upload_document, methods=["POST"]),
    Route("/api/documents/{document_id}", get_document, methods=["GET"]),
    Route("/api/documents/{document_id}", edit_document, methods=["PATCH"]),
    Route("/api/documents/{document_id}", delete_document, methods=["DELETE"]),
    Route("/api/documents/{document_id}/file", replace_file, methods=["PUT"]),
    Route(SIGNED + "/pages/{number:int}.jpg", page_image, methods=["GET"]),
    Route(SIGNED + "/thumbs/{number:int}.jpg", page_image, methods=["GET"]),
    Route(SIGNED + "/download", download, methods=["GET"]),
]
