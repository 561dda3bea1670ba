"""The /ws endpoint against a real server: joins, relays, bad input, leaving, drops and restarts."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import MendanServer

Opener = Callable[[MendanServer], Socket]


def _meeting(server: MendanServer, rep: Rep, open_socket: Opener) -> tuple[Socket, Socket, dict, dict]:  # type: ignore[type-arg]
    """A customer waiting on a number and the rep who claimed it, both joined."""
    issued = issue_number(server)
    customer = open_socket(server)
    joined = customer.join(issued["ticket"])
    assert joined["type"] == "joined" and joined["meeting"]["state"] == "waiting"
    claim = rep.claim(issued["number"]).json()
    host = open_socket(server)
    host_joined = host.join(claim["ticket"])
    return customer, host, joined, host_joined


def test_customer_learns_who_connected_before_any_media(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    customer, _host, _joined, host_joined = _meeting(server, rep, open_socket)
    started = customer.wait_type("meeting_started")
    assert started["meeting"]["state"] == "active" and started["meeting"]["recording"] is False
    announced = customer.wait_type("participant_joined")["participant"]
    assert (announced["display_name"], announced["company_name"], announced["role"]) == (
        "田中 太郎",
        "株式会社サンプル",
        "host",
    )
    roster = {p["role"] for p in host_joined["participants"]}
    assert roster == {"host", "customer"}


def test_signals_are_relayed_only_between_announced_participants(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    customer, host, joined, host_joined = _meeting(server, rep, open_socket)
    customer_id, host_id = joined["self_id"], host_joined["self_id"]
    host.send(type="signal", to=customer_id, description={"type": "offer", "sdp": "v=0 test"}, link="a1")
    relayed = customer.wait_type("signal_relayed")
    assert relayed["sender"] == host_id and relayed["description"]["sdp"] == "v=0 test"
    assert (relayed["link"], relayed.get("to_link")) == ("a1", None)  # a fresh offer: no generation of theirs
    customer.send(type="signal", to=host_id, candidate={"candidate": "x"}, link="b2", to_link="a1")
    relayed = host.wait_type("signal_relayed")
    assert (relayed["link"], relayed["to_link"]) == ("b2", "a1")  # docs/negotiation.md
    customer.send(type="signal", to=host_id, candidate={"candidate": "x"}, link="b" * 33)
    assert customer.wait_type("error")["error"]["code"] == "malformed_message"
    customer.send(type="signal", to=host_id, view={"width": 320, "height": 240})  # how large it shows them
    assert host.wait_type("signal_relayed")["view"] == {"width": 320, "height": 240}
    for view in ({"width": 0, "height": 240}, {"width": 320, "height": 100_000}, {"width": 320}):
        customer.send(type="signal", to=host_id, view=view)
        assert customer.wait_type("error")["error"]["code"] == "malformed_message"

    stranger = open_socket(server)  # connected but never joined: gets nothing, may send nothing
    stranger.send(type="signal", to=customer_id, description={"type": "offer", "sdp": "v=0 evil"})
    assert stranger.wait_type("error")["error"]["code"] == "not_joined"
    host.send(type="update_media", media={"ready": True, "camera": True, "mic": True})
    assert stranger.nothing_arrives() == []
    assert all(m.get("type") != "signal_relayed" for m in customer.nothing_arrives())

    host.send(type="signal", to="0000000000000000", candidate={"candidate": "x"})
    assert host.wait_type("error")["error"]["code"] == "unknown_participant"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("{not json", "malformed_message"),
        ('"just a string"', "malformed_message"),
        (json.dumps({"v": 1, "type": "teleport"}), "unknown_message_type"),
        (json.dumps({"v": 2, "type": "ping", "request_id": "1"}), "unsupported_version"),
        (json.dumps({"v": 1, "type": "signal"}), "malformed_message"),
        (json.dumps({"v": 1, "type": "ping", "request_id": "1", "pad": "x" * 200_000}), "message_too_large"),
        (b"\x00\x01binary", "malformed_message"),
    ],
)
def test_bad_messages_get_an_error_and_the_meeting_goes_on(
    server: MendanServer, rep: Rep, open_socket: Opener, payload: str | bytes, code: str
) -> None:
    customer, host, joined, host_joined = _meeting(server, rep, open_socket)
    host.send_raw(payload)
    assert host.wait_type("error")["error"]["code"] == code
    assert host.request(type="ping")["type"] == "ok"  # the same socket still works
    host.send(
        type="signal",
        to=joined["self_id"],
        candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
    )
    assert customer.wait_type("signal_relayed")["sender"] == host_joined["self_id"]


def test_a_bad_ticket_is_refused_and_the_socket_stays(server: MendanServer, open_socket: Opener) -> None:
    socket = open_socket(server)
    for ticket in ("nonsense", "abc.def", issue_number(server)["ticket"] + "x"):
        reply = socket.join(ticket)
        assert reply["type"] == "error" and reply["error"]["code"] == "invalid_ticket"
    assert socket.join(issue_number(server)["ticket"])["type"] == "joined"
    assert socket.join(issue_number(server)["ticket"])["error"]["code"] == "already_joined"


def test_leaving_ends_a_one_to_one_meeting_for_the_other(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    host_joined = host.join(rep.claim(issued["number"]).json()["ticket"])
    assert host.request(type="leave")["type"] == "ok"
    assert customer.wait_type("participant_left")["participant_id"] == host_joined["self_id"]
    assert customer.wait_type("meeting_ended")["reason"] == "other_left"
    # Single use: neither the old ticket nor the number opens the meeting again.
    assert open_socket(server).join(issued["ticket"])["error"]["code"] == "meeting_ended"
    assert rep.claim(issued["number"]).json()["error"]["code"] == "invalid_number"


def test_a_drop_inside_the_grace_period_is_a_reconnect(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    host.join(rep.claim(issued["number"]).json()["ticket"])
    customer.close()
    update = host.wait(
        lambda m: m["type"] == "participant_updated" and m["participant"]["role"] == "customer"
    )
    assert update["participant"]["state"] == "reconnecting"
    back = open_socket(server)
    snapshot = back.join(issued["ticket"])
    assert snapshot["meeting"]["state"] == "active" and len(snapshot["participants"]) == 2
    update = host.wait(
        lambda m: m["type"] == "participant_updated" and m["participant"]["state"] == "connected"
    )
    assert update["participant"]["version"] > 2


def test_the_grace_period_running_out_ends_the_meeting(server_factory, open_socket) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_GRACE_PERIOD": "1"})
    server.create_account("tanaka")
    rep = Rep(server, "tanaka")
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    host.join(rep.claim(issued["number"]).json()["ticket"])
    customer.close()
    assert host.wait_type("participant_left", timeout=5)["reason"] == "connection_lost"
    assert host.wait_type("meeting_ended", timeout=5)["reason"] == "other_left"
    assert open_socket(server).join(issued["ticket"])["error"]["code"] == "meeting_ended"
    rep.close()


def test_an_unclaimed_number_expires_and_the_waiting_page_is_told(server_factory, open_socket) -> None:  # type: ignore[no-untyped-def]
    server = server_factory({"MENDAN_NUMBER_TTL": "1"})
    customer = open_socket(server)
    customer.join(issue_number(server)["ticket"])
    assert customer.wait_type("meeting_ended", timeout=5)["reason"] == "number_expired"


def test_a_server_restart_does_not_end_the_meeting(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host_ticket = rep.claim(issued["number"]).json()["ticket"]
    open_socket(server).join(host_ticket)
    server.stop()
    server.start()
    customer_again, host_again = open_socket(server), open_socket(server)
    assert customer_again.join(issued["ticket"])["meeting"]["state"] == "active"
    assert len(host_again.join(host_ticket)["participants"]) == 2


def test_compression_offered_by_the_client_is_declined(server: MendanServer, open_socket: Opener) -> None:
    """permessage-deflate would keep ~40 KiB of zlib state per socket for messages of a few hundred
    bytes (docs/scaling.md): the server answers the offer browsers make without the extension."""
    socket = open_socket(server)
    assert socket.ws.request is not None and socket.ws.response is not None
    assert "permessage-deflate" in socket.ws.request.headers["Sec-WebSocket-Extensions"]
    assert "Sec-WebSocket-Extensions" not in socket.ws.response.headers
    assert socket.request(type="ping")["type"] == "ok"
