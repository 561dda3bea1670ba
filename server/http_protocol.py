"""uvicorn's h11 protocol with a deadline for request headers.

uvicorn times out idle keep-alive connections, but not a request whose headers arrive a byte at a
time (slow loris): such a connection stayed open for good. Here each request has ``header_timeout``
seconds from the connection (or the previous response) to its complete headers, else the connection
is closed. Bodies have their own idle time-out (server/body_limit.py); header size is capped by h11.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState


class HeaderDeadlineH11(H11Protocol):
    header_timeout = 10.0
    """Set per server by ``with_header_timeout``."""

    def __init__(
        self, config: Config, server_state: ServerState, app_state: dict[str, Any], **kw: Any
    ) -> None:
        super().__init__(config, server_state, app_state, **kw)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # headers complete: the body has its own time-out
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderDeadlineH11]:
    """The protocol class for one server, carrying its time-out (uvicorn takes a class, not an object)."""
    return type("HeaderDeadlineH11", (HeaderDeadlineH11,), {"header_timeout": seconds})
