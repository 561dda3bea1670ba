"""History over HTTP: the list the dashboard shows, the same as CSV, and talk-time reports."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.api import json_body
from server.errors import MendanError
from server.recording.api import recording_view
from server.recording.store import RecordingStore
from server.web_context import language, require_csrf, require_rep

from .service import HistoryEntry, HistoryService, HistoryText, parse_search


def _service(request: Request) -> HistoryService:
    service: HistoryService = request.app.state.history
    return service


def _text(request: Request) -> HistoryText:
    return HistoryText(language(request), _service(request).zone)


def entry_view(text: HistoryText, entry: HistoryEntry) -> dict[str, Any]:
    shares = {pid: share for pid, _, share in text.talk_shares(entry)}
    return {
        "id": entry.meeting.id,
        "number": entry.meeting.number,
        "cells": text.cells(entry),
        "participants": [
            {"id": person.id, "text": text.participant(person), "share": shares.get(person.id)}
            for person in entry.participants
        ],
        "recordings": [
            {**recording_view(recording), "label": text.recording(index + 1, recording)}
            for index, recording in enumerate(entry.recordings)
        ],
        "documents": dataclasses.asdict(entry.documents) if entry.documents else {"shown": [], "given": []},
    }


async def history(request: Request) -> JSONResponse:
    rep = await require_rep(request)
    entries = await _service(request).search(rep.account_id, parse_search(request.query_params))
    text = _text(request)
    recordings: RecordingStore = request.app.state.recordings
    return JSONResponse(
        {
            "ok": True,
            "columns": text.headers(),
            "meetings": [entry_view(text, entry) for entry in entries],
            "usage": (await recordings.usage(rep.account_id)).view(),
        }
    )


async def history_csv(request: Request) -> Response:
    """The history as the page shows it, in UTF-8 with a BOM so Excel reads the Japanese right."""
    rep = await require_rep(request)
    entries = await _service(request).search(rep.account_id, parse_search(request.query_params))
    text = _text(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(text.headers())
    for entry in entries:
        writer.writerow(list(text.cells(entry).values()))
    headers = {
        "Content-Disposition": 'attachment; filename="mendan-history.csv"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
    )


async def talk_time(request: Request) -> JSONResponse:
    """A report from the rep's browser: {"seconds": {participant id: speaking seconds}}."""
    rep = await require_rep(request)
    await require_csrf(request)
    data = await json_body(request)
    seconds = data.get("seconds")
    if not isinstance(seconds, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in seconds.values()
    ):
        raise MendanError(ErrorCode.BAD_REQUEST, "seconds must map participant ids to numbers")
    await _service(request).add_talk_time(
        rep.account_id, request.path_params["meeting_id"], {str(k): float(v) for k, v in seconds.items()}
    )
    return JSONResponse({"ok": True})


routes = [
    Route("/api/history", history, methods=["GET"]),
    Route("/api/history.csv", history_csv, methods=["GET"]),
    Route("/api/meetings/{meeting_id}/talk-time", talk_time, methods=["POST"]),
]
