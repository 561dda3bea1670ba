"""R-3 over real sockets: invites, the 4-person cap, chat kept with the meeting, TURN credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import MendanServer

Opener = Callable[[MendanServer], Socket]


def _active_meeting(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> tuple[Socket, Socket, dict[str, Any]]:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    joined = host.join(rep.claim(issued["number"]).json()["ticket"])
    return customer, host, joined


def _csrf_client(server: MendanServer) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, timeout=10)
    client.get("/")
    return client, client.cookies["mendan_csrf"]


def _join_invite(server: MendanServer, url: str, name: str) -> httpx.Response:
    client, csrf = _csrf_client(server)
    token = url.rsplit("/", 1)[1]
    try:
        return client.post(
            "/api/invite/join", json={"token": token, "display_name": name}, headers={"X-CSRF-Token": csrf}
        )
    finally:
        client.close()


def test_invite_url_adds_named_people_up_to_four(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    customer, host, _ = _active_meeting(server, rep, open_socket)
    invite = host.request(type="create_invite")
    assert invite["type"] == "invite_created" and invite["url"].startswith(server.url + "/invite/")
    page = httpx.get(invite["url"])
    assert page.status_code == 200 and "田中 太郎" in page.text and 'data-testid="display-name"' in page.text

    for name in ("山田 花子", "鈴木 一郎"):
        joined = _join_invite(server, invite["url"], name)
        assert joined.status_code == 200, joined.text
        # Announced to everyone, with the name, before the newcomer has even opened a socket.
        for socket in (customer, host):
            announced = socket.wait(
                lambda m, n=name: m["type"] == "participant_joined" and m["participant"]["display_name"] == n
            )
            assert announced["participant"]["role"] == "invitee"

    fifth = _join_invite(server, invite["url"], "五人目")
    body = fifth.json()
    assert (
        fifth.status_code == 409
        and body["error"]["code"] == "meeting_full"
        and "4名" in body["error"]["message"]
    )
    assert "満員" not in httpx.get(invite["url"]).text  # the page still opens and explains


def test_only_the_host_makes_invites(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    customer, _, _ = _active_meeting(server, rep, open_socket)
    refused = customer.request(type="create_invite")
    assert refused["error"]["code"] == "not_allowed"


def test_tampered_and_dead_invites_get_clear_pages(server_factory, open_socket) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_INVITE_TTL": "2"})
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    _, host, _ = _active_meeting(server, rep, open_socket)
    url = host.request(type="create_invite")["url"]
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert "招待URLが正しくありません" in httpx.get(tampered).text
    assert _join_invite(server, tampered, "誰か").json()["error"]["code"] == "invalid_invite"
    time.sleep(2.5)
    assert "有効期限が切れました" in httpx.get(url).text
    assert _join_invite(server, url, "誰か").json()["error"]["code"] == "invite_expired"

    fresh = host.request(type="create_invite")["url"]
    host.request(type="leave")
    assert "この商談はすでに終了しています" in httpx.get(fresh).text
    assert _join_invite(server, fresh, "誰か").json()["error"]["code"] == "meeting_ended"
    rep.close()


def test_names_are_required(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    _, host, _ = _active_meeting(server, rep, open_socket)
    url = host.request(type="create_invite")["url"]
    for name in ("", "   ", "x" * 51):
        assert _join_invite(server, url, name).json()["error"]["code"] == "invalid_name"


def test_invitee_leaving_keeps_the_meeting_but_the_rep_leaving_ends_it(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    customer, host, _ = _active_meeting(server, rep, open_socket)
    url = host.request(type="create_invite")["url"]
    ticket = _join_invite(server, url, "山田 花子").json()["ticket"]
    invitee = open_socket(server)
    assert len(invitee.join(ticket)["participants"]) == 3
    invitee.request(type="leave")
    assert customer.wait_type("participant_left")["reason"] == "left"
    assert all(m["type"] != "meeting_ended" for m in customer.nothing_arrives(0.5))  # the meeting goes on
    ticket = _join_invite(server, url, "鈴木 一郎").json()["ticket"]
    second = open_socket(server)
    second.join(ticket)
    host.request(type="leave")
    assert second.wait_type("meeting_ended")["reason"] == "other_left"
    assert customer.wait_type("meeting_ended")["reason"] == "other_left"


def test_chat_reaches_everyone_and_is_kept(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    customer, host, _ = _active_meeting(server, rep, open_socket)
    assert host.request(type="send_chat", text="  資料をお送りします  ")["type"] == "ok"
    line = customer.wait_type("chat_posted")["line"]
    assert (line["display_name"], line["text"]) == ("田中 太郎", "資料をお送りします")
    assert host.request(type="send_chat", text="   ")["error"]["code"] == "bad_request"
    assert host.request(type="send_chat", text="x" * 2001)["error"]["code"] == "malformed_message"


def test_chat_history_comes_with_the_snapshot(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    host.join(rep.claim(issued["number"]).json()["ticket"])
    host.request(type="send_chat", text="こんにちは")
    customer.close()
    back = open_socket(server).join(issued["ticket"])
    assert [line["text"] for line in back["chat"]] == ["こんにちは"]


def test_turn_credentials_are_short_lived_and_valid(server_factory, open_socket) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(
        {
            "MENDAN_TURN_URLS": "turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp",
            "MENDAN_TURN_SECRET": "coturn-secret",
            "MENDAN_TURN_TTL": "600",
            "MENDAN_ICE_TRANSPORT_POLICY": "relay",
        }
    )
    joined = open_socket(server).join(issue_number(server)["ticket"])
    assert joined["ice_transport_policy"] == "relay"
    (turn,) = joined["ice_servers"]
    assert turn["urls"] == ["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"]
    expiry, participant = turn["username"].split(":")
    assert participant == joined["self_id"] and 590 < int(expiry) - time.time() <= 600
    expected = base64.b64encode(hmac.new(b"coturn-secret", turn["username"].encode(), hashlib.sha1).digest())
    assert turn["credential"] == expected.decode()
