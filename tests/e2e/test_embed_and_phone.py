"""R-1.5 embed on a company's own site, and a customer on a phone-size touch screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.support.static_site import static_site

PHONE = {
    "viewport": {"width": 375, "height": 667},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def test_embed_button_on_a_company_site_issues_a_scoped_number(server, person):
    contract = server.create_account("tanaka", company="株式会社サンプル")
    server.create_account("rival", company="他社")
    rep = person("rep")
    log_in(rep, server, "tanaka")
    rep.goto(server.url + "/portal")
    snippet = tid(rep, "embed-snippet").input_value()
    assert re.search(r"/c/[\w-]+", snippet)

    html = f"<!doctype html><html><head><meta charset='utf-8'><title>株式会社サンプル</title></head>" \
           f"<body><h1>株式会社サンプル</h1>{snippet}</body></html>"  # fmt: skip
    with static_site(html) as site:
        # The contract names its site; the start page refuses to be framed anywhere else.
        allowed = server.mendan("account", "embed-origins", "--contract", contract, site.rstrip("/"))
        assert allowed.returncode == 0, allowed.stderr
        customer = person("customer")
        customer.goto(site)
        customer.get_by_test_id("embed-open").click()
        frame = customer.frame_locator("[data-testid=embed-panel] iframe")
        frame.get_by_test_id("start-meeting").click()
        number = frame.get_by_test_id("connection-number")
        expect(number).to_have_text(re.compile(r"^\d{5}$"))

        rival = person("rival")
        log_in(rival, server, "rival")
        connect(rival, number.inner_text())
        expect(tid(rival, "error-message")).to_have_text("接続ナンバーが不正です")

        rep.goto(server.url + "/rep")
        connect(rep, number.inner_text())
        frame.get_by_test_id("start-media").click()
        wait_for_advancing_video(rep)


def test_phone_customer_joins_and_controls_fit(server, person):
    server.create_account("tanaka", company="株式会社サンプル")
    customer = person("phone", **PHONE)
    rep = person("rep")
    number = issue_number(customer, server)
    log_in(rep, server, "tanaka")
    connect(rep, number)
    tid(customer, "start-media").tap()
    wait_for_advancing_video(customer)
    wait_for_advancing_video(rep)
    for control in ("mic-toggle", "camera-toggle", "speaker-toggle", "video-share-toggle", "leave-button"):
        box = tid(customer, control).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, control
        assert box["height"] >= 40, control  # large enough to hit with a finger
    assert customer.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    tid(customer, "mic-toggle").tap()
    expect(tid(customer, "mic-toggle")).to_have_attribute("aria-pressed", "false")
    tid(customer, "leave-button").tap()
    expect(tid(rep, "notice")).to_contain_text("他のユーザーからのコールが終了しました")
