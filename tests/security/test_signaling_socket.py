"""The /ws transport (server/signaling/socket.py) against raw clients that ignore our pages:
frames split, broken, oversized, sent to the wrong path, or never answered."""

from __future__ import annotations

import base64
import os
import socket as tcp
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.sync.client import connect as ws_connect

from tests.conftest import ServerFactory
from tests.support.clients import Socket, issue_number
from tests.support.raw_http import connect
from tests.support.server import MendanServer


def _raw_socket(server: MendanServer) -> tcp.socket:
    """A WebSocket opened by hand, so frames no library would send can be sent."""
    sock = connect(server)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 101")
    return sock


def _send_frame(sock: tcp.socket, opcode: Opcode, data: bytes, fin: bool = True) -> None:
    sock.sendall(Frame(opcode, data, fin=fin).serialize(mask=True, extensions=[]))


def _read_text(sock: tcp.socket) -> str:
    """The next unfragmented text frame the server sends (a small one: 2-byte length at most)."""
    while True:
        head = sock.recv(2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(sock.recv(2), "big")
        body = b""
        while len(body) < length:
            body += sock.recv(length - len(body))
        if opcode == Opcode.TEXT.value:
            return body.decode()


def test_only_ws_is_a_websocket(server: MendanServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(server.url.replace("http", "ws") + "/elsewhere", open_timeout=10)
    assert refused.value.response.status_code == 404
    assert Socket(server).request(type="ping")["type"] == "ok"  # and /ws still is


def test_a_message_in_several_frames_is_one_message(server: MendanServer) -> None:
    socket = Socket(server)
    socket.ws.send(['{"v": 1, "type": "ping", ', '"request_id": "split"}'])  # three frames on the wire
    assert socket.wait(lambda m: m.get("request_id") == "split")["type"] == "ok"


def test_text_that_is_not_utf8_gets_an_error_and_the_socket_stays(server: MendanServer) -> None:
    sock = _raw_socket(server)
    try:
        _send_frame(sock, Opcode.TEXT, b'{"v": 1, "type": "ping", "request_id": "\xff\xfe"}')
        assert '"malformed_message"' in _read_text(sock)
        _send_frame(sock, Opcode.TEXT, b'{"v": 1, "type": "ping", "request_id": "after"}')
        assert '"after"' in _read_text(sock)
    finally:
        sock.close()


def test_a_frame_beyond_the_transport_limit_closes_only_that_socket(server: MendanServer) -> None:
    bystander = Socket(server)
    bystander.join(issue_number(server)["ticket"])
    socket = Socket(server)
    with pytest.raises(ConnectionClosed) as closed:
        socket.ws.send("x" * (3 * 2**20))  # far over the 256 KiB the transport takes at all
        socket.ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big
    assert bystander.request(type="ping")["type"] == "ok"
    assert Socket(server).request(type="ping")["type"] == "ok"


def test_a_client_that_never_reads_its_answers_does_not_stop_the_others(server: MendanServer) -> None:
    """Its answers pile up in its own kernel buffer and ours, then it is closed as too slow;
    reading stops meanwhile (each message waits for the one before), so it cannot flood us."""
    sock = _raw_socket(server)
    sock.setsockopt(tcp.SOL_SOCKET, tcp.SO_RCVBUF, 4096)
    other = Socket(server)
    try:
        ping = b'{"v": 1, "type": "ping", "request_id": "' + b"p" * 60 + b'"}'
        sock.settimeout(5)
        with pytest.raises(OSError):  # TimeoutError, or the server cut it off as too slow
            for _ in range(200_000):
                _send_frame(sock, Opcode.TEXT, ping)
        assert other.request(type="ping")["type"] == "ok"
    finally:
        sock.close()


def _frames_for(sock: tcp.socket, seconds: float) -> list[Opcode | None]:
    """The opcodes of every frame the server sends within ``seconds`` (small frames only); None
    last when the server closed the TCP connection."""
    sock.settimeout(seconds)
    seen: list[Opcode | None] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            head = _recv_exactly(sock, 2)
            length = head[1] & 0x7F
            if length == 126:
                length = int.from_bytes(_recv_exactly(sock, 2), "big")
            _recv_exactly(sock, length)
            seen.append(Opcode(head[0] & 0x0F))
    except TimeoutError:
        pass
    except ConnectionResetError:
        seen.append(None)
    return seen


def _recv_exactly(sock: tcp.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("closed by the server")
        data += chunk
    return data


def test_a_silent_socket_is_pinged_and_one_that_talks_is_not(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_PING_INTERVAL": "0.5"})
    sock = _raw_socket(server)
    try:
        talking: list[Opcode | None] = []
        for _ in range(12):  # 2.4 s of talk, a message every 0.2 s: proof enough that it is there
            _send_frame(sock, Opcode.TEXT, b'{"v": 1, "type": "ping", "request_id": "t"}')
            talking += _frames_for(sock, 0.2)
        assert Opcode.TEXT in talking and Opcode.PING not in talking
        assert Opcode.PING in _frames_for(sock, 1.5)  # silent: now it is asked
    finally:
        sock.close()


def test_a_socket_that_leaves_pings_unanswered_is_closed(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_PING_INTERVAL": "0.3"})
    sock = _raw_socket(server)  # a raw socket answers nothing by itself
    bystander = Socket(server)  # websockets answers pings: it stays
    try:
        seen: list[Opcode | None] = []
        while None not in seen and len(seen) < 10:
            seen += _frames_for(sock, 0.1)
        assert seen == [Opcode.PING, Opcode.PING, Opcode.CLOSE, None]
        assert bystander.request(type="ping")["type"] == "ok"
    finally:
        sock.close()
