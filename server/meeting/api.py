"""The meeting's JSON API for the pages: issue a number (商談を始める), claim it (接続する)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.client_address import client_address
from server.contracts import contract_for_embed
from server.errors import MendanError
from server.issuing import origin_allowed
from server.request_json import json_body
from server.services import services
from server.web_context import require_csrf, require_rep


async def issue_number(request: Request) -> JSONResponse:
    """商談を始める: a fresh number and the customer's ticket into the waiting meeting.

    From a contract's embed (R-1.5) the body names its key, and only that contract may claim it.
    """
    if not origin_allowed(request, services(request).settings):
        raise MendanError(ErrorCode.ORIGIN_NOT_ALLOWED, f"origin {request.headers.get('origin')!r}")
    scope = None
    if await request.body():
        embed = (await json_body(request)).get("embed")
        if embed is not None:
            async with services(request).database.session() as db:
                scope = await contract_for_embed(db, str(embed))
            if scope is None:
                raise MendanError(ErrorCode.NOT_FOUND, "unknown embed key")
    issued = await services(request).meetings.issue_number(client_address(request), scope)
    return JSONResponse(
        {
            "ok": True,
            "number": issued.number,
            "expires_at": issued.expires_at,
            "expires_in": services(request).settings.number_ttl,
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
    entry, deliveries = await services(request).meetings.claim(
        typed if isinstance(typed, str) else "", rep, recording, client_address(request)
    )
    await services(request).bus.publish(deliveries)
    return JSONResponse({"ok": True, "meeting_id": entry.meeting_id, "ticket": entry.ticket})


routes = [
    Route("/api/numbers", issue_number, methods=["POST"]),
    Route("/api/meetings", claim_number, methods=["POST"]),
]
