"""/ws served straight from the TCP connection, outside the ASGI stack.

A meeting's signaling sockets live as long as the meeting, and one process holds thousands of them
(docs/scaling.md). Through uvicorn's WebSocket protocol, Starlette and our middlewares each socket
kept ~20 KiB for its whole life: the parsed handshake headers, the ASGI scope and receive queue
(an ``asyncio.Queue``), the suspended frames of every middleware, a writer task. Here one small
object per socket does the framing with the ``websockets`` library's sans-I/O protocol and hands
each text message to the same ``SignalingSession`` the ASGI route and long polling use; sends go
straight to the transport, queued only while the transport pushes back.

``mendan serve`` gives this class to uvicorn for every WebSocket upgrade; only ``/ws`` is
accepted. The ASGI route (server/signaling/endpoint.py) stays for other ASGI servers and the
in-process tests.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar, cast

from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.types import Message, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.server import ServerState
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from protocol import signaling as p
from server.services import app_services

from .endpoint import SOCKET_END_TASK, SignalingSession, close_unless_joined, end_of_socket, new_session
from .hub import Connection

log = logging.getLogger(__name__)

PATH = "/ws"
# A socket silent for MENDAN_PING_INTERVAL is pinged: that finds a peer that vanished without a FIN
# (a laptop lid closed). One that spoke meanwhile has shown it is there and is not pinged: at
# thousands of sockets those writes were a good part of the process's time (docs/scaling.md).
PINGS_UNANSWERED = 2
"""This many pings in a row without a pong (20 s) close the socket (1011)."""
PING_TIMEOUT_CLOSE = 1011
CLOSE_TIMEOUT = 10.0
"""After our close frame, how long the peer has to answer before the TCP connection is cut."""
SHUTDOWN_CLOSE = 1012
"""Service restart: the page re-joins (through the balancer, elsewhere)."""

_frames_log = logging.getLogger("websockets.server")


class SignalingSocket(asyncio.Protocol):
    """One client's WebSocket: framing, keepalive and close handshake; the session does the rest."""

    app: ClassVar[Starlette]
    """Set by ``signaling_socket_for``: the running app, for its services and trusted proxies."""

    __slots__ = (
        "close_timer",
        "connection",
        "connections",
        "fragmented",
        "frames",
        "heard",
        "in_place",
        "inbox",
        "join_timer",
        "ping_timer",
        "reader",
        "session",
        "tasks",
        "transport",
        "unanswered_pings",
    )

    def __init__(
        self, config: Config, server_state: ServerState, app_state: dict[str, Any], **_: Any
    ) -> None:
        self.connections: set[Any] = server_state.connections
        self.tasks: set[asyncio.Task[None]] = server_state.tasks
        self.transport: asyncio.Transport | None = None
        self.frames = ServerProtocol(max_size=config.ws_max_size, logger=_frames_log)
        self.session: SignalingSession | None = None
        self.connection: SocketConnection | None = None
        self.inbox: list[str | p.AnyClientMessage] = []  # a list: an empty deque costs ~0.7 KiB
        self.fragmented: tuple[Opcode, list[bytes]] | None = None
        """The opcode and parts of a message that arrives in several frames."""
        self.reader: asyncio.Task[None] | None = None
        self.ping_timer: asyncio.TimerHandle | None = None
        self.join_timer: asyncio.TimerHandle | None = None
        self.close_timer: asyncio.TimerHandle | None = None
        self.unanswered_pings = 0
        self.heard = False
        """Something arrived since the last keepalive tick."""
        self.in_place = False
        """The next message may be handled in place: the first of what one read brought."""

    # ---- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.connections.add(self)  # counted by --limit-concurrency, closed by a graceful shut-down

    def data_received(self, data: bytes) -> None:
        self.heard = self.in_place = True
        self.frames.receive_data(data)
        for event in self.frames.events_received():
            if isinstance(event, Request):
                self._handshake(event)
            elif isinstance(event, Frame):
                self._frame(event)
        self._flush()
        if self.frames.close_expected() and self.close_timer is None:
            self._cut_after(CLOSE_TIMEOUT)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        for timer in (self.ping_timer, self.join_timer, self.close_timer):
            if timer is not None:
                timer.cancel()
        self.ping_timer = self.join_timer = self.close_timer = None
        self.inbox.clear()
        if self.connection is not None:
            self.connection.transport_gone()
        if self.session is not None:
            ending = asyncio.get_running_loop().create_task(
                self._end(self.session, self.reader), name=SOCKET_END_TASK
            )
            self.tasks.add(ending)
            ending.add_done_callback(self.tasks.discard)

    def pause_writing(self) -> None:
        if self.connection is not None:
            self.connection.writable = False

    def resume_writing(self) -> None:
        if self.connection is not None:
            self.connection.writable = True
            self.connection.flush_queued()

    def shutdown(self) -> None:
        """uvicorn's graceful shut-down: every page hears 1012 and re-joins elsewhere."""
        if self.connection is not None and not self.connection.closing:
            self.connection.close(SHUTDOWN_CLOSE)
        if self.transport is not None:
            self.transport.close()

    # ---- the WebSocket ---------------------------------------------------------------------

    def _handshake(self, request: Request) -> None:
        path = request.path.partition("?")[0]
        response = self.frames.accept(request) if path == PATH else self.frames.reject(404, "Not Found\n")
        self.frames.send_response(response)
        if response.status_code != 101:
            self._flush()
            self._cut_after(0)
            return
        assert self.transport is not None
        self.connection = SocketConnection(self, app_services(self.app).metrics)
        self.session = new_session(self.connection, self._client_of(request))
        # The sans-I/O parser keeps the request in its generator's frame for the socket's life:
        # its headers (~2.5 KiB) are read now and never again.
        request.headers.clear()
        loop = asyncio.get_running_loop()
        self.join_timer = loop.call_later(
            self.session.settings.join_timeout, close_unless_joined, self.connection
        )
        self.ping_timer = loop.call_later(self.session.settings.ping_interval, self._ping)

    def _client_of(self, request: Request) -> HTTPConnection:
        """The handshake as Starlette sees a request: scheme, host and client after a trusted proxy."""
        assert self.transport is not None
        peer = self.transport.get_extra_info("peername")
        scope: Scope = {
            "type": "websocket",
            "scheme": "wss" if self.transport.get_extra_info("sslcontext") else "ws",
            "path": PATH,
            "root_path": "",
            "query_string": b"",
            "headers": [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.raw_items()
            ],
            "client": (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) else None,
            "server": None,
            "app": self.app,
        }
        _apply_trusted_proxy(scope, self.app)
        return HTTPConnection(scope)

    def _frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT or frame.opcode is Opcode.BINARY:
            if frame.fin:
                self._message(frame.opcode, bytes(frame.data))
            else:
                self.fragmented = (frame.opcode, [bytes(frame.data)])
        elif frame.opcode is Opcode.CONT and self.fragmented is not None:
            # The sans-I/O protocol bounds the whole message by max_size, not only each frame.
            opcode, parts = self.fragmented
            parts.append(bytes(frame.data))
            if frame.fin:
                self.fragmented = None
                self._message(opcode, b"".join(parts))
        # A PONG needs nothing more: whatever arrives marks the socket heard (see _ping). PING is
        # answered and CLOSE echoed by the sans-I/O protocol itself.

    def _message(self, opcode: Opcode, data: bytes) -> None:
        if self.session is None or self.connection is None or self.connection.closing:
            return  # after our close frame nothing more is acted on
        if opcode is Opcode.BINARY:
            self.session.reply_error(p.ErrorCode.MALFORMED_MESSAGE, None)
            return
        try:
            text = data.decode()
        except UnicodeDecodeError:
            self.session.reply_error(p.ErrorCode.MALFORMED_MESSAGE, None)
            return
        if self.in_place and self.reader is None and not self.inbox:
            # Most messages (a signal on the in-process bus) need no waiting: handled here, they
            # cost no task and no pause and resume of reading (two epoll_ctl calls). Only the first
            # of a read: more in the same read wait for the reader, as a flood must.
            self.in_place = False
            message = self.session.parse(text)
            if message is None or self.session.handle_in_place(message):
                return
            self.inbox.append(message)
        else:
            self.inbox.append(text)
        if self.reader is None:
            self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        """Messages one at a time, in order; a flooding client waits in its own kernel buffer."""
        assert self.session is not None and self.transport is not None
        self.transport.pause_reading()
        try:
            while self.inbox:
                item = self.inbox.pop(0)
                if isinstance(item, str):
                    await self.session.handle_text(item)
                else:  # parsed already, and not one to handle in place
                    await self.session.handle_message(item)
                # Let the others' sends run between messages: a flood must not starve them.
                await asyncio.sleep(0)
        finally:
            self.reader = None
            if not self.transport.is_closing():
                self.transport.resume_reading()

    def _ping(self) -> None:
        assert self.session is not None
        loop, interval = asyncio.get_running_loop(), self.session.settings.ping_interval
        if self.heard:
            self.heard = False
            self.unanswered_pings = 0
            self.ping_timer = loop.call_later(interval, self._ping)
            return
        # While a message is being handled we do not read (backpressure), so a pong may wait
        # unread in the kernel: that is no sign of a vanished peer.
        if self.reader is None:
            self.unanswered_pings += 1
        if self.unanswered_pings > PINGS_UNANSWERED:
            log.info("closing a socket that stopped answering pings")
            if self.connection is not None:
                self.connection.close(PING_TIMEOUT_CLOSE)
            self._cut_after(0)
            return
        self.frames.send_ping(b"")
        self._flush()
        self.ping_timer = loop.call_later(interval, self._ping)

    def send_text(self, text: str) -> None:
        self.frames.send_text(text.encode())
        self._flush()

    def send_close(self, code: int) -> None:
        if self.frames.state is State.OPEN:
            self.frames.send_close(code)
            self._flush()
        self._cut_after(CLOSE_TIMEOUT)

    def _flush(self) -> None:
        chunks = self.frames.data_to_send()
        if self.transport is None or self.transport.is_closing():
            return
        data = b"".join(chunks)
        if data:
            self.transport.write(data)
        if chunks and not chunks[-1]:  # the protocol's end-of-stream marker: it is done with TCP
            # Half-close and let the peer close its side once it has read our close frame. Closing
            # at once while it still sends (a frame over the limit, say) answers it with a reset,
            # which can destroy our close frame unread in its buffer: it would never learn why.
            # What it sends meanwhile is read and discarded by the protocol.
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self._cut_after(CLOSE_TIMEOUT)

    def _cut_after(self, seconds: float) -> None:
        """Close TCP after ``seconds`` (0: now), unless the peer closes first."""
        if self.transport is None or self.transport.is_closing():
            return
        if seconds <= 0:
            self.transport.close()
        elif self.close_timer is None:
            self.close_timer = asyncio.get_running_loop().call_later(seconds, self.transport.close)

    @staticmethod
    async def _end(session: SignalingSession, reader: asyncio.Task[None] | None) -> None:
        if reader is not None:  # the message in hand finishes first (a join half done, say)
            await asyncio.wait([reader])
        await end_of_socket(session, session.connection)


class SocketConnection(Connection):
    """The session's sending side: straight to the socket, queued only while TCP pushes back."""

    def __init__(self, socket: SignalingSocket, metrics: Any) -> None:
        super().__init__(metrics)
        self.socket: SignalingSocket | None = socket
        self.writable = True

    def _put(self, item: str | None) -> None:
        if self.socket is None:
            return
        if not self.writable or self._queue:
            self._queue.append(item)  # send() closes the socket as too slow past SEND_QUEUE
            return
        self._write(item)

    def _write(self, item: str | None) -> None:
        assert self.socket is not None
        if item is None:
            self.socket.send_close(self._close_code)
        else:
            self.socket.send_text(item)

    def flush_queued(self) -> None:
        while self._queue and self.writable and self.socket is not None:
            self._write(self._queue.pop(0))

    def transport_gone(self) -> None:
        self.socket = None
        self._queue.clear()
        self.closing = True


def signaling_socket_for(app: Starlette) -> type[SignalingSocket]:
    """The protocol class uvicorn builds for each WebSocket upgrade of ``app``."""
    return type("SignalingSocketOfApp", (SignalingSocket,), {"app": app, "__slots__": ()})


async def _keep_scope(scope: Scope, receive: Receive, send: Send) -> None:
    return None


async def _no_receive() -> Message:
    raise RuntimeError("not used")


async def _no_send(message: Message) -> None:
    raise RuntimeError("not used")


def _apply_trusted_proxy(scope: Scope, app: Starlette) -> None:
    """Let uvicorn's ProxyHeadersMiddleware (the app's outermost) rewrite the scope in place.

    It runs no I/O, so its coroutine completes on the first step.
    """
    trusted = list(app_services(app).settings.trusted_proxies)
    # uvicorn types it for its own scope TypedDicts; Starlette's plain Scope is what it gets here.
    middleware: Any = ProxyHeadersMiddleware(cast(Any, _keep_scope), trusted_hosts=trusted)
    step = middleware(scope, _no_receive, _no_send)
    try:
        step.send(None)
    except StopIteration:
        return
    step.close()
    raise RuntimeError("ProxyHeadersMiddleware waited for something")
