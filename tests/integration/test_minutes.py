"""商談記録 for a real meeting: the rep's notes (theirs only), and the minutes page and Markdown that
list who joined and when, the duration, talk-time, chat, documents, screen shares, the recording
and the notes."""

from __future__ import annotations

import re
import time
from contextlib import ExitStack, closing
from typing import Any

import httpx

from tests.support.documents import make_pdf
from tests.support.meeting import Meeting
from tests.support.recordings import live_webm
from tests.support.rep import log_in
from tests.support.server import MendanServer

NOTES = "予算は来期。\n次回: 12/3 デモ\n[罠](javascript:alert(1)) <script>x</script> | 表"


def _held_meeting(server: MendanServer, stack: ExitStack) -> Meeting:
    """A meeting with everything the minutes list, ended by the rep leaving."""
    meeting = Meeting(server, stack, recording=True)
    rep, host, customer = meeting.rep, meeting.host, meeting.customer
    customer.request(type="send_chat", text="見積もりをお願いします")
    with closing(log_in(server, "tanaka")) as library:
        document = library.uploaded("案内.pdf", make_pdf(2), title="会社案内", shareable=True)
        assert library.wait_rendered(document["id"])["render"]["state"] == "ready"
    host.request(type="show_document", document_id=document["id"])
    host.request(type="turn_page", page=2)
    host.request(type="close_document")
    host.request(type="give_document", document_id=document["id"])
    customer.request(type="start_screen_share", stream_id="screen")
    customer.request(type="stop_screen_share")

    started = rep.http.post("/api/recordings", json={"meeting_id": meeting.meeting_id}, headers=_csrf(rep))
    recording_id = started.json()["recording"]["id"]
    rep.http.put(f"/api/recordings/{recording_id}/chunks/0", content=live_webm(1.0), headers=_csrf(rep))
    rep.http.post(
        f"/api/recordings/{recording_id}/finish", json={"chunks": 1, "reason": "stopped"}, headers=_csrf(rep)
    )
    _wait_recording_ready(rep.http, recording_id)  # finished in the background; linked once ready
    talk = {meeting.host_id: 30, meeting.customer_id: 10}
    rep.http.post(f"/api/meetings/{meeting.meeting_id}/talk-time", json={"seconds": talk}, headers=_csrf(rep))
    saved = rep.http.put(
        f"/api/meetings/{meeting.meeting_id}/notes", json={"text": NOTES}, headers=_csrf(rep)
    )
    assert saved.status_code == 200, saved.text
    host.request(type="leave")
    return meeting


def _csrf(rep: Any) -> dict[str, str]:
    return {"X-CSRF-Token": rep.csrf}


def test_minutes_page_and_markdown_list_the_whole_meeting(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = _held_meeting(server, stack)
        http = meeting.rep.http
        assert http.get(f"/api/meetings/{meeting.meeting_id}/notes").json()["text"] == NOTES

        page = http.get(f"/rep/meetings/{meeting.meeting_id}/minutes")
        assert page.status_code == 200
        html = page.text
        for expected in (
            "田中 太郎（営業担当者",
            "お客様（お客様",
            "見積もりをお願いします",
            "見せた「会社案内」",
            "渡した「会社案内」",
            "田中 太郎 75%",
            "お客様 25%",
            "画面共有",
            "/api/recordings/",
            "予算は来期。",
        ):
            assert expected in html, expected
        assert "<script>x</script>" not in html  # the notes are text, never markup
        assert re.search(r"<dt>時間</dt><dd>\d+:\d\d</dd>", html), "duration"

        markdown = http.get(f"/rep/meetings/{meeting.meeting_id}/minutes.md")
        assert markdown.headers["content-type"].startswith("text/markdown")
        assert "attachment" in markdown.headers["content-disposition"]
        text = markdown.text
        assert text.startswith("# 商談記録 ")
        assert "| 田中 太郎（営業担当者 ・ 株式会社サンプル） |" in text
        assert "- 見せた「会社案内」" in text and "お客様: 見積もりをお願いします" in text
        assert re.search(r"- \[録画 1（[^）]*）\]\(<http://[^>]+/api/recordings/\w+/file>\)", text), text
        assert "次回: 12/3 デモ  \n" in text
        # What the rep typed never becomes a link, HTML or a table cell in the CRM.
        assert "\\[罠\\](javascript:alert(1)) \\<script\\>x\\</script\\> \\| 表" in text


def test_notes_and_minutes_are_the_reps_own(server: MendanServer) -> None:
    with ExitStack() as stack:
        meeting = _held_meeting(server, stack)
        server.create_account("suzuki", name="鈴木")
        with closing(log_in(server, "suzuki")) as other:
            url = f"/api/meetings/{meeting.meeting_id}/notes"
            assert other.get(url).json()["error"]["code"] == "not_found"
            refused = other.put(url, json={"text": "x"}, headers=other.changing())
            assert refused.json()["error"]["code"] == "not_found"
            assert other.get(f"/rep/meetings/{meeting.meeting_id}/minutes.md").status_code == 404
        anonymous = httpx.get(
            f"{server.url}/rep/meetings/{meeting.meeting_id}/minutes", follow_redirects=False
        )
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
        http = meeting.rep.http
        no_csrf = http.put(f"/api/meetings/{meeting.meeting_id}/notes", json={"text": "x"})
        assert no_csrf.json()["error"]["code"] == "csrf_failed"
        huge = http.put(
            f"/api/meetings/{meeting.meeting_id}/notes",
            json={"text": "あ" * 20001},
            headers=_csrf(meeting.rep),
        )
        assert huge.json()["error"]["code"] in ("bad_request", "message_too_large")
        assert http.get(f"/api/meetings/{meeting.meeting_id}/notes").json()["text"] == NOTES


def _wait_recording_ready(http: httpx.Client, recording_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http.get(f"/api/recordings/{recording_id}").json()["recording"]["state"] == "ready":
            return
        time.sleep(0.2)
    raise AssertionError(f"recording {recording_id} not ready after {timeout} s")
