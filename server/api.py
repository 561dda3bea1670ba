"""The JSON API the pages call: issue a number, claim it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.errors import MendanError
from server.portal import contract_for_embed
from server.web_context import client_address, require_csrf, require_rep

MAX_BODY = 16 * 1024


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise MendanError(ErrorCode.MESSAGE_TOO_LARGE)
    try:
        data = await request.json()
    except ValueError:
        raise MendanError(ErrorCode.BAD_REQUEST, "body is not JSON") from None
    if not isinstance(data, dict):
        raise MendanError(ErrorCode.BAD_REQUEST, "body is not a JSON object")
    return data


async def issue_number(request: Request) -> JSONResponse:
    """商談を始める: a fresh number and the customer's ticket into the waiting meeting.

    From a contract's embed (R-1.5) the body names its key, and only that contract may claim it.
    """
    scope = None
    if await request.body():
        embed = (await json_body(request)).get("embed")
        if embed is not None:
            async with request.app.state.database.session() as db:
                scope = await contract_for_embed(db, str(embed))
            if scope is None:
                raise MendanError(ErrorCode.NOT_FOUND, "unknown embed key")
    issued = await request.app.state.meetings.issue_number(client_address(request), scope)
    return JSONResponse(
        {
            "ok": True,
            "number": issued.number,
            "expires_at": issued.expires_at,
            "expires_in": request.app.state.settings.number_ttl,
            "ticket": issued.ticket,
            "meeting_id": issued.meeting_id,
        }
    )


async def claim_number(request: Request) -> JSONResponse:
    """接続する: the rep claims a number and answers the recording question."""
    rep = await require_rep(request)
    await require_csrf(request)
    data = await json_body(request)
    recording = data.get("recording")
    if not isinstance(recording, bool):
        raise MendanError(ErrorCode.RECORDING_UNANSWERED)
    typed = data.get("number")
    entry, deliveries = await request.app.state.meetings.claim(
        typed if isinstance(typed, str) else "", rep, recording, client_address(request)
    )
    await request.app.state.bus.publish(deliveries)
    return JSONResponse({"ok": True, "meeting_id": entry.meeting_id, "ticket": entry.ticket})


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "participants": request.app.state.hub.participant_count})


routes = [
    Route("/api/numbers", issue_number, methods=["POST"]),
    Route("/api/meetings", claim_number, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
]
