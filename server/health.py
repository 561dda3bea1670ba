"""How an instance is doing, for load balancers and monitoring: /healthz and Prometheus /metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.errors import MendanError
from server.safe_compare import same_secret
from server.services import services

log = logging.getLogger(__name__)


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
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
