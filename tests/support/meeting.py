"""A running meeting driven by raw sockets, as the security tests attack it: a rep's HTTP session,
the customer and the host joined, invitees added through the invite API."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import httpx

from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import MendanServer


class Meeting:
    """Customer and host joined over their own WebSockets; everything is closed with the stack."""

    def __init__(self, server: MendanServer, stack: ExitStack, recording: bool = False) -> None:
        self.server = server
        self.stack = stack
        server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
        self.rep = Rep(server, "tanaka")
        stack.callback(self.rep.close)
        issued = issue_number(server)
        self.customer_ticket: str = issued["ticket"]
        self.customer = self.socket()
        self.customer_id: str = self.customer.join(self.customer_ticket)["self_id"]
        claimed = self.rep.claim(issued["number"], recording=recording).json()
        self.meeting_id: str = claimed["meeting_id"]
        self.host = self.socket()
        self.host_id: str = self.host.join(claimed["ticket"])["self_id"]

    def socket(self) -> Socket:
        socket = Socket(self.server)
        self.stack.callback(socket.close)
        return socket

    def invitee_ticket(self, name: str) -> str:
        """A ticket for a named invitee, through the host's invite URL and the invite page's API."""
        url = self.host.request(type="create_invite")["url"]
        with httpx.Client(base_url=self.server.url, timeout=10) as client:
            client.get("/")
            response = client.post(
                "/api/invite/join",
                json={"token": url.rsplit("/", 1)[1], "display_name": name},
                headers={"X-CSRF-Token": client.cookies["mendan_csrf"]},
            )
        assert response.status_code == 200, response.text
        ticket: str = response.json()["ticket"]
        return ticket

    def invitee(self, name: str) -> tuple[Socket, str]:
        """An invitee joined on its own socket, and its participant id."""
        socket = self.socket()
        joined: dict[str, Any] = socket.join(self.invitee_ticket(name))
        return socket, joined["self_id"]
