"""The JSON API the pages call: issue a number, claim it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.client_address import client_address
from server.errors import MendanError
from server.issuing import origin_allowed
from server.portal import contract_for_embed
from server.safe_compare import same_secret
from server.services import services
from server.web_context import require_csrf, require_rep

log = logging.getLogger(__name__)

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


HEALTH_TIMEOUT = 2.0
"""Seconds the database and the bus get to answer a health check before they count as down."""


async def _database_answers(request: Request) -> bool:
    async with services(request).database.session() as db:
        return bool(await db.scalar(text("SELECT 1")) == 1)


async def _answers(check: Callable[[], Awaitable[bool]]) -> bool:
    try:
        return await asyncio.wait_for(check(), HEALTH_TIMEOUT)
    except Exception:  # down is down, whatever the driver raised; the log says which
        log.warning("health check failed", exc_info=True)
        return False


async def healthz(request: Request) -> JSONResponse:
    """Up when this instance can reach its database and its message bus; 503 otherwise."""
    database = await _answers(lambda: _database_answers(request))
    bus = await _answers(services(request).bus.healthy)
    body = {
        "ok": database and bus,
        "database": "ok" if database else "down",
        "bus": "ok" if bus else "down",
        "instance": services(request).settings.instance_id,
        "participants": services(request).hub.participant_count,
    }
    return JSONResponse(body, status_code=200 if body["ok"] else 503)


async def metrics(request: Request) -> Response:
    """Prometheus scrape, only with ``Authorization: Bearer $MENDAN_METRICS_TOKEN`` (off without a token)."""
    state = services(request)
    token = state.settings.metrics_token
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer" or not same_secret(sent.strip(), token):
        raise MendanError(ErrorCode.NOT_FOUND)  # 404, not 401: nothing tells a stranger it exists
    body = await state.metrics.render(state.database, state.hub.participant_count, state.clock.now())
    return Response(body, media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/api/numbers", issue_number, methods=["POST"]),
    Route("/api/meetings", claim_number, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
