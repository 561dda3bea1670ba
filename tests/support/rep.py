"""A logged-in rep over plain HTTP: an httpx client holding the session cookie and the CSRF token."""

from __future__ import annotations

import httpx

from tests.support.server import MendanServer

PASSWORD = "correct-horse"


class RepClient(httpx.Client):
    """An httpx client logged in as one rep ID; ``csrf`` is the header value for changing requests."""

    csrf: str

    def changing(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


def log_in(server: MendanServer, login: str, password: str = PASSWORD) -> RepClient:
    """Log in the way the login page does: csrf cookie and field, then the dashboard's fresh token."""
    client = RepClient(base_url=server.url, timeout=30)
    client.get("/login").raise_for_status()
    token = client.cookies["mendan_csrf"]
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    client.get("/rep").raise_for_status()
    client.csrf = client.cookies["mendan_csrf"]
    return client
