"""Request bodies limited while they arrive, so no request can make the server hold more than its route needs.

A declared ``Content-Length`` over the route's limit is answered 413 before a byte of the body is read;
a chunked body is counted as it streams and cut off at the limit. A body that stops arriving for
``idle_timeout`` seconds is answered 408. Both answers close the connection, so the rest of the body is
never read. What a request can hold in memory is then at most its route's limit (uploads stream to
disk and hold a few parser buffers); docs/security.md lists the limits.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from protocol.signaling import MAX_MESSAGE_BYTES, ErrorCode
from server.documents.upload import MAX_FIELDS_BYTES, MULTIPART_OVERHEAD, megabytes
from server.errors import error_body
from server.i18n import DEFAULT_LANGUAGE
from server.settings import Settings
from server.signaling.longpoll import MAX_BATCH

WEBSOCKET_MAX_BYTES = 4 * MAX_MESSAGE_BYTES
"""Largest WebSocket message uvicorn buffers; up to it an oversized message gets a clear error reply,
beyond it the socket is closed (1009)."""

DEFAULT_LIMIT = 64 * 1024
"""Forms and JSON calls: a login, a number claim, a talk-time report are a few hundred bytes."""


@dataclass(frozen=True)
class RouteLimit:
    method: str
    path: re.Pattern[str]
    max_bytes: int
    code: ErrorCode = ErrorCode.MESSAGE_TOO_LARGE
    """What the refusal says: an upload names the largest file allowed."""
    values: Mapping[str, object] = field(default_factory=dict)


_DEFAULT = RouteLimit("", re.compile(""), DEFAULT_LIMIT)


def route_limits(settings: Settings) -> list[RouteLimit]:
    """The routes that take more than DEFAULT_LIMIT, with what each may take."""
    upload = settings.document_max_bytes + MAX_FIELDS_BYTES + MULTIPART_OVERHEAD
    largest_file = {"max_mb": megabytes(settings.document_max_bytes)}

    def uploads_to(method: str, path: str) -> RouteLimit:
        return RouteLimit(method, re.compile(path), upload, ErrorCode.DOCUMENT_TOO_LARGE, largest_file)

    return [
        uploads_to("POST", r"/api/documents"),
        uploads_to("PUT", r"/api/documents/[^/]+/file"),
        uploads_to("POST", r"/api/meeting-documents"),
        RouteLimit("PATCH", re.compile(r"/api/documents/[^/]+"), MAX_FIELDS_BYTES),
        RouteLimit(
            "PUT", re.compile(r"/api/recordings/[^/]+/chunks/\d+"), settings.recording_chunk_max_bytes
        ),
        RouteLimit("POST", re.compile(r"/signal/[^/]+/send"), MAX_BATCH * MAX_MESSAGE_BYTES),
    ]


class BodyLimit:
    """ASGI middleware enforcing per-route body limits and an idle time-out while a body arrives."""

    def __init__(self, app: ASGIApp, limits: list[RouteLimit], idle_timeout: float) -> None:
        self.app = app
        self.limits = limits
        self.idle_timeout = idle_timeout

    def limit_for(self, method: str, path: str) -> RouteLimit:
        for limit in self.limits:
            if limit.method == method and limit.path.fullmatch(path):
                return limit
        return _DEFAULT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.limit_for(scope["method"], scope["path"])
        limit = route.max_bytes
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, 413, route.code, route.values)
            return
        received = 0
        body_done = False
        refusal: tuple[int, ErrorCode, Mapping[str, object]] | None = None
        started = False

        async def counted_receive() -> Message:
            nonlocal received, body_done, refusal
            if refusal is not None:
                return {"type": "http.disconnect"}
            if body_done:
                return await receive()  # after the body: only the disconnect event, whenever it comes
            try:
                message = await asyncio.wait_for(receive(), self.idle_timeout)
            except TimeoutError:
                refusal = (408, ErrorCode.BAD_REQUEST, {})
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    refusal = (413, route.code, route.values)
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if refusal is not None:  # the app answered the cut-off itself: close after it
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except ClientDisconnect:
            if refusal is None:
                raise
        if refusal is not None and not started:
            await _refuse(scope, send, *refusal)


async def _refuse(
    scope: Scope, send: Send, status: int, code: ErrorCode, values: Mapping[str, object] | None = None
) -> None:
    cookies = next((value for name, value in scope["headers"] if name == b"cookie"), b"").decode("latin-1")
    lang = "en" if "mendan_lang=en" in cookies else DEFAULT_LANGUAGE
    response = JSONResponse(
        error_body(code, lang, values), status_code=status, headers={"Connection": "close"}
    )

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
