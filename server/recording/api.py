"""The recording HTTP API, for the rep's browser (login cookie; CSRF header on changes).

``POST /api/recordings`` starts one; ``PUT .../chunks/<seq>`` stores a chunk (a replay is a no-op);
``GET .../<id>`` says which chunks the server holds, so a writer that lost its connection sends
only the rest; ``POST .../finish`` says how many there were; ``GET .../file`` plays or downloads.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.db.models import Recording
from server.documents.api import content_disposition
from server.errors import MendanError
from server.request_json import json_body
from server.services import services
from server.web_context import require_csrf, require_rep

from .store import READY, RecordingStore, format_bytes


def _store(request: Request) -> RecordingStore:
    store: RecordingStore = services(request).recordings
    return store


def recording_view(recording: Recording) -> dict[str, Any]:
    ready = recording.state == READY
    return {
        "id": recording.id,
        "meeting_id": recording.meeting_id,
        "state": recording.state,
        "started_at": recording.started_at,
        "duration": recording.duration,
        "size": recording.size,
        "size_text": format_bytes(recording.size),
        "stop_reason": recording.stop_reason,
        "url": f"/api/recordings/{recording.id}/file" if ready else None,
        "download_url": f"/api/recordings/{recording.id}/file?download=1" if ready else None,
    }


async def start_recording(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    await require_csrf(request)
    data = await json_body(request)
    meeting_id = data.get("meeting_id")
    if not isinstance(meeting_id, str):
        raise MendanError(ErrorCode.BAD_REQUEST, "meeting_id is required")
    store = _store(request)
    recording = await store.start(rep.account_id, meeting_id)
    settings = services(request).settings
    return JSONResponse(
        {
            "ok": True,
            "recording": recording_view(recording),
            "usage": (await store.usage(rep.account_id)).view(),
            "max_seconds": settings.recording_max_seconds,
            "chunk_max_bytes": settings.recording_chunk_max_bytes,
        },
        status_code=201,
    )


async def put_chunk(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    await require_csrf(request)
    limit = services(request).settings.recording_chunk_max_bytes
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise MendanError(ErrorCode.MESSAGE_TOO_LARGE)
    store = _store(request)
    stored = await store.put_chunk(
        rep.account_id, request.path_params["recording_id"], request.path_params["seq"], bytes(body)
    )
    return JSONResponse({"ok": True, "stored": stored, "usage": (await store.usage(rep.account_id)).view()})


async def get_recording(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    recording, seqs = await _store(request).received(rep.account_id, request.path_params["recording_id"])
    return JSONResponse({"ok": True, "recording": recording_view(recording), "received": seqs})


async def finish_recording(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    await require_csrf(request)
    data = await json_body(request)
    chunks, reason = data.get("chunks"), data.get("reason", "")
    if not isinstance(chunks, int) or isinstance(chunks, bool) or not isinstance(reason, str):
        raise MendanError(ErrorCode.BAD_REQUEST, "chunks (int) and reason (str) expected")
    recording = await _store(request).finish(
        rep.account_id, request.path_params["recording_id"], chunks, reason
    )
    return JSONResponse({"ok": True, "recording": recording_view(recording)})


async def recording_file(request: Request) -> Response:
    rep = await require_rep(request)
    return await recording_file_of(request, rep.account_id)


async def recording_file_of(request: Request, account_id: int) -> Response:
    """The ID's finished recording named in the path, whole or the asked Range (the REST API's too)."""
    store = _store(request)
    recording = await store.get(account_id, request.path_params["recording_id"])
    if recording.state != READY:
        raise MendanError(ErrorCode.NOT_FOUND, "the recording is not finished")
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}
    if request.query_params.get("download"):
        headers["Content-Disposition"] = content_disposition(f"mendan-{recording.id}.webm")
    # FileResponse answers Range requests: the <video> element seeks with them.
    return FileResponse(store.file_path(recording.id), media_type="video/webm", headers=headers)


async def delete_recording(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    await require_csrf(request)
    store = _store(request)
    await store.delete(rep.account_id, request.path_params["recording_id"])
    return JSONResponse({"ok": True, "usage": (await store.usage(rep.account_id)).view()})


async def usage(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    return JSONResponse({"ok": True, "usage": (await _store(request).usage(rep.account_id)).view()})


routes = [
    Route("/api/recordings", start_recording, methods=["POST"]),
    Route("/api/recordings/usage", usage, methods=["GET"]),
    Route("/api/recordings/{recording_id}", get_recording, methods=["GET"]),
    Route("/api/recordings/{recording_id}", delete_recording, methods=["DELETE"]),
    Route("/api/recordings/{recording_id}/chunks/{seq:int}", put_chunk, methods=["PUT"]),
    Route("/api/recordings/{recording_id}/finish", finish_recording, methods=["POST"]),
    Route("/api/recordings/{recording_id}/file", recording_file, methods=["GET"]),
]
