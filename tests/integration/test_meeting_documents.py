"""R-5 over real sockets: 見せる, page turns, pointer, 閉じる, 渡す with one-time links, files from anyone."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import httpx

from server.db.database import Database
from server.documents.history import DocumentHistory, documents_of_meeting
from tests.support import aio
from tests.support.clients import Rep, Socket, issue_number
from tests.support.documents import make_pdf
from tests.support.rep import log_in
from tests.support.server import MendanServer

Opener = Callable[[MendanServer], Socket]


def _meeting(server: MendanServer, rep: Rep, open_socket: Opener) -> tuple[Socket, Socket, dict[str, Any]]:
    issued = issue_number(server)
    customer = open_socket(server)
    customer.join(issued["ticket"])
    host = open_socket(server)
    claimed = rep.claim(issued["number"]).json()
    joined = host.join(claimed["ticket"])
    return customer, host, {"joined": joined, "customer_ticket": issued["ticket"], "host": claimed}


def _meeting_on(server: MendanServer, open_socket: Opener) -> tuple[Socket, Socket, dict[str, Any]]:
    """_meeting on a server of the test's own (other settings), with the rep's account made there."""
    server.create_account("tanaka", name="田中 太郎")
    rep = Rep(server, "tanaka")
    try:
        return _meeting(server, rep, open_socket)
    finally:
        rep.close()


def _library_pdf(server: MendanServer, pages: int = 3, shareable: bool = True) -> dict[str, Any]:
    with closing(log_in(server, "tanaka")) as library:
        uploaded = library.uploaded("案内.PDF", make_pdf(pages), memo="価格は3ページ", shareable=shareable)
        document = library.wait_rendered(uploaded["id"])
    assert document["render"]["state"] == "ready", document
    return document


def test_show_turn_point_close_reach_everyone(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    customer, host, meeting = _meeting(server, rep, open_socket)
    document = _library_pdf(server)

    assert host.request(type="show_document", document_id=document["id"])["type"] == "ok"
    shown = customer.wait_type("document_shown")["document"]
    assert shown["page"] == 1 and shown["page_count"] == 3 and shown["title"] == "会社案内"
    image = httpx.get(server.url + shown["url"])
    assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"  # a JPEG, no login needed
    assert shown["width"] == 1280 and shown["height"] > 0

    host.request(type="turn_page", page=2)
    turned = customer.wait_type("document_shown")["document"]
    assert turned["page"] == 2 and turned["url"] != shown["url"]

    host.send(type="move_pointer", x=0.25, y=0.75)
    pointer = customer.wait_type("pointer_moved")
    assert (pointer["x"], pointer["y"]) == (0.25, 0.75)
    assert not [m for m in host.nothing_arrives(0.3) if m["type"] == "pointer_moved"]  # not echoed

    # A latecomer (here: the customer's socket again, as after a reconnect) gets the page in its snapshot.
    again = open_socket(server)
    customer.close()
    rejoined = again.join(meeting["customer_ticket"])
    assert rejoined["document"]["page"] == 2

    host.request(type="close_document")
    assert again.wait_type("document_closed")["show_id"] == shown["show_id"]


def test_bad_document_messages_get_errors_and_the_socket_stays(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    customer, host, _ = _meeting(server, rep, open_socket)
    document = _library_pdf(server, pages=2, shareable=False)

    # Not the customer's document to show: the rep's library is the rep's.
    refused = customer.request(type="show_document", document_id=document["id"])
    assert refused["error"]["code"] == "not_found"
    assert host.request(type="show_document", document_id="nope")["error"]["code"] == "not_found"
    assert host.request(type="show_document", document_id=document["id"], page=0)["error"]["code"] == (
        "malformed_message"
    )
    assert host.request(type="show_document", document_id=document["id"], page=9)["error"]["code"] == (
        "bad_request"
    )
    assert host.request(type="turn_page", page=1)["error"]["code"] == "not_presenting"
    host.send(type="move_pointer", x=2, y=0.5)
    assert host.wait_type("error")["error"]["code"] == "malformed_message"
    # 「ファイルを共有する」 off: it can be shown, not given.
    assert host.request(type="give_document", document_id=document["id"])["error"]["code"] == (
        "document_not_shareable"
    )
    assert host.request(type="show_document", document_id=document["id"])["type"] == "ok"
    assert customer.request(type="turn_page", page=2)["error"]["code"] == "not_presenting"
    customer.send(type="move_pointer", x=0.5, y=0.5)
    assert customer.wait_type("error")["error"]["code"] == "not_presenting"
    assert host.request(type="ping")["type"] == "ok"  # still connected


def test_pages_need_a_valid_signature(server: MendanServer, rep: Rep, open_socket: Opener) -> None:
    customer, host, _ = _meeting(server, rep, open_socket)
    document = _library_pdf(server, pages=1)
    host.request(type="show_document", document_id=document["id"])
    url = server.url + customer.wait_type("document_shown")["document"]["url"]
    path = url.split("?")[0]
    assert httpx.get(path).status_code == 403  # someone outside the meeting without the link
    assert httpx.get(url.replace("sig=", "sig=0")).status_code == 403
    other_page = url.replace("/pages/1.jpg", "/pages/2.jpg")
    assert httpx.get(other_page).status_code == 403  # the signature covers the path


def test_give_is_one_time_and_expires(
    server_factory: Callable[..., MendanServer], open_socket: Opener
) -> None:
    server = server_factory(env={"MENDAN_GIVE_TTL": "2"})
    customer, host, _ = _meeting_on(server, open_socket)
    with closing(log_in(server, "tanaka")) as library:
        data = make_pdf(2)
        document = library.uploaded("見積書.pdf", data, shareable=True)
    given = host.request(type="give_document", document_id=document["id"])
    assert given["type"] == "document_given" and given["recipients"] == 1 and given["ttl"] == 2
    offer = customer.wait_type("document_offered")
    assert offer["filename"] == "見積書.pdf" and offer["size"] == len(data)
    for _ in range(2):  # asking whether it would be served does not use the link
        assert httpx.get(server.url + offer["status_url"]).json() == {"ok": True}
    forged = offer["status_url"].replace("/status?", "/download?")
    assert httpx.get(server.url + forged).status_code == 403  # each signature covers its own path
    first = httpx.get(server.url + offer["url"])
    assert first.status_code == 200 and first.content == data
    assert "filename*=UTF-8''" in first.headers["content-disposition"]
    second = httpx.get(server.url + offer["url"])
    assert second.status_code == 410 and second.json()["error"]["code"] == "link_used"
    used = httpx.get(server.url + offer["status_url"])
    assert used.status_code == 410 and used.json()["error"]["code"] == "link_used"

    late = host.request(type="give_document", document_id=document["id"])
    late_offer = customer.wait_type("document_offered")
    assert late_offer["give_id"] == late["give_id"]
    time.sleep(late_offer["ttl"] + 1)  # the server's own clock passes the (shortened) TTL
    for url in (late_offer["status_url"], late_offer["url"]):
        expired = httpx.get(server.url + url)
        assert expired.status_code in (403, 410)
        assert expired.json()["error"]["code"] in ("give_expired", "link_invalid")

    again = host.request(type="give_document", document_id=document["id"])  # and giving again works
    assert again["type"] == "document_given"
    assert httpx.get(server.url + customer.wait_type("document_offered")["url"]).content == data


def test_an_open_offer_is_sent_again_to_a_page_that_rejoins(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    customer, host, meeting = _meeting(server, rep, open_socket)
    with closing(log_in(server, "tanaka")) as library:
        data = make_pdf(1)
        document = library.uploaded("見積書.pdf", data, shareable=True)
    given = host.request(type="give_document", document_id=document["id"])
    first = customer.wait_type("document_offered")
    customer.close()  # the network drops before 「資料を受け取る」

    again = open_socket(server)
    again.join(meeting["customer_ticket"])
    offer = again.wait_type("document_offered")
    assert offer["give_id"] == given["give_id"] == first["give_id"]
    assert offer["expires_at"] == first["expires_at"] and 0 < offer["ttl"] <= first["ttl"]
    assert httpx.get(server.url + offer["url"]).content == data
    assert httpx.get(server.url + first["url"]).status_code == 410  # one link per person, now used

    again.close()
    third = open_socket(server)
    third.join(meeting["customer_ticket"])
    assert all(message["type"] != "document_offered" for message in third.nothing_arrives(1.0))


def test_a_meeting_picking_files_in_a_loop_is_stopped_and_goes_on(
    server_factory: Callable[..., MendanServer], open_socket: Opener
) -> None:
    server = server_factory(env={"MENDAN_MEETING_UPLOAD_LIMIT": "2/3600"})
    customer, host, meeting = _meeting_on(server, open_socket)
    headers = {"X-Mendan-Ticket": meeting["customer_ticket"]}

    def share(name: str) -> httpx.Response:
        return httpx.post(
            server.url + "/api/meeting-documents", files={"file": (name, make_pdf(1))}, headers=headers
        )

    assert [share(f"{n}.pdf").status_code for n in range(2)] == [201, 201]
    refused = share("3.pdf")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert "しばらくお待ちください" in refused.json()["error"]["message"]
    customer.request(type="send_chat", text="まだつながっています")  # the meeting goes on
    assert host.wait_type("chat_posted")["line"]["text"] == "まだつながっています"


def test_customer_shares_a_file_only_within_the_meeting(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    customer, host, meeting = _meeting(server, rep, open_socket)
    data = make_pdf(2, "Customer file")
    headers = {"X-Mendan-Ticket": meeting["customer_ticket"]}
    anonymous = httpx.post(server.url + "/api/meeting-documents", files={"file": ("a.pdf", data)})
    assert anonymous.status_code == 403
    refused = httpx.post(
        server.url + "/api/meeting-documents", files={"file": ("notes.txt", b"hello")}, headers=headers
    )
    assert refused.status_code == 415 and ".pdf .xls" in refused.json()["error"]["message"]
    created = httpx.post(
        server.url + "/api/meeting-documents", files={"file": ("要望.pdf", data)}, headers=headers
    )
    assert created.status_code == 201, created.text
    document = created.json()["document"]
    assert document["title"] == "要望"
    assert "download_url" not in document  # in a meeting the file goes out only by 渡す
    for _ in range(200):
        state = httpx.get(f"{server.url}/api/meeting-documents/{document['id']}", headers=headers).json()
        if state["document"]["render"]["state"] in ("ready", "failed"):
            break
        time.sleep(0.1)
    assert state["document"]["render"]["state"] == "ready"
    # Not in the rep's library.
    with closing(log_in(server, "tanaka")) as library:
        assert library.get("/api/documents").json()["documents"] == []
        assert library.get(f"/api/documents/{document['id']}").status_code == 404

    assert customer.request(type="show_document", document_id=document["id"])["type"] == "ok"
    customer_id = next(x["id"] for x in meeting["joined"]["participants"] if x["role"] == "customer")
    assert host.wait_type("document_shown")["document"]["presenter"] == customer_id
    assert customer.request(type="give_document", document_id=document["id"])["recipients"] == 1
    offer = host.wait_type("document_offered")
    assert httpx.get(server.url + offer["url"]).content == data
    # The rep may close what the customer shows.
    assert host.request(type="close_document")["type"] == "ok"

    # Another meeting's participant cannot use it.
    other_customer, _other_host, _ = _meeting(server, rep, open_socket)
    assert other_customer.request(type="show_document", document_id=document["id"])["error"]["code"] == (
        "not_found"
    )

    history = aio.run(_history(server, meeting["host"]["meeting_id"]))
    assert [entry.title for entry in history.shown] == ["要望"]
    assert [page.page for page in history.shown[0].pages] == [1]
    assert history.shown[0].ended_at is not None
    assert [(entry.title, entry.received_by) for entry in history.given] == [("要望", ["田中 太郎"])]


async def _history(server: MendanServer, meeting_id: str) -> DocumentHistory:
    # The database the server uses: SQLite in its folder, or the PostgreSQL of that backend run.
    url = server.env.get("MENDAN_DATABASE_URL") or f"sqlite:///{server.data_dir / 'mendan.sqlite3'}"
    database = Database(url)
    try:
        async with database.session() as db:
            return await documents_of_meeting(db, meeting_id)
    finally:
        await database.dispose()


def test_the_history_lists_what_was_shown_and_given(
    server: MendanServer, rep: Rep, open_socket: Opener
) -> None:
    """R-5.4 / R-7: the rep's history names the documents, the pages seen, and who received."""
    customer, host, _ = _meeting(server, rep, open_socket)
    document = _library_pdf(server)
    host.request(type="show_document", document_id=document["id"])
    host.request(type="turn_page", page=3)
    host.request(type="close_document")
    host.request(type="give_document", document_id=document["id"])
    offer = customer.wait_type("document_offered")
    assert httpx.get(server.url + offer["url"]).status_code == 200
    host.request(type="leave")
    response = rep.http.get("/api/history")
    assert response.status_code == 200, response.text
    meetings = response.json()["meetings"]
    documents = meetings[0]["cells"]["documents"]
    assert "見せた「会社案内」" in documents and "ページ 1, 3" in documents, documents
    assert "渡した「会社案内」" in documents and "→ お客様" in documents, documents
    csv = rep.http.get("/api/history.csv").content.decode("utf-8-sig")
    assert "見せた「会社案内」" in csv  # the export holds what the page shows
