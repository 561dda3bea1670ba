"""Outgoing webhooks (R-18) against a real receiver: the example of docs/integrations.md, run as written."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from typing import Any

from tests.support.clients import Rep, Socket, issue_number
from tests.support.documents import make_pdf
from tests.support.integrations import connect_webhook, eventually, portal_post
from tests.support.rep import log_in
from tests.support.server import MendanServer
from tests.support.webhook_receiver import HANG, TRICKLE, ScriptedReceiver

QUICK_RETRIES = {
    "MENDAN_WEBHOOK_TIMEOUT": "1",
    "MENDAN_WEBHOOK_RETRY_BASE": "0.2",
    "MENDAN_WEBHOOK_RETRY_MAX": "1",
}
DOCUMENTED_HEADERS = ("X-Mendan-Event", "X-Mendan-Delivery", "X-Mendan-Timestamp", "X-Mendan-Signature")


def meeting(server: MendanServer, rep: Rep, sockets: list[Socket]) -> tuple[str, Socket]:
    issued = issue_number(server)
    customer, host = Socket(server), Socket(server)
    sockets += [customer, host]
    customer.join(issued["ticket"])
    claimed = rep.claim(issued["number"]).json()
    host.join(claimed["ticket"])
    return claimed["meeting_id"], host


def test_a_meeting_arrives_in_order_after_failures_a_timeout_and_a_restart(
    server_factory: Callable[..., MendanServer], receiver_of: Callable[..., ScriptedReceiver]
) -> None:
    receiver = receiver_of([500, 500, HANG])
    server = server_factory(QUICK_RETRIES)
    number = server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    rep = Rep(server, "tanaka")
    connect_webhook(rep, receiver)
    sockets: list[Socket] = []
    meeting_id, host = meeting(server, rep, sockets)
    eventually(lambda: len(receiver.tries) >= 2)  # meeting.started failed twice
    host.request(type="leave")  # meeting.ended now waits behind meeting.started
    for socket in sockets:
        socket.close()
    server.stop()
    server.start()

    handled = eventually(lambda: len(receiver.handled) == 2 and receiver.handled)
    assert [event["type"] for event in handled] == ["meeting.started", "meeting.ended"]
    started_tries = [t for t in receiver.tries if t.headers["X-Mendan-Event"] == "meeting.started"]
    assert [t.answer for t in started_tries] == [500, 500, HANG, "example"]
    assert receiver.tries[-1].headers["X-Mendan-Event"] == "meeting.ended"  # never before its start

    # Exactly as documented: the envelope, the headers, a signature the doc's code accepts.
    for attempt in receiver.tries:
        assert all(name in attempt.headers for name in DOCUMENTED_HEADERS)
        assert receiver.verify(attempt.headers, attempt.body)
        assert attempt.headers["X-Mendan-Delivery"] == json.loads(attempt.body)["id"]
    started, ended = handled
    assert set(started) == {"id", "type", "created_at", "contract", "data"} and started["contract"] == number
    assert started["data"]["meeting"]["id"] == meeting_id
    assert started["data"]["meeting"]["rep"] == {"login": "tanaka", "display_name": "田中 太郎"}
    data: dict[str, Any] = ended["data"]
    assert set(data) == {"meeting", "participants", "documents", "minutes_path"}
    assert data["meeting"]["duration_seconds"] >= 0 and data["meeting"]["end_reason"]
    assert sorted(p["role"] for p in data["participants"]) == ["customer", "host"]
    assert all("talk_seconds" in p for p in data["participants"])
    assert data["documents"] == {"shown": [], "given": []}
    assert data["minutes_path"] == f"/api/v1/meetings/{meeting_id}"

    # A replayed delivery (an old timestamp) and a forged body are refused by the doc's receiver.
    first = started_tries[-1]
    old = {**first.headers, "X-Mendan-Timestamp": str(int(first.headers["X-Mendan-Timestamp"]) - 301)}
    assert not receiver.verify(old, first.body)
    assert not receiver.verify(first.headers, first.body.replace(b"tanaka", b"suzuki"))

    # The portal's delivery log shows the answers, newest first.
    log = rep.http.get("/portal/integrations").text
    assert log.count('data-testid="webhook-log-row"') >= 4 and "scripted failure" in log
    rep.close()


def test_test_events_from_the_portal_reach_the_receiver_once_with_two_instances(
    server_factory: Callable[..., MendanServer], receiver_of: Callable[..., ScriptedReceiver]
) -> None:
    receiver = receiver_of()
    first = server_factory(QUICK_RETRIES)
    second = server_factory(QUICK_RETRIES, instance_of=first)
    first.create_account("tanaka")
    rep = Rep(first, "tanaka")
    connect_webhook(rep, receiver)
    for _ in range(8):
        page = portal_post(rep, "/portal/webhook/test")
        assert 'data-testid="integrations-notice"' in page
    handled = eventually(lambda: len(receiver.handled) == 8 and receiver.handled)
    deliveries = [t.headers["X-Mendan-Delivery"] for t in receiver.tries]
    assert len(deliveries) == len(set(deliveries)) == 8  # both instances sent, none twice
    assert {event["type"] for event in handled} == {"test"}
    assert second.url != first.url
    rep.close()


def test_only_http_urls_are_taken(server: MendanServer) -> None:
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    for url in ("file:///etc/passwd", "gopher://127.0.0.1:6379/", "http://user:pw@example.jp/", "ftp://x"):
        answer = rep.http.post("/portal/webhook", data={"csrf_token": rep.csrf, "url": url})
        assert answer.status_code == 400 and "http:// または https://" in answer.text
    forged = rep.http.post("/portal/webhook", data={"csrf_token": "forged", "url": "https://example.jp/"})
    assert forged.status_code == 403
    page = rep.http.get("/portal/integrations")
    assert 'data-testid="webhook-secret"' not in page.text
    assert page.headers["cache-control"] == "private, no-store"  # it carries the secret once set
    rep.close()


def test_a_receiver_that_never_finishes_its_answer_is_cut_off_and_tried_again(
    server_factory: Callable[..., MendanServer], receiver_of: Callable[..., ScriptedReceiver]
) -> None:
    receiver = receiver_of([TRICKLE])
    server = server_factory(QUICK_RETRIES)
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    connect_webhook(rep, receiver)
    portal_post(rep, "/portal/webhook/test")
    eventually(lambda: len(receiver.handled) == 1)
    assert [t.answer for t in receiver.tries] == [TRICKLE, "example"]
    log = rep.http.get("/portal/integrations").text
    assert "timeout" in log
    rep.close()


def test_a_given_document_is_reported_after_the_start_of_its_meeting(
    server: MendanServer, rep: Rep, receiver_of: Callable[..., ScriptedReceiver]
) -> None:
    receiver = receiver_of()
    connect_webhook(rep, receiver)
    with closing(log_in(server, "tanaka")) as library:
        uploaded = library.uploaded("案内.pdf", make_pdf(1), shareable=True)
        assert library.wait_rendered(uploaded["id"])["render"]["state"] == "ready"
    sockets: list[Socket] = []
    meeting_id, host = meeting(server, rep, sockets)
    given = host.request(type="give_document", document_id=uploaded["id"])
    assert given["type"] == "document_given"
    handled = eventually(lambda: len(receiver.handled) == 2 and receiver.handled)
    assert [event["type"] for event in handled] == ["meeting.started", "document.given"]
    data = handled[1]["data"]
    assert data["meeting_id"] == meeting_id and data["document"]["filename"] == "案内.pdf"
    assert data["given_by"]["display_name"] == "田中 太郎" and data["given_by"]["role"] == "host"
    for socket in sockets:
        socket.close()
