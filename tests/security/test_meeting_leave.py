"""Nobody is in a meeting unseen: a participant out of the roster (接続終了, replaced, the meeting
ended) hears nothing more of it, over a raw socket that simply stays open and listens."""

from __future__ import annotations

from contextlib import ExitStack, closing, suppress

import httpx
from websockets.exceptions import ConnectionClosed

from tests.support.documents import make_pdf
from tests.support.listening import until_closed
from tests.support.meeting import Meeting
from tests.support.rep import log_in
from tests.support.server import MendanServer

REMOVED, REPLACED = 4003, 4001
MEETING_NEWS = {
    "chat_posted",
    "participant_joined",
    "participant_updated",
    "document_shown",
    "recording_updated",
    "signal_relayed",
}


def _secret_document(server: MendanServer) -> str:
    """A library document the rep may show but not hand out (not shareable)."""
    with closing(log_in(server, "tanaka")) as library:
        uploaded = library.uploaded("社外秘.pdf", make_pdf(2), shareable=False)
        assert library.wait_rendered(uploaded["id"])["render"]["state"] == "ready"
    document_id: str = uploaded["id"]
    return document_id


def test_who_left_hears_nothing_more_and_can_do_nothing(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack, recording=True)
        document_id = _secret_document(server)
        leaver, leaver_id = meeting.invitee("退出者")
        meeting.customer.wait_type("participant_joined")

        assert leaver.request(type="leave")["type"] == "ok"
        assert meeting.customer.wait_type("participant_left")["participant_id"] == leaver_id

        # The meeting goes on without it: chat, media, a secret document, recording, a newcomer.
        meeting.customer.request(type="send_chat", text="見積の件、社内で検討します")
        meeting.host.request(type="update_media", media={"ready": True, "camera": False, "mic": True})
        assert meeting.host.request(type="show_document", document_id=document_id)["type"] == "ok"
        started = meeting.rep.http.post(
            "/api/recordings",
            json={"meeting_id": meeting.meeting_id},
            headers={"X-CSRF-Token": meeting.rep.csrf},
        )
        assert started.status_code == 201, started.text
        meeting.invitee("新しい参加者")
        meeting.host.send(type="signal", to=leaver_id, description={"type": "offer", "sdp": "v=0"})
        shown = meeting.customer.wait_type("document_shown")["document"]
        assert httpx.get(server.url + shown["url"]).status_code == 200  # the others do see it

        heard, code = until_closed(leaver)
        assert [m["type"] for m in heard if m["type"] in MEETING_NEWS] == []
        assert not any(shown["url"] in str(message) for message in heard)
        assert code == REMOVED  # closed by the server, with the code the page stops on

        # Whatever it still sends does not reach the meeting.
        with suppress(ConnectionClosed):
            leaver.send(type="signal", to=meeting.host_id, description={"type": "offer", "sdp": "v=0 evil"})
            leaver.send(type="send_chat", text="まだいます")
        others = meeting.host.nothing_arrives(1)
        assert not [m for m in others if m["type"] == "signal_relayed" and m["sender"] == leaver_id]
        assert "まだいます" not in str(others)


def test_a_replaced_socket_hears_nothing_and_cannot_speak(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        old = meeting.customer
        old.nothing_arrives(0.5)  # the news of the host's arrival, before it was replaced
        new = meeting.socket()
        assert new.join(meeting.customer_ticket)["self_id"] == meeting.customer_id

        # The old socket, before or after its close arrives, still tries to act as the customer.
        with suppress(ConnectionClosed):
            old.send(type="signal", to=meeting.host_id, description={"type": "offer", "sdp": "v=0 ghost"})
        meeting.host.request(type="send_chat", text="お待たせしました")
        assert new.wait_type("chat_posted")["line"]["text"] == "お待たせしました"

        heard, code = until_closed(old)
        assert [m["type"] for m in heard if m["type"] in MEETING_NEWS] == []
        assert code == REPLACED
        assert not [m for m in meeting.host.nothing_arrives(1) if m["type"] == "signal_relayed"]


def test_everyone_is_let_go_when_the_meeting_ends(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        assert meeting.host.request(type="leave")["type"] == "ok"
        heard, code = until_closed(meeting.customer)
        assert "meeting_ended" in [m["type"] for m in heard]
        assert code == REMOVED
        assert until_closed(meeting.host)[1] == REMOVED
