"""What a raw socket hears until the server closes it: the attacker's view of a signaling socket."""

from __future__ import annotations

import json
import socket
from typing import Any

from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from tests.support.clients import Socket
from tests.support.server import MendanServer


def until_closed(socket: Socket, quiet: float = 3) -> tuple[list[dict[str, Any]], int | None]:
    """Every message until the server closes the socket (and its close code), or until nothing
    arrives for ``quiet`` seconds (close code None: the socket is still open)."""
    heard = list(socket.inbox)
    socket.inbox.clear()
    try:
        while True:
            heard.append(json.loads(socket.ws.recv(timeout=quiet)))
    except TimeoutError:
        return heard, None
    except ConnectionClosed as closed:
        return heard, closed.rcvd.code if closed.rcvd is not None else None


class StalledSocket:
    """A signaling socket on a bare TCP connection that reads nothing until told to: the server's
    writes back up as they would to a phone on a dead network (no client library reading ahead)."""

    def __init__(self, server: MendanServer) -> None:
        self.raw = socket.socket()
        # Set before connecting: a fixed buffer turns off the kernel's growing it to many megabytes.
        self.raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        self.raw.settimeout(10)
        self.raw.connect(("127.0.0.1", server.port))
        self.protocol = ClientProtocol(parse_uri(server.url.replace("http", "ws") + "/ws"), max_size=None)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while (
            not isinstance(self.protocol.handshake_exc, Exception) and self.protocol.state == State.CONNECTING
        ):
            self.protocol.receive_data(self.raw.recv(65536))
        assert self.protocol.state == State.OPEN, self.protocol.handshake_exc
        self.protocol.events_received()

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            self.raw.sendall(data)

    def send(self, **message: Any) -> None:
        self.protocol.send_text(json.dumps({"v": 1, **message}).encode())
        self._flush()

    def read_all(self, quiet: float = 5) -> tuple[list[dict[str, Any]], int | None]:
        """Now read: every message until the close (and its code) or ``quiet`` seconds of nothing."""
        self.raw.settimeout(quiet)
        heard: list[dict[str, Any]] = []
        while True:
            try:
                data = self.raw.recv(1 << 20)
            except TimeoutError:
                return heard, None
            if not data:
                self.protocol.receive_eof()
            else:
                self.protocol.receive_data(data)
            self._flush()
            for frame in self.protocol.events_received():
                if frame.opcode == Opcode.TEXT:
                    heard.append(json.loads(frame.data))
                elif frame.opcode == Opcode.CLOSE:
                    return heard, Close.parse(frame.data).code
            if not data:
                return heard, None

    def close(self) -> None:
        self.raw.close()
