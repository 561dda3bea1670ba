"""The app in the test's own process: create_app on a real SQLite file, driven by Starlette's
TestClient (HTTP and WebSocket without a port), with the injected clock moved instead of waiting.

For the server's own logic (meetings, signaling, recordings, rate limits) this is the fast lane;
what needs a real `mendan serve` (TLS, proxies, several instances, browsers) uses tests/support/server.py.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

from starlette.testclient import TestClient, WebSocketTestSession

from server.app import create_app
from server.auth.accounts import create_account
from server.clock import Clock
from server.db.migrate import upgrade
from server.services import Services
from server.settings import Settings
from server.signaling.endpoint import SOCKET_END_TASK
from server.startup import sweep_once
from tests.support.clients import CSRF_FIELD

T = TypeVar("T")

DATABASE_FILE = "mendan.sqlite3"


def migrated_template(folder: Path) -> Path:
    """A SQLite database at the newest schema, made once and copied for every app (Alembic is slow)."""
    template = folder / DATABASE_FILE
    if not template.exists():
        upgrade(f"sqlite:///{template}")
    return template


class InProcessApp:
    """A started app on its own data folder; ``clock`` is the clock it reads time from."""

    def __init__(self, data_dir: Path, template: Path, env: dict[str, str] | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, data_dir / DATABASE_FILE)
        self.settings = Settings.from_env({"MENDAN_SECRET_KEY": "test-secret", **(env or {})}, str(data_dir))
        self.clock = Clock()
        # No sweeper racing the test: the test moves the clock and calls sweep() itself.
        self.app = create_app(self.settings, self.clock, sweeper=False)
        self._stack = ExitStack()
        self.client = self._stack.enter_context(TestClient(self.app, base_url="http://127.0.0.1"))

    @property
    def services(self) -> Services:
        found = self.app.state.services
        assert isinstance(found, Services)
        return found

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Await ``work()`` on the app's own event loop (its services live there)."""
        return self.client.portal.call(work)  # type: ignore[union-attr]

    def create_account(self, login: str, password: str = "correct-horse", name: str = "") -> None:
        async def work() -> None:
            async with self.services.database.session() as db, db.begin():
                await create_account(
                    db,
                    login,
                    password,
                    customer_number=None,
                    display_name=name,
                    company_name="",
                    now=self.clock.now(),
                )

        self.run(work)

    def sweep(self) -> None:
        """One round of the sweeper, run now; then until the recordings it began finishing are done."""

        async def work() -> None:
            await sweep_once(self.services)
            await self.services.recordings.finishes_done()

        self.run(work)

    def close(self) -> None:
        self.run(_socket_ends)  # before the loop stops: it would cut their queries off half way
        self._stack.close()


async def _socket_ends() -> None:
    ending = [task for task in asyncio.all_tasks() if task.get_name() == SOCKET_END_TASK]
    await asyncio.gather(*ending, return_exceptions=True)


class InProcessRep:
    """A logged-in rep's browser session against an in-process app (own cookie jar)."""

    def __init__(self, app: InProcessApp, login: str, password: str = "correct-horse") -> None:
        self.http = TestClient(app.app, base_url="http://127.0.0.1", follow_redirects=False)
        # On the app's own event loop, where its database connections live (a client not entered
        # as a context would run each request on a fresh loop of its own).
        self.http.portal = app.client.portal
        page = self.http.get("/login")
        token = CSRF_FIELD.search(page.text)
        assert token, page.text
        response = self.http.post(
            "/login", data={"login": login, "password": password, "csrf_token": token[1]}
        )
        assert response.status_code == 303, response.text
        rep_page = self.http.get("/rep")
        found = CSRF_FIELD.search(rep_page.text)
        assert found, rep_page.text
        self.csrf = found[1]

    def claim(self, number: str, recording: bool = False) -> Any:
        return self.http.post(
            "/api/meetings",
            json={"number": number, "recording": recording},
            headers={"X-CSRF-Token": self.csrf},
        )


class InProcessSocket:
    """A signaling WebSocket to the in-process app, with the helpers of tests/support/clients.Socket."""

    def __init__(self, app: InProcessApp) -> None:
        self._stack = ExitStack()
        self.ws: WebSocketTestSession = self._stack.enter_context(app.client.websocket_connect("/ws"))
        self._next = 0

    def send(self, **message: Any) -> None:
        self.ws.send_text(json.dumps({"v": 1, **message}))

    def send_raw(self, text: str) -> None:
        self.ws.send_text(text)

    def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = self.ws.receive_json()
        return message

    def request(self, **message: Any) -> dict[str, Any]:
        """Send with a fresh request id and return the reply to it (what arrives before is skipped)."""
        self._next += 1
        request_id = f"r{self._next}"
        self.send(request_id=request_id, **message)
        return self.wait(lambda m: m.get("request_id") == request_id)

    def wait(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while True:
            message = self.receive()
            if match(message):
                return message

    def wait_type(self, kind: str) -> dict[str, Any]:
        return self.wait(lambda m: m.get("type") == kind)

    def join(self, ticket: str) -> dict[str, Any]:
        return self.request(type="join", ticket=ticket)

    def drop(self) -> None:
        """The client goes away: the app sees the disconnect and handles it as a lost socket.

        (Leaving the test client's context would also cancel the app's handler at once, which a
        real server never does, so the socket's end would not be handled.)
        """
        self.ws.close(1006)

    def close(self) -> None:
        self._stack.close()
