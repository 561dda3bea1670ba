"""Item 9: connections that send nothing useful are closed; /metrics is not for everyone."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.conftest import ServerFactory
from tests.support.clients import Socket, issue_number
from tests.support.raw_http import PATIENCE, connect, read_answer, status_of
from tests.support.server import METRICS_TOKEN, MendanServer


def test_a_request_whose_headers_never_end_is_cut_off(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_HEADER_TIMEOUT": "1"})
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # slow loris: never finishes
        assert read_answer(sock) == b""  # closed by the server (old servers kept it open for good)
    with connect(server) as sock:  # also on a kept-alive connection, after a first request
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = sock.recv(65536)
        while not first.endswith(b"}"):  # the whole JSON answer, however it was split
            first += sock.recv(65536)
        assert status_of(first) == 200
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 1")
        assert read_answer(sock) == b""


def test_connections_beyond_the_limit_are_answered_503(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_MAX_CONNECTIONS": "8", "MENDAN_HEADER_TIMEOUT": str(PATIENCE)})
    idle = [connect(server) for _ in range(8)]
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 503
    finally:
        for sock in idle:
            sock.close()
    assert httpx.get(f"{server.url}/healthz").status_code == 200  # and it recovers when they go


def test_a_websocket_that_does_not_join_is_closed(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_JOIN_TIMEOUT": "1"})
    url = server.url.replace("http", "ws") + "/ws"
    with ws_connect(url, open_timeout=10) as ws:
        ws.send(json.dumps({"v": 1, "type": "ping", "request_id": "1"}))  # talking is not joining
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=PATIENCE)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    ticket = issue_number(server)["ticket"]
    joined = Socket(server)  # a socket that joins stays
    joined.join(ticket)
    assert joined.request(type="ping")["type"] == "ok"
    joined.nothing_arrives(2)
    assert joined.request(type="ping")["type"] == "ok"
    joined.close()


def test_metrics_need_the_token(server_factory: ServerFactory) -> None:
    server = server_factory()
    url = f"{server.url}/metrics"
    assert httpx.get(url).status_code == 404
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert httpx.get(url, headers={"Authorization": "Bearer トークン".encode()}).status_code == 404
    answer = httpx.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200 and "mendan_meetings" in answer.text
    untokened: MendanServer = server_factory({"MENDAN_METRICS_TOKEN": ""})
    assert httpx.get(f"{untokened.url}/metrics", headers={"Authorization": "Bearer x"}).status_code == 404
