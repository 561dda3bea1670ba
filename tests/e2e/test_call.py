"""A real 1:1 meeting in two Chromium contexts: number → rep connects → video both ways → end."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.meeting_steps import (
    connect,
    issue_number,
    log_in,
    start_meeting,
    tid,
    wait_for_advancing_video,
)


def test_number_to_video_both_ways_and_end(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer, rep = person("customer"), person("rep")
    number = issue_number(customer, server)
    expect(customer.get_by_text("営業担当者の接続をお待ちください")).to_be_visible()

    log_in(rep, server, "tanaka")
    connect(rep, number)
    expect(tid(rep, "meeting")).to_be_visible()

    # the customer sees who connected before camera and mic go live.
    expect(customer.get_by_text("株式会社サンプル 田中 太郎 さん")).to_be_visible()
    expect(tid(customer, "roster-entry")).to_have_count(2)
    assert customer.evaluate("Mendan.debug.localTracks('video')") is None
    tid(customer, "start-media").click()

    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected")
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "connected")
    expect(tid(rep, "roster-entry").filter(has_text="お客様")).to_have_count(1)

    tid(rep, "leave-button").click()
    expect(tid(customer, "notice")).to_have_text("他のユーザーからのコールが終了しました")
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "ended")
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "ended")


def test_customer_leaving_ends_the_call_for_the_rep(server, person):
    server.create_account("sato")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "sato")
    wait_for_advancing_video(rep)
    tid(customer, "leave-button").click()
    expect(tid(rep, "notice")).to_contain_text("他のユーザーからのコールが終了しました")
    expect(tid(rep, "meeting")).to_have_attribute("data-state", "ended")
