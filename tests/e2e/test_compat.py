"""R-8.1/8.2 in a real Chromium with WebRTC removed (as a company policy would): numbers still
issue, the call is disabled with the reason and the way to the bridge, 動作環境 says so too."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.meeting_steps import connect, issue_number, log_in, tid


def test_no_webrtc_issues_a_number_and_explains(server, person):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    customer = person("customer", engine="chromium-nowebrtc")
    number = issue_number(customer, server)
    expect(tid(customer, "compat-banner")).to_be_visible()
    expect(tid(customer, "compat-banner")).to_contain_text("Mendan ブリッジ")

    rep = person("rep")
    log_in(rep, server, "tanaka")
    connect(rep, number)
    expect(
        customer.get_by_text("株式会社サンプル 田中 太郎 さん")
    ).to_be_visible()  # still sees who connected
    expect(tid(customer, "start-media")).to_be_disabled()
    expect(customer.locator("#consent-unsupported")).to_contain_text("WebRTC")
    expect(customer.get_by_role("link", name="Mendan ブリッジの追加方法").first).to_be_visible()
    tid(rep, "chat-input").fill("お電話でご案内します")  # chat still works both ways
    tid(rep, "chat-send").click()
    expect(tid(customer, "chat-message")).to_contain_text(["お電話でご案内します"])


def test_environment_page_lists_engines_and_this_browser(server, person):
    page = person("visitor")
    page.goto(server.url + "/environment")
    matrix = tid(page, "environment-matrix")
    legacy_call = matrix.locator("tr[data-engine=legacy] td[data-feature=video_call]")
    expect(legacy_call).to_contain_text("×")
    expect(legacy_call).to_have_attribute("data-proven", "disabled")  # shown as proven by the matrix suite
    expect(matrix.locator("tr[data-engine=chromium] td[data-feature=video_call]")).to_have_attribute(
        "data-proven", "works"
    )
    expect(matrix.locator("tr[data-engine=legacy] td[data-feature=issue_number]")).to_contain_text("○")
    bridged_call = matrix.locator("tr[data-engine=legacy_bridge] td[data-feature=video_call]")
    expect(bridged_call).to_contain_text("○")
    expect(bridged_call).to_have_attribute("data-proven", "works")
    expect(matrix.locator("tr[data-engine=this] td[data-feature=video_call]")).to_have_text("○")
    # 画面共有: proven where the matrix shares (Chromium) and where it is off (phones); Firefox,
    # which receives shares in the matrix but whose own picker cannot be answered here, claims it
    # without the ✓.
    share = "td[data-feature=screen_share]"
    expect(matrix.locator(f"tr[data-engine=chromium] {share}")).to_have_attribute("data-proven", "works")
    expect(matrix.locator(f"tr[data-engine=android] {share}")).to_have_attribute("data-proven", "disabled")
    firefox_share = matrix.locator(f"tr[data-engine=firefox] {share}")
    expect(firefox_share).to_contain_text("○")
    expect(firefox_share).to_have_attribute("data-proven", "untested")
    ie11 = matrix.locator("tr[data-engine=ie11]")  # its own row: no bridge, no ✓ it did not earn
    expect(ie11.locator("td[data-feature=video_call]")).to_contain_text("×")
    expect(ie11.locator(".proven")).to_have_count(0)
    expect(ie11).to_contain_text("IE11 そのものでの動作はここでは試験していません")

    crippled = person("crippled", engine="chromium-nowebrtc")
    crippled.goto(server.url + "/environment")
    expect(
        tid(crippled, "environment-matrix").locator("tr[data-engine=this] td[data-feature=video_call]")
    ).to_have_text("×")
