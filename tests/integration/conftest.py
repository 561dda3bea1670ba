from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.backends import EMBEDDED, POSTGRES_REDIS
from tests.support.clients import Rep, Socket
from tests.support.server import MendanServer
from tests.support.webhook_receiver import ScriptedReceiver


@pytest.fixture(params=[EMBEDDED, POSTGRES_REDIS])
def backend(request: pytest.FixtureRequest) -> str:
    """Every integration test runs against SQLite + in-process bus and PostgreSQL + Redis."""
    value: str = request.param
    return value


@pytest.fixture
def rep(server: MendanServer) -> Iterator[Rep]:
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    client = Rep(server, "tanaka")
    yield client
    client.close()


@pytest.fixture
def open_socket() -> Iterator[Callable[[MendanServer], Socket]]:
    """open_socket(server) -> a signaling socket, closed after the test."""
    opened: list[Socket] = []

    def make(server: MendanServer) -> Socket:
        socket = Socket(server)
        opened.append(socket)
        return socket

    yield make
    for socket in opened:
        socket.close()


@pytest.fixture
def receiver_of() -> Iterator[Callable[..., ScriptedReceiver]]:
    """receiver_of(script) -> the example webhook receiver of docs/integrations.md on a free port."""
    made: list[ScriptedReceiver] = []

    def make(script: list[int | str] | None = None) -> ScriptedReceiver:
        made.append(ScriptedReceiver(script))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop()
