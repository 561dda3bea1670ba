"""商談記録 in real Chromium: the rep's notes in the room save themselves, and after the meeting the
history's 商談記録 link opens the minutes with them, printable, with a Markdown export."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.meeting_steps import start_meeting, tid, wait_for_advancing_video

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_notes_typed_in_the_room_are_in_the_minutes(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)
    expect(tid(customer, "notes-input")).to_be_hidden()  # the rep's own, never the customer's

    tid(rep, "notes-input").fill("予算は来期。\n次回 12/3 にデモ")
    expect(tid(rep, "notes-status")).to_contain_text("保存しました")
    tid(customer, "chat-input").fill("資料をください")
    tid(customer, "chat-send").click()
    expect(tid(rep, "chat-message")).to_have_count(1)
    tid(rep, "leave-button").click()
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "ended")

    rep.goto(server.url + "/rep")
    tid(rep, "minutes-link").first.click()
    expect(tid(rep, "minutes-notes")).to_have_text("予算は来期。\n次回 12/3 にデモ")
    expect(tid(rep, "minutes-chat")).to_contain_text("資料をください")
    expect(tid(rep, "minutes-people")).to_contain_text("田中 太郎")
    ARTIFACTS.mkdir(exist_ok=True)
    rep.screenshot(path=str(ARTIFACTS / "minutes.png"), full_page=True)
    with rep.expect_download() as download:
        tid(rep, "minutes-markdown").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "予算は来期。  \n次回 12/3 にデモ" in markdown
