"""商談記録 over HTTP: the rep's notes (autosaved from the room), the printable minutes page and
its Markdown export. All of it is the rep ID's own: anyone else's meeting is NOT_FOUND."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.errors import MendanError
from server.request_json import json_body
from server.services import services
from server.templating import render
from server.web_context import current_rep, language, public_base_url, require_csrf, require_rep

from .annotated_pdf import annotated_pdf
from .minutes import MeetingNotesStore, Minutes, as_markdown, minutes_of
from .service import HistoryText


def _notes(request: Request) -> MeetingNotesStore:
    running = services(request)
    return MeetingNotesStore(running.database, running.clock)


async def read_notes(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    text = await _notes(request).read(rep.account_id, request.path_params["meeting_id"])
    return JSONResponse({"ok": True, "text": text})


async def write_notes(request: Request) -> JSONResponse:
    """Autosave from the room: {"text": …}; the whole text each time (last write wins)."""
    rep = await require_rep(request)
    await require_csrf(request)
    text = (await json_body(request)).get("text")
    if not isinstance(text, str):
        raise MendanError(ErrorCode.BAD_REQUEST, "text must be a string")
    saved_at = await _notes(request).write(rep.account_id, request.path_params["meeting_id"], text)
    return JSONResponse({"ok": True, "saved_at": saved_at})


async def _minutes(request: Request, account_id: int) -> Minutes:
    history = services(request).history
    return await minutes_of(
        history,
        _notes(request),
        HistoryText(language(request), history.zone),
        account_id,
        request.path_params["meeting_id"],
        public_base_url(request, services(request).settings),
    )


async def minutes_page(request: Request) -> Response:
    rep = await current_rep(request)
    if rep is None:
        return RedirectResponse("/login", status_code=303)
    minutes = await _minutes(request, rep.account_id)
    return render(request, "minutes.html", minutes=minutes, meeting_id=request.path_params["meeting_id"])


async def minutes_markdown(request: Request) -> Response:
    rep = await require_rep(request)
    minutes = await _minutes(request, rep.account_id)
    name = f"mendan-minutes-{request.path_params['meeting_id']}.md"
    return Response(
        as_markdown(minutes),
        media_type="text/markdown; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def annotated_pages(request: Request) -> Response:
    """The pages drawn on during the meeting, with their 書き込み, as one PDF."""
    rep = await require_rep(request)
    meeting_id = request.path_params["meeting_id"]
    running = services(request)
    data = await annotated_pdf(running.database, running.document_store, rep.account_id, meeting_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="mendan-annotated-{meeting_id}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


routes = [
    Route("/api/meetings/{meeting_id}/notes", read_notes, methods=["GET"]),
    Route("/api/meetings/{meeting_id}/notes", write_notes, methods=["PUT"]),
    Route("/rep/meetings/{meeting_id}/minutes", minutes_page, methods=["GET"]),
    Route("/rep/meetings/{meeting_id}/minutes.md", minutes_markdown, methods=["GET"]),
    Route("/rep/meetings/{meeting_id}/annotated.pdf", annotated_pages, methods=["GET"]),
]
