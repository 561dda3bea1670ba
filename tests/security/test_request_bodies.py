"""Item 1: request bodies are limited while they arrive; the server never holds more than a route needs."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import ServerFactory
from tests.support.raw_http import connect, head, peak_memory_kib, read_answer, send_until_answered, status_of
from tests.support.server import MendanServer

GIB = 1024**3


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/numbers"),  # anonymous JSON
        ("POST", "/login"),  # a form
        ("POST", "/signal/anything/send"),  # long polling
        ("PUT", "/api/recordings/anything/chunks/0"),  # recording chunks
        ("POST", "/api/documents"),  # uploads
        ("POST", "/api/meeting-documents"),
    ],
)
def test_a_declared_huge_body_is_refused_before_it_is_sent(
    server: MendanServer, method: str, path: str
) -> None:
    # Only the headers go out: a server that waited for the body would never answer.
    with connect(server) as sock:
        sock.sendall(head(method, path, {"Content-Length": str(GIB), "Content-Type": "application/json"}))
        answer = read_answer(sock)
    assert status_of(answer) == 413, answer[:300]
    assert b"message_too_large" in answer or b"document_too_large" in answer  # uploads name the largest file


def _chunk(size: int) -> bytes:
    return f"{size:x}\r\n".encode() + b"x" * size + b"\r\n"


def test_a_chunked_body_is_cut_off_at_the_limit_while_it_streams(server: MendanServer) -> None:
    with connect(server) as sock:
        sock.sendall(head("POST", "/api/numbers", {"Transfer-Encoding": "chunked"}))
        sent, answer = send_until_answered(sock, _chunk(64 * 1024), most=256 * 1024 * 1024)
    assert sent < 256 * 1024 * 1024  # answered (or hung up) long before the end of the body
    assert answer == b"" or status_of(answer) == 413, answer[:300]


def test_large_bodies_at_once_leave_the_servers_memory_bounded(server: MendanServer) -> None:
    """The issue's measurement: three 200 MB bodies made the server grow by about 1 GB."""
    assert server.process is not None
    before = peak_memory_kib(server.process.pid)

    def attack() -> None:
        with connect(server) as sock:
            sock.sendall(head("POST", "/api/numbers", {"Transfer-Encoding": "chunked"}))
            send_until_answered(sock, _chunk(1024 * 1024), most=200 * 1024 * 1024)

    attackers = [threading.Thread(target=attack) for _ in range(3)]
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join()
    grown_mib = (peak_memory_kib(server.process.pid) - before) / 1024
    assert grown_mib < 64, f"the server's peak memory grew by {grown_mib:.0f} MiB"


def test_a_body_that_stops_arriving_is_answered_408(server_factory: ServerFactory) -> None:
    server = server_factory({"MENDAN_BODY_TIMEOUT": "1"})
    with connect(server) as sock:
        sock.sendall(head("POST", "/api/numbers", {"Content-Length": "100"}) + b'{"em')
        answer = read_answer(sock)  # old servers waited here for good
    assert status_of(answer) == 408, answer[:300]


def test_bodies_within_their_limits_still_work(server: MendanServer) -> None:
    """The limits are per route: a recording chunk may be megabytes, a number request only a little."""
    with connect(server) as sock:
        body = b'{"embed": null}'
        sock.sendall(
            head("POST", "/api/numbers", {"Content-Length": str(len(body)), "Connection": "close"}) + body
        )
        answer = read_answer(sock)
    assert status_of(answer) == 200, answer[:300]
