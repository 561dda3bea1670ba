"""The meeting history over HTTP: per-ID isolation, search by date and text, talk-time, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.clients import Rep, Socket, issue_number
from tests.support.server import MendanServer


def meeting_with_chat(server: MendanServer, rep: Rep, sockets: list[Socket], text: str) -> dict[str, Any]:
    """A meeting the rep claimed, with one chat line from the customer; returns the rep's snapshot."""
    issued = issue_number(server)
    customer = Socket(server)
    sockets.append(customer)
    customer_joined = customer.join(issued["ticket"])
    host = Socket(server)
    sockets.append(host)
    claimed = rep.claim(issued["number"], recording=True).json()
    joined = host.join(claimed["ticket"])
    customer.request(type="send_chat", text=text)
    return {
        "number": issued["number"],
        "meeting_id": claimed["meeting_id"],
        "host": joined["self_id"],
        "customer": customer_joined["self_id"],
    }


@pytest.fixture
def setup(server_factory, rep_of):  # type: ignore[no-untyped-def]
    server = server_factory()
    server.create_account("tanaka", name="田中 太郎")
    server.create_account("suzuki", name="鈴木 次郎")
    sockets: list[Socket] = []
    tanaka, suzuki = rep_of(server, "tanaka"), rep_of(server, "suzuki")
    meetings = {
        "first": meeting_with_chat(server, tanaka, sockets, "お見積もりをお願いします"),
        "second": meeting_with_chat(server, tanaka, sockets, "資料を送ってください"),
        "other": meeting_with_chat(server, suzuki, sockets, "他社の秘密の話"),
    }
    yield tanaka, suzuki, meetings
    for socket in sockets:
        socket.close()


def history(rep: Rep, **params: str) -> list[dict[str, Any]]:
    response = rep.http.get("/api/history", params=params)
    assert response.status_code == 200, response.text
    meetings: list[dict[str, Any]] = response.json()["meetings"]
    return meetings


def test_each_id_sees_only_its_own_meetings(setup):
    tanaka, suzuki, meetings = setup
    numbers = {m["number"] for m in history(tanaka)}
    assert numbers == {meetings["first"]["number"], meetings["second"]["number"]}
    assert [m["number"] for m in history(suzuki)] == [meetings["other"]["number"]]
    assert history(tanaka, q="秘密") == []
    exported = tanaka.http.get("/api/history.csv").content.decode("utf-8-sig")
    assert "秘密" not in exported and meetings["other"]["number"] not in exported
    # Talk-time for another ID's meeting is refused as if it did not exist.
    other = meetings["other"]
    refused = tanaka.http.post(
        f"/api/meetings/{other['meeting_id']}/talk-time",
        json={"seconds": {other["host"]: 1.0}},
        headers={"X-CSRF-Token": tanaka.csrf},
    )
    assert refused.status_code == 404


def test_search_by_text_number_and_dates(setup):
    tanaka, _, meetings = setup
    assert [m["number"] for m in history(tanaka, q="見積もり")] == [meetings["first"]["number"]]
    assert [m["number"] for m in history(tanaka, q=meetings["second"]["number"])] == [
        meetings["second"]["number"]
    ]
    assert len(history(tanaka, q="お客様")) == 2  # participant names
    today = dt.datetime.now(ZoneInfo("Asia/Tokyo")).date()
    assert len(history(tanaka, **{"from": today.isoformat(), "to": today.isoformat()})) == 2
    assert history(tanaka, **{"from": (today + dt.timedelta(days=1)).isoformat()}) == []
    assert history(tanaka, to=(today - dt.timedelta(days=1)).isoformat()) == []
    assert tanaka.http.get("/api/history", params={"from": "yesterday"}).status_code == 400


def test_talk_time_reports_add_up_to_shares(setup):
    tanaka, _, meetings = setup
    first = meetings["first"]
    url = f"/api/meetings/{first['meeting_id']}/talk-time"
    headers = {"X-CSRF-Token": tanaka.csrf}
    for seconds in (
        {first["host"]: 4.0, first["customer"]: 1.0},
        {first["host"]: 2.0, first["customer"]: 3.0},
    ):
        assert tanaka.http.post(url, json={"seconds": seconds}, headers=headers).status_code == 200
    bad = tanaka.http.post(url, json={"seconds": {meetings["second"]["host"]: 1.0}}, headers=headers)
    assert bad.status_code == 400  # a participant of another meeting
    assert tanaka.http.post(url, json={"seconds": {first["host"]: 1.0}}).status_code == 403  # no CSRF token

    entry = next(m for m in history(tanaka) if m["id"] == first["meeting_id"])
    shares = {p["id"]: p["share"] for p in entry["participants"]}
    assert shares == {first["host"]: 60, first["customer"]: 40}
    assert entry["cells"]["talk_time"] == "お客様 40% / 田中 太郎 60%"

    rows = list(csv.reader(io.StringIO(tanaka.http.get("/api/history.csv").content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["開始", "終了", "時間", "接続ナンバー"]
    exported = {row[3]: row for row in rows[1:]}
    assert exported[first["number"]] == list(entry["cells"].values())
