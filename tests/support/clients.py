"""Speaking to a real server as the pages do: HTTP with login and CSRF, and signaling WebSockets."""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.support.server import MendanServer

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Rep:
    """A logged-in rep's browser session over HTTP."""

    def __init__(self, server: MendanServer, login: str, password: str = "correct-horse") -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
        page = self.http.get("/login")
        token = CSRF_FIELD.search(page.text)
        assert token, page.text
        response = self.http.post(
            "/login", data={"login": login, "password": password, "csrf_token": token[1]}
        )
        assert response.status_code == 303, response.text
        self.csrf = self._csrf_from("/rep")

    def _csrf_from(self, path: str) -> str:
        page = self.http.get(path)
        token = CSRF_FIELD.search(page.text)
        assert token, page.text
        return token[1]

    def claim(self, number: str, recording: Any = False) -> httpx.Response:
        return self.http.post(
            "/api/meetings",
            json={"number": number, "recording": recording},
            headers={"X-CSRF-Token": self.csrf},
        )

    def close(self) -> None:
        self.http.close()


def issue_number(server: MendanServer) -> dict[str, Any]:
    response = httpx.post(f"{server.url}/api/numbers", timeout=10)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


class Socket:
    """A signaling WebSocket with helpers to send requests and wait for given message types."""

    def __init__(self, server: MendanServer) -> None:
        self._stack = ExitStack()
        url = server.url.replace("http", "ws") + "/ws"
        self.ws: ClientConnection = self._stack.enter_context(connect(url, open_timeout=10))
        self.inbox: list[dict[str, Any]] = []
        self._next = 0

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps({"v": 1, **message}))

    def send_raw(self, data: str | bytes) -> None:
        self.ws.send(data)

    def request(self, **message: Any) -> dict[str, Any]:
        self._next += 1
        request_id = f"r{self._next}"
        self.send(request_id=request_id, **message)
        return self.wait(lambda m: m.get("request_id") == request_id)

    def join(self, ticket: str) -> dict[str, Any]:
        return self.request(type="join", ticket=ticket)

    def wait(self, match: Any, timeout: float = 10) -> dict[str, Any]:
        """The first message (kept or new) for which match(message) is true."""
        for index, message in enumerate(self.inbox):
            if match(message):
                return self.inbox.pop(index)
        while True:
            message = json.loads(self.ws.recv(timeout=timeout))
            if match(message):
                return message
            self.inbox.append(message)

    def wait_type(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        return self.wait(lambda m: m.get("type") == kind, timeout)

    def nothing_arrives(self, seconds: float = 0.5) -> list[dict[str, Any]]:
        """Everything that arrives within ``seconds`` (an empty list is what callers usually expect)."""
        got = list(self.inbox)
        self.inbox.clear()
        try:
            while True:
                got.append(json.loads(self.ws.recv(timeout=seconds)))
        except TimeoutError:
            return got

    def close(self) -> None:
        self._stack.close()
