"""Signaling over HTTP long polling, for networks whose proxy blocks WebSockets (R-10.5).

The same SignalingSession as the WebSocket endpoint, over three calls: open a session, send
messages (the exact texts a WebSocket would carry), and poll for what the server has for the
client (held up to POLL_WAIT seconds when there is nothing yet). The session id is a random
bearer secret; the ticket inside `join` authenticates the person, as on a WebSocket. A session
nobody polled for IDLE_LIMIT seconds is closed like a dropped socket (the grace period starts).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from protocol.signaling import MAX_MESSAGE_BYTES, ErrorCode
from server.errors import MendanError
from server.services import services

from .endpoint import SignalingSession, new_session
from .hub import PollConnection

POLL_WAIT = 20.0
IDLE_LIMIT = 45.0
MAX_BATCH = 64


@dataclass
class PollSession:
    """One long-polling client: its signaling conversation and when it last asked."""

    session: SignalingSession
    connection: PollConnection
    last_seen: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # messages handled in arrival order


class PollSessions:
    """The long-polling clients of this process; ``now`` is the server's clock (tests move it)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self._sessions: dict[str, PollSession] = {}

    def open(self, session: SignalingSession, connection: PollConnection) -> str:
        session_id = secrets.token_urlsafe(24)
        self._sessions[session_id] = PollSession(session, connection, self.now())
        return session_id

    def get(self, session_id: str) -> PollSession:
        found = self._sessions.get(session_id)
        if found is None:
            raise MendanError(ErrorCode.NOT_FOUND, "no such signaling session")
        found.last_seen = self.now()
        return found

    async def close(self, session_id: str) -> None:
        found = self._sessions.pop(session_id, None)
        if found is not None:
            await found.session.closed()
            await found.connection.finish()

    async def close_idle(self) -> None:
        deadline = self.now() - IDLE_LIMIT
        for session_id in [key for key, value in self._sessions.items() if value.last_seen < deadline]:
            await self.close(session_id)

    async def close_all(self) -> None:
        for session_id in list(self._sessions):
            await self.close(session_id)


async def open_session(request: Request) -> JSONResponse:
    connection = PollConnection(services(request).metrics)
    session_id = services(request).poll_sessions.open(new_session(connection, request), connection)
    return JSONResponse({"ok": True, "session": session_id, "wait": POLL_WAIT})


async def send(request: Request) -> JSONResponse:
    polling = services(request).poll_sessions.get(request.path_params["session"])
    body = await request.body()
    if len(body) > MAX_BATCH * MAX_MESSAGE_BYTES:
        raise MendanError(ErrorCode.MESSAGE_TOO_LARGE)
    try:
        texts = json.loads(body)["messages"]
    except (ValueError, KeyError, TypeError):
        raise MendanError(ErrorCode.BAD_REQUEST, "body must be {messages: [text, …]}") from None
    if not isinstance(texts, list) or len(texts) > MAX_BATCH or not all(isinstance(t, str) for t in texts):
        raise MendanError(ErrorCode.BAD_REQUEST, "messages must be a list of message texts")
    async with polling.lock:
        for text in texts:
            await polling.session.handle_text(text)  # bad ones get an error reply, as on a socket
    return JSONResponse({"ok": True})


async def poll(request: Request) -> Response:
    sessions = services(request).poll_sessions
    polling = sessions.get(request.path_params["session"])
    texts = await polling.connection.take(POLL_WAIT)
    polling.last_seen = sessions.now()
    closed = "true" if polling.connection.closed else "false"
    # The queued texts are JSON already: join them instead of decoding and encoding again.
    return Response(
        f'{{"ok":true,"closed":{closed},"messages":[{",".join(texts)}]}}',
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def close(request: Request) -> JSONResponse:
    await services(request).poll_sessions.close(request.path_params["session"])
    return JSONResponse({"ok": True})


routes = [
    Route("/signal/open", open_session, methods=["POST"]),
    Route("/signal/{session}/send", send, methods=["POST"]),
    Route("/signal/{session}/poll", poll, methods=["GET"]),
    Route("/signal/{session}/close", close, methods=["POST"]),
]
