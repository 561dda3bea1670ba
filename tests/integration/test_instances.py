"""R-10.2: two `mendan serve` instances sharing PostgreSQL and Redis act as one service.

People of one meeting on different instances meet; numbers, seats and sweeps stay right when both
instances act at once; an instance that stops or dies hands its people over to the other.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import ServerFactory
from tests.support.backends import POSTGRES_REDIS
from tests.support.clients import Rep, Socket, issue_number
from tests.support.documents import make_pdf
from tests.support.rep import log_in
from tests.support.server import MendanServer

Opener = Callable[[MendanServer], Socket]


@pytest.fixture(params=[POSTGRES_REDIS])
def backend(request: pytest.FixtureRequest) -> str:
    """Only a shared database and bus lets instances share meetings."""
    value: str = request.param
    return value


def _pair(server_factory: ServerFactory, **env: str) -> tuple[MendanServer, MendanServer]:
    first = server_factory(env)
    return first, server_factory(env, instance_of=first)


def _meeting_across(
    a: MendanServer, b: MendanServer, rep: Rep, open_socket: Opener
) -> tuple[Socket, Socket, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The customer on ``a``, the rep (logged in on ``b``) on ``b``."""
    issued = issue_number(a)
    customer = open_socket(a)
    joined = customer.join(issued["ticket"])
    claim = rep.claim(issued["number"]).json()
    host = open_socket(b)
    host_joined = host.join(claim["ticket"])
    return customer, host, joined, host_joined, issued


def test_people_on_different_instances_meet(server_factory: ServerFactory, open_socket: Opener) -> None:
    a, b = _pair(server_factory)
    a.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    rep = Rep(b, "tanaka")
    customer, host, joined, host_joined, _ = _meeting_across(a, b, rep, open_socket)
    assert customer.wait_type("meeting_started")["meeting"]["state"] == "active"
    assert customer.wait_type("participant_joined")["participant"]["display_name"] == "田中 太郎"
    assert {p["role"] for p in host_joined["participants"]} == {"host", "customer"}

    host.send(type="signal", to=joined["self_id"], description={"type": "offer", "sdp": "v=0 b->a"})
    assert customer.wait_type("signal_relayed")["description"]["sdp"] == "v=0 b->a"
    customer.send(type="signal", to=host_joined["self_id"], description={"type": "answer", "sdp": "v=0 a->b"})
    assert host.wait_type("signal_relayed")["sender"] == joined["self_id"]
    customer.request(type="send_chat", text="こんにちは")
    assert host.wait_type("chat_posted")["line"]["text"] == "こんにちは"
    rep.close()


def test_a_number_is_claimed_once_even_by_two_instances_at_once(server_factory: ServerFactory) -> None:
    a, b = _pair(server_factory)
    a.create_account("tanaka")
    a.create_account("suzuki")
    reps = [Rep(a, "tanaka"), Rep(b, "suzuki")]
    for _ in range(5):
        number = issue_number(a)["number"]
        with ThreadPoolExecutor(2) as pool:
            answers = [answer.status_code for answer in pool.map(Rep.claim, reps, [number] * 2)]
        assert sorted(answers) == [200, 400]
    for rep in reps:
        rep.close()


def test_numbers_issued_on_both_instances_never_collide(server_factory: ServerFactory) -> None:
    a, b = _pair(server_factory, MENDAN_ISSUE_LIMIT="1000/600", MENDAN_ISSUE_NETWORK_LIMIT="1000/600")

    def issue(server: MendanServer) -> str:
        response = httpx.post(f"{server.url}/api/numbers", timeout=30)
        assert response.status_code == 200, response.text
        number: str = response.json()["number"]
        return number

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(issue, [a, b] * 40))
    assert len(set(numbers)) == len(numbers) == 80


def test_the_issue_limit_holds_across_instances_at_once(server_factory: ServerFactory) -> None:
    a, b = _pair(server_factory, MENDAN_ISSUE_LIMIT="5/600")

    def issue(server: MendanServer) -> int:
        return httpx.post(f"{server.url}/api/numbers", timeout=30).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(issue, [a, b] * 6))
    assert sorted(codes) == [200] * 5 + [429] * 7


def test_the_last_seat_goes_to_one_of_two_instances(
    server_factory: ServerFactory, open_socket: Opener
) -> None:
    a, b = _pair(server_factory)
    a.create_account("tanaka")
    rep = Rep(a, "tanaka")
    _, host, _, _, _ = _meeting_across(a, a, rep, open_socket)
    token = host.request(type="create_invite")["url"].rsplit("/", 1)[1]

    def join(args: tuple[MendanServer, str]) -> int:
        server, name = args
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.get("/")
            response = client.post(
                "/api/invite/join",
                json={"token": token, "display_name": name},
                headers={"X-CSRF-Token": client.cookies["mendan_csrf"]},
            )
            return response.status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(join, [(a, "一"), (b, "二"), (a, "三"), (b, "四"), (a, "五"), (b, "六")]))
    assert codes.count(200) == 2  # 4 seats: the rep, the customer and two of the six
    assert all(code in (200, 409) for code in codes), codes  # the rest: full, never an internal error
    rep.close()


def test_an_instance_that_stops_hands_its_people_to_the_other(
    server_factory: ServerFactory, open_socket: Opener
) -> None:
    a, b = _pair(server_factory)
    a.create_account("tanaka")
    rep = Rep(b, "tanaka")
    customer, host, joined, _, issued = _meeting_across(a, b, rep, open_socket)
    a.stop()
    with pytest.raises(ConnectionClosed) as closed:
        customer.wait_type("never")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012  # service restart: come back
    back = open_socket(b)
    snapshot = back.join(issued["ticket"])
    assert snapshot["meeting"]["state"] == "active" and len(snapshot["participants"]) == 2
    update = host.wait(
        lambda m: m["type"] == "participant_updated" and m["participant"]["state"] == "connected"
    )
    assert update["participant"]["id"] == joined["self_id"]
    host.send(
        type="signal",
        to=joined["self_id"],
        candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
    )
    assert back.wait_type("signal_relayed")["sender"] != joined["self_id"]
    rep.close()


def test_joining_again_on_another_instance_replaces_the_old_socket(
    server_factory: ServerFactory, open_socket: Opener
) -> None:
    a, b = _pair(server_factory)
    a.create_account("tanaka")
    rep = Rep(b, "tanaka")
    customer, host, joined, _, issued = _meeting_across(a, b, rep, open_socket)
    customer.nothing_arrives()
    again = open_socket(b)
    assert again.join(issued["ticket"])["self_id"] == joined["self_id"]
    with pytest.raises(ConnectionClosed) as closed:
        customer.wait_type("never")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001  # replaced
    # a's closing the old socket does not mark the customer as reconnecting: b holds it now.
    states = [
        m["participant"]["state"] for m in host.nothing_arrives(1.5) if m["type"] == "participant_updated"
    ]
    assert "reconnecting" not in states
    host.send(
        type="signal",
        to=joined["self_id"],
        candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
    )
    assert again.wait_type("signal_relayed")["candidate"]["candidate"].startswith("candidate:1")
    rep.close()


def test_restarting_one_instance_leaves_the_others_people_alone(
    server_factory: ServerFactory, open_socket: Opener
) -> None:
    a, b = _pair(server_factory)
    a.create_account("tanaka")
    rep = Rep(b, "tanaka")
    customer, host, _, _, _ = _meeting_across(b, b, rep, open_socket)
    customer.nothing_arrives()
    a.stop()
    a.start()
    # b's people were never a's: nobody is marked as reconnecting.
    assert [m for m in host.nothing_arrives(1.5) if m["type"] == "participant_updated"] == []
    assert [m for m in customer.nothing_arrives(0.5) if m["type"] == "participant_updated"] == []
    rep.close()


def test_the_sockets_of_a_killed_instance_count_as_lost(
    server_factory: ServerFactory, open_socket: Opener
) -> None:
    a, b = _pair(server_factory, MENDAN_INSTANCE_TIMEOUT="2", MENDAN_GRACE_PERIOD="2")
    a.create_account("tanaka")
    rep = Rep(b, "tanaka")
    customer, host, joined, _, _ = _meeting_across(a, b, rep, open_socket)
    # a's process and its sockets vanish at once; its customer does not come back anywhere.
    a.kill()
    update = host.wait(lambda m: m["type"] == "participant_updated", timeout=15)
    assert (
        update["participant"]["id"] == joined["self_id"] and update["participant"]["state"] == "reconnecting"
    )
    assert host.wait_type("participant_left", timeout=15)["reason"] == "connection_lost"
    assert host.wait_type("meeting_ended", timeout=5)["reason"] == "other_left"
    customer.close()
    rep.close()


def test_documents_cross_instances_that_share_a_data_folder(
    server_factory: ServerFactory, open_socket: Opener, tmp_path: Path
) -> None:
    """Uploaded and rendered through B, shown and given to a customer on A (docs/scaling.md)."""
    shared = tmp_path / "shared-data"
    a = server_factory({"MENDAN_INSTANCE_ID": "a"}, data_dir=shared)
    b = server_factory({"MENDAN_INSTANCE_ID": "b"}, data_dir=shared, instance_of=a)
    a.create_account("tanaka", name="田中 太郎")
    data = make_pdf(2)
    with closing(log_in(b, "tanaka")) as library:
        document = library.uploaded("資料.pdf", data, title="会社案内", shareable=True)
        assert library.wait_rendered(document["id"])["render"]["state"] == "ready"
    rep = Rep(b, "tanaka")
    customer, host, _, _, _ = _meeting_across(a, b, rep, open_socket)
    rep.close()

    host.request(type="show_document", document_id=document["id"], page=2)
    shown = customer.wait_type("document_shown")["document"]
    page = httpx.get(a.url + shown["url"])
    assert page.status_code == 200 and page.content.startswith(b"\xff\xd8")  # a JPEG, from B's render
    host.request(type="give_document", document_id=document["id"])
    offer = customer.wait_type("document_offered")
    assert httpx.get(a.url + offer["status_url"]).json() == {"ok": True}
    assert httpx.get(a.url + offer["url"]).content == data


def test_an_instance_starting_clears_only_its_own_half_received_uploads(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-data"
    a = server_factory({"MENDAN_INSTANCE_ID": "a"}, data_dir=shared)
    b = server_factory({"MENDAN_INSTANCE_ID": "b"}, data_dir=shared, instance_of=a)
    half = shared / "documents" / "incoming" / "a" / "upload.part"  # A is receiving a file
    half.write_bytes(b"%PDF-1.4 half of it")
    b.stop()
    b.start()
    assert half.read_bytes() == b"%PDF-1.4 half of it"  # B's restart left A's upload alone
    a.stop()
    a.start()
    assert not half.exists()  # what A itself left behind when it stopped is cleared
