"""History over HTTP: the list the dashboard shows, the same as CSV, and talk-time reports."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.errors import MendanError
from server.recording.api import recording_view
from server.recording.store import RecordingStore
from server.request_json import json_body
from server.services import services
from server.web_context import language, require_csrf, require_rep

from .service import MAX_PAGE_SIZE, HistoryEntry, HistoryService, HistoryText, cursor_of, parse_search


def _service(request: Request) -> HistoryService:
    service: HistoryService = services(request).history
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
    """One page of the history (``limit`` meetings, newest first); ``next`` continues it."""
    rep = await require_rep(request)
    search = parse_search(request.query_params)
    entries = await _service(request).search(rep.account_id, search)
    text = _text(request)
    recordings: RecordingStore = services(request).recordings
    return JSONResponse(
        {
            "ok": True,
            "columns": text.headers(),
            "meetings": [entry_view(text, entry) for entry in entries],
            "next": cursor_of(entries[-1]) if len(entries) == search.limit else None,
            "usage": (await recordings.usage(rep.account_id)).view(),
        }
    )


async def history_csv(request: Request) -> Response:
    """The whole history as the page shows it, in UTF-8 with a BOM so Excel reads the Japanese
    right; streamed a page of meetings at a time, so a long history never sits in memory whole."""
    rep = await require_rep(request)
    search = replace(parse_search(request.query_params), after=None, limit=MAX_PAGE_SIZE)
    text = _text(request)

    async def rows() -> AsyncIterator[bytes]:
        yield ("\ufeff" + _csv_lines([text.headers()])).encode("utf-8")
        async for entries in _service(request).pages(rep.account_id, search):
            yield _csv_lines(list(text.cells(entry).values()) for entry in entries).encode("utf-8")

    headers = {
        "Content-Disposition": 'attachment; filename="mendan-history.csv"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _csv_lines(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


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
