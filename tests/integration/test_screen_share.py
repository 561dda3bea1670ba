"""画面共有 over real sockets: one share at a time, who may stop it, the snapshot, a sharer who leaves."""

from __future__ import annotations

from contextlib import ExitStack

from tests.support.clients import Socket, issue_number
from tests.support.meeting import Meeting
from tests.support.server import MendanServer


def test_one_share_at_a_time_announced_to_everyone(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        guest, guest_id = meeting.invitee("佐藤")

        assert meeting.customer.request(type="start_screen_share", stream_id="{screen-1}")["type"] == "ok"
        for socket in (meeting.host, guest, meeting.customer):
            share = socket.wait_type("screen_share_updated")["share"]
            assert (share["participant_id"], share["stream_id"]) == (meeting.customer_id, "{screen-1}")

        # Someone else sharing is refused while the customer shares; the share stays theirs.
        busy = guest.request(type="start_screen_share", stream_id="other")
        assert busy["error"]["code"] == "screen_share_busy"
        assert busy["error"]["message"].startswith("ほかの参加者が画面を共有しています。")
        assert guest.request(type="stop_screen_share")["error"]["code"] == "not_sharing"  # not theirs

        # A latecomer (the guest's socket again, as after a reconnect) gets the share in its snapshot.
        again = meeting.socket()
        guest.close()
        rejoined = again.join(meeting.invitee_ticket("佐藤"))
        assert rejoined["screen_share"]["participant_id"] == meeting.customer_id

        # The host may end what a customer shares; then the guest may share.
        assert meeting.host.request(type="stop_screen_share")["type"] == "ok"
        assert "share" not in meeting.customer.wait_type("screen_share_updated")
        assert again.request(type="start_screen_share", stream_id="s2")["type"] == "ok"
        assert again.request(type="stop_screen_share")["type"] == "ok"
        assert meeting.host.request(type="stop_screen_share")["error"]["code"] == "not_sharing"
        assert guest_id != rejoined["self_id"]  # a new invitee each time: ids are not reused


def test_a_sharer_who_leaves_frees_the_screen(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        guest, _ = meeting.invitee("佐藤")
        assert guest.request(type="start_screen_share", stream_id="s1")["type"] == "ok"
        guest.request(type="leave")
        late = meeting.socket()
        assert "screen_share" not in late.join(meeting.customer_ticket)
        assert meeting.host.request(type="start_screen_share", stream_id="s2")["type"] == "ok"


def test_bad_share_messages_get_errors_and_the_socket_stays(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = Meeting(server, stack)
        too_long = meeting.host.request(type="start_screen_share", stream_id="x" * 65)
        assert too_long["error"]["code"] == "malformed_message"
        empty = meeting.host.request(type="start_screen_share", stream_id="")
        assert empty["error"]["code"] == "malformed_message"
        assert meeting.host.request(type="stop_screen_share")["error"]["code"] == "not_sharing"
        outsider = meeting.socket()
        assert outsider.request(type="start_screen_share", stream_id="s")["error"]["code"] == "not_joined"
        assert meeting.host.request(type="ping")["type"] == "ok"


def test_a_customer_waiting_alone_shares_and_shows_nothing(server: MendanServer) -> None:
    """One rule for everything the others see (server/meeting/membership.py): until a rep claims
    the number there is nobody to show to, so 画面共有 and 見せる are refused alike."""
    with ExitStack() as stack:
        customer = Socket(server)
        stack.callback(customer.close)
        customer.join(issue_number(server)["ticket"])
        share = customer.request(type="start_screen_share", stream_id="s1")
        assert share["error"]["code"] == "meeting_ended"
        show = customer.request(type="show_document", document_id="d" * 32, page=1)
        assert show["error"]["code"] == "meeting_ended"
        assert customer.request(type="ping")["type"] == "ok"
