"""A scheduled meeting in two Chromium contexts: booked on the dashboard, its link, 開始する, video."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.meeting_steps import log_in, tid, wait_for_advancing_video


def test_a_booked_link_becomes_a_call(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer, rep = person("customer"), person("rep")
    log_in(rep, server, "tanaka")
    # The server's time zone (Asia/Tokyo) is what the rep types in; the slot began a minute ago.
    starts = dt.datetime.now(ZoneInfo("Asia/Tokyo")) - dt.timedelta(minutes=1)
    tid(rep, "schedule-when").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    tid(rep, "schedule-customer").fill("山田 花子")
    tid(rep, "schedule-company").fill("株式会社山田")
    tid(rep, "schedule-book").click()
    expect(tid(rep, "schedule-item")).to_have_count(1)
    expect(tid(rep, "schedule-state")).to_have_text("お客様はまだ入っていません")
    link = tid(rep, "schedule-link").input_value()

    customer.goto(link)
    expect(tid(customer, "scheduled-lead")).to_contain_text("株式会社サンプル")
    tid(customer, "start-meeting").click()
    expect(customer.get_by_text("営業担当者の接続をお待ちください")).to_be_visible()

    expect(tid(rep, "schedule-state")).to_have_text("お客様が待っています")  # the list refreshes itself
    tid(rep, "recording-no").check()
    tid(rep, "schedule-start").click()
    expect(tid(rep, "meeting")).to_be_visible()
    expect(customer.get_by_text("株式会社サンプル 田中 太郎 さん")).to_be_visible()
    tid(customer, "start-media").click()
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected")
