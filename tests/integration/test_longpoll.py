"""R-10.5: signaling over HTTP long polling behaves like the WebSocket: join, relay, bad input
answered, leaving; a closed session starts the grace period like a dropped socket."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import MendanServer

Opener = Callable[[MendanServer], Socket]


class Poller:
    """A signaling client over /signal/… as the page's HttpChannel speaks it."""

    def __init__(self, server: MendanServer) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30)
        opened = self.http.post("/signal/open").json()
        assert opened["ok"] and opened["wait"] > 0
        self.session = opened["session"]
        self.inbox: list[dict[str, Any]] = []

    def send(self, *messages: dict[str, Any] | str) -> None:
        texts = [m if isinstance(m, str) else json.dumps({"v": 1, **m}) for m in messages]
        assert self.http.post(f"/signal/{self.session}/send", json={"messages": texts}).json()["ok"]

    def wait(self, kind: str) -> dict[str, Any]:
        for _ in range(10):
            for index, message in enumerate(self.inbox):
                if message["type"] == kind:
                    return self.inbox.pop(index)
            polled = self.http.get(f"/signal/{self.session}/poll").json()
            assert polled["ok"]
            self.inbox.extend(polled["messages"])
        raise AssertionError(f"no {kind} in {self.inbox}")

    def close(self) -> None:
        self.http.post(f"/signal/{self.session}/close")
        self.http.close()


def test_a_meeting_over_long_polling(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    issued = issue_number(server)
    customer = Poller(server)
    customer.send({"type": "join", "request_id": "1", "ticket": issued["ticket"]})
    joined = customer.wait("joined")
    assert joined["meeting"]["state"] == "waiting"

    host = open_socket(server)  # the rep on a WebSocket: both transports meet in one meeting
    host_joined = host.join(rep.claim(issued["number"]).json()["ticket"])
    assert customer.wait("participant_joined")["participant"]["role"] == "host"

    customer.send(
        "{not json",
        {"type": "signal", "to": host_joined["self_id"], "description": {"type": "offer", "sdp": "v=0 x"}},
    )
    assert customer.wait("error")["error"]["code"] == "malformed_message"  # answered, session goes on
    assert host.wait_type("signal_relayed")["description"]["sdp"] == "v=0 x"
    host.send(type="send_chat", text="こんにちは")
    assert customer.wait("chat_posted")["line"]["text"] == "こんにちは"

    customer.close()  # like a dropped socket: the grace period starts, the meeting goes on
    update = host.wait(
        lambda m: m["type"] == "participant_updated" and m["participant"]["role"] == "customer"
    )
    assert update["participant"]["state"] == "reconnecting"
    again = Poller(server)
    again.send({"type": "join", "request_id": "2", "ticket": issued["ticket"]})
    assert again.wait("joined")["meeting"]["state"] == "active"
    again.close()


def test_unknown_sessions_and_bad_bodies_are_refused(server: MendanServer) -> None:
    assert httpx.get(f"{server.url}/signal/nope/poll").status_code == 404
    assert httpx.post(f"{server.url}/signal/nope/send", json={"messages": []}).status_code == 404
    poller = Poller(server)
    bad = poller.http.post(f"/signal/{poller.session}/send", content=b'{"messages": "x"}')
    assert bad.status_code == 400 and bad.json()["error"]["message"]
    poller.close()
