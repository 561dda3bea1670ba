"""A logged-in rep over plain HTTP: an httpx client holding the session cookie and the CSRF token."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support.server import MendanServer

PASSWORD = "correct-horse"


class RepClient(httpx.Client):
    """An httpx client logged in as one rep ID, with the document library's calls."""

    csrf: str

    def changing(self) -> dict[str, str]:
        """Headers a request that changes something needs."""
        return {"X-CSRF-Token": self.csrf}

    def upload(
        self,
        filename: str,
        data: bytes,
        title: str | None = "会社案内",
        memo: str = "",
        shareable: bool = False,
    ) -> httpx.Response:
        form = {"memo": memo, "shareable": "1" if shareable else "0"}
        if title is not None:
            form["title"] = title
        return self.post(
            "/api/documents", data=form, files={"file": (filename, data)}, headers=self.changing()
        )

    def uploaded(self, filename: str, data: bytes, **form: Any) -> dict[str, Any]:
        response = self.upload(filename, data, **form)
        assert response.status_code == 201, response.text
        document: dict[str, Any] = response.json()["document"]
        return document

    def wait_rendered(self, document_id: str, timeout: float = 60) -> dict[str, Any]:
        """The document once its rendering has ended, ready or failed."""
        deadline = time.monotonic() + timeout
        document: dict[str, Any] = {}
        while time.monotonic() < deadline:
            document = self.get(f"/api/documents/{document_id}").json()["document"]
            if document["render"]["state"] in ("ready", "failed"):
                return document
            time.sleep(0.2)
        raise AssertionError(f"document {document_id} still {document.get('render')} after {timeout} s")


def log_in(server: MendanServer, login: str, password: str = PASSWORD) -> RepClient:
    """Log in the way the login page does: csrf cookie and field, then the dashboard's fresh token."""
    client = RepClient(base_url=server.url, timeout=30, verify=server.verify)
    client.get("/login").raise_for_status()
    token = client.cookies["mendan_csrf"]
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    client.get("/rep").raise_for_status()
    client.csrf = client.cookies["mendan_csrf"]
    return client
