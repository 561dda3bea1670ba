"""Floods inside a meeting: a socket that does not read is closed with TOO_SLOW (never silently
short of messages) and gets everything back by re-joining; a socket that floods signals or chat
gets a clear error and the meeting goes on; a meeting's chat has a cap."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from server.i18n import catalogue_for
from tests.support.listening import StalledSocket
from tests.support.meeting import Meeting
from tests.support.server import MendanServer

TOO_SLOW = 4002
BIG_SDP = "a=candidate " + "x" * 32_000


def test_a_socket_that_cannot_keep_up_is_closed_and_recovers_by_joining_again(
    server_factory: Any,
) -> None:
    server = server_factory({"MENDAN_SIGNAL_LIMIT": "100000/1"})  # the flood here is the host's own
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        meeting.customer.close()
        slow = StalledSocket(server)
        stack.callback(slow.close)
        slow.send(type="join", ticket=meeting.customer_ticket, request_id="join")
        meeting.host.wait_type("participant_updated")  # it joined

        sent = 800
        for _ in range(sent):
            meeting.host.send(
                type="signal", to=meeting.customer_id, description={"type": "offer", "sdp": BIG_SDP}
            )
        assert meeting.host.request(type="ping")["type"] == "ok"  # the server took the whole flood

        heard, code = slow.read_all()
        signals = [m for m in heard if m["type"] == "signal_relayed"]
        assert len(signals) < sent  # it fell behind...
        assert code == TOO_SLOW  # ...and was told so, rather than left open and short of messages

        again = meeting.socket()
        snapshot = again.join(meeting.customer_ticket)
        assert snapshot["type"] == "joined"
        assert {p["id"] for p in snapshot["participants"]} == {meeting.customer_id, meeting.host_id}
        meeting.host.request(type="send_chat", text="聞こえますか")
        assert again.wait_type("chat_posted")["line"]["text"] == "聞こえますか"


def test_a_socket_flooding_signals_is_refused_and_the_meeting_goes_on(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        hostile, _ = meeting.invitee("攻撃者")
        host_id = meeting.host_id
        for _ in range(400):  # more than the burst a WebRTC negotiation needs (300)
            hostile.send(
                type="signal", to=host_id, candidate={"candidate": "candidate:1 1 udp 1 1.2.3.4 9 typ host"}
            )
        refused = hostile.wait(lambda m: m.get("type") == "error")["error"]
        assert refused["code"] == "signals_too_fast"
        assert refused["message"] == _ja("error.signals_too_fast")

        meeting.customer.request(type="send_chat", text="続けましょう")
        assert meeting.host.wait_type("chat_posted")["line"]["text"] == "続けましょう"
        relayed = [m for m in meeting.host.nothing_arrives(1) if m["type"] == "signal_relayed"]
        assert len(relayed) < 400


def test_chat_floods_are_refused_per_socket_and_a_meeting_keeps_a_bounded_chat(
    server_factory: Any,
) -> None:
    server = server_factory({"MENDAN_CHAT_MAX_PER_MEETING": "15"})
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        answers = [meeting.customer.request(type="send_chat", text=f"連投{n}") for n in range(12)]
        codes = [a["error"]["code"] if a["type"] == "error" else "ok" for a in answers]
        assert codes[:10] == ["ok"] * 10 and codes[10:] == ["chat_too_fast"] * 2
        assert answers[-1]["error"]["message"] == _ja("error.chat_too_fast")

        answers = [meeting.host.request(type="send_chat", text=f"返信{n}") for n in range(6)]
        codes = [a["error"]["code"] if a["type"] == "error" else "ok" for a in answers]
        assert codes == ["ok"] * 5 + ["chat_full"]
        assert answers[-1]["error"]["message"] == _ja("error.chat_full")
        assert (
            meeting.host.request(type="update_media", media={"ready": True, "camera": True, "mic": True})[
                "type"
            ]
            == "ok"
        )  # the meeting itself goes on


def _ja(key: str) -> str:
    text: str = catalogue_for("ja").text(key)
    return text
