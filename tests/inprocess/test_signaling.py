"""SignalingSession, Hub and MeetingService through create_app and Starlette's test client, on
SQLite in this process; time moves by the injected clock, nobody sleeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from protocol.signaling import MAX_MESSAGE_BYTES
from tests.support.inprocess import InProcessApp, InProcessRep, InProcessSocket

Opener = Callable[[], InProcessSocket]


def _issue(app: InProcessApp) -> dict[str, Any]:
    response = app.client.post("/api/numbers")
    assert response.status_code == 200, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _meeting(
    app: InProcessApp, rep: InProcessRep, open_socket: Opener
) -> tuple[InProcessSocket, InProcessSocket, dict[str, Any], dict[str, Any]]:
    """A customer waiting on a number and the rep who claimed it, both joined."""
    issued = _issue(app)
    customer = open_socket()
    joined = customer.join(issued["ticket"])
    assert joined["type"] == "joined" and joined["meeting"]["state"] == "waiting"
    claim = rep.claim(issued["number"]).json()
    host = open_socket()
    host_joined = host.join(claim["ticket"])
    customer.wait_type("meeting_started")
    return customer, host, joined, host_joined


def test_a_meeting_relays_signals_and_chat_and_ends_when_the_rep_leaves(
    app: InProcessApp, rep: InProcessRep, open_socket: Opener
) -> None:
    customer, host, joined, host_joined = _meeting(app, rep, open_socket)
    assert app.services.hub.participant_count == 2
    host.send(
        type="signal", to=joined["self_id"], description={"type": "offer", "sdp": "v=0 test"}, link="a1"
    )
    relayed = customer.wait_type("signal_relayed")
    assert (relayed["sender"], relayed["description"]["sdp"]) == (host_joined["self_id"], "v=0 test")
    assert host.request(type="send_chat", text="資料をご覧ください")["type"] == "ok"
    assert customer.wait_type("chat_posted")["line"]["text"] == "資料をご覧ください"
    assert host.request(type="leave")["type"] == "ok"
    assert customer.wait_type("meeting_ended")["reason"] == "other_left"


def test_a_raw_client_sending_an_unknown_type_gets_a_clear_error_and_goes_on(
    app: InProcessApp, open_socket: Opener
) -> None:
    socket = open_socket()
    socket.send_raw(json.dumps({"v": 1, "type": "teleport", "request_id": "t1"}))
    reply = socket.receive()
    assert reply["type"] == "error" and reply["request_id"] == "t1"
    assert reply["error"]["code"] == "unknown_message_type"
    assert reply["error"]["message"]  # the catalogue's sentence, not an empty string
    assert socket.request(type="ping")["type"] == "ok"


def test_the_message_limit_counts_bytes_not_characters(app: InProcessApp, open_socket: Opener) -> None:
    """Japanese text takes three UTF-8 bytes a character: within the limit in characters, over it in bytes."""
    padding = "資" * (MAX_MESSAGE_BYTES // 2)
    text = json.dumps({"v": 1, "type": "ping", "request_id": "p1", "pad": padding}, ensure_ascii=False)
    assert len(text) < MAX_MESSAGE_BYTES < len(text.encode())
    socket = open_socket()
    socket.send_raw(text)
    assert socket.receive()["error"]["code"] == "message_too_large"
    assert socket.request(type="ping")["type"] == "ok"


def test_an_unclaimed_number_expires_when_its_time_is_up(app: InProcessApp, open_socket: Opener) -> None:
    customer = open_socket()
    customer.join(_issue(app)["ticket"])
    app.sweep()
    app.clock.advance(app.settings.number_ttl + 1)
    app.sweep()
    assert customer.wait_type("meeting_ended")["reason"] == "number_expired"


def test_a_drop_past_the_grace_period_ends_the_meeting(
    app: InProcessApp, rep: InProcessRep, open_socket: Opener
) -> None:
    customer, host, _joined, _host_joined = _meeting(app, rep, open_socket)
    customer.drop()
    update = host.wait(
        lambda m: m["type"] == "participant_updated" and m["participant"]["role"] == "customer"
    )
    assert update["participant"]["state"] == "reconnecting"
    app.sweep()  # inside the grace period: nothing ends
    assert host.request(type="ping")["type"] == "ok"
    app.clock.advance(app.settings.grace_period + 1)
    app.sweep()
    assert host.wait_type("participant_left")["reason"] == "connection_lost"
    assert host.wait_type("meeting_ended")["reason"] == "other_left"


def test_the_chat_allowance_refills_with_time(
    app: InProcessApp, rep: InProcessRep, open_socket: Opener
) -> None:
    _customer, host, _joined, _host_joined = _meeting(app, rep, open_socket)
    burst, seconds = app.settings.chat_limit
    for n in range(burst):
        assert host.request(type="send_chat", text=f"{n}")["type"] == "ok"
    assert host.request(type="send_chat", text="one too many")["error"]["code"] == "chat_too_fast"
    app.clock.advance(seconds)
    assert host.request(type="send_chat", text="later")["type"] == "ok"


def test_the_issue_limit_of_one_address_opens_again_after_its_window(app: InProcessApp) -> None:
    count, seconds = app.settings.issue_limit
    for _ in range(count):
        _issue(app)
    refused = app.client.post("/api/numbers")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    app.clock.advance(seconds + 1)
    _issue(app)


def test_a_lock_after_wrong_numbers_ends_when_the_lockout_has_passed(
    app: InProcessApp, rep: InProcessRep
) -> None:
    count, _seconds = app.settings.guess_limit
    for _ in range(count):
        assert rep.claim("11111").json()["error"]["code"] == "invalid_number"
    number = _issue(app)["number"]
    locked = rep.claim(number)
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked_out"
    app.clock.advance(app.settings.lockout + 1)
    assert rep.claim(_issue(app)["number"]).status_code == 200  # (the first number expired meanwhile)
