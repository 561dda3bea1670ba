"""The in-process lane: the app on SQLite inside pytest's process; no server process, no browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.inprocess import InProcessApp, InProcessRep, InProcessSocket, migrated_template

AppFactory = Callable[..., InProcessApp]


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def app_factory(tmp_path: Path, template_database: Path) -> Iterator[AppFactory]:
    """app_factory(env=None) -> a started app with its own data folder and database."""
    started: list[InProcessApp] = []

    def make(env: dict[str, str] | None = None) -> InProcessApp:
        started.append(InProcessApp(tmp_path / f"data{len(started)}", template_database, env))
        return started[-1]

    yield make
    for app in reversed(started):
        app.close()


@pytest.fixture
def app(app_factory: AppFactory) -> InProcessApp:
    return app_factory()


@pytest.fixture
def rep(app: InProcessApp) -> InProcessRep:
    app.create_account("tanaka", name="田中 太郎")
    return InProcessRep(app, "tanaka")


@pytest.fixture
def open_socket(app: InProcessApp) -> Iterator[Callable[[], InProcessSocket]]:
    opened: list[InProcessSocket] = []

    def make() -> InProcessSocket:
        opened.append(InProcessSocket(app))
        return opened[-1]

    yield make
    for socket in reversed(opened):
        socket.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A reply that never comes blocks the test client's receive(): fail in a minute, not in ten."""
    for item in items:
        if "tests/inprocess/" in item.nodeid:
            item.add_marker(pytest.mark.timeout(60))
