"""R-3.9: the device check before joining, with real (fake-device) Chromium media, and a browser
that really refuses camera and mic."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.meeting_steps import issue_number, tid
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

PREVIEW_FRAMES = "() => document.getElementById('device-preview').getVideoPlaybackQuality().totalVideoFrames"
KEEP_PREVIEW_TRACKS = "window.previewTracks = document.getElementById('device-preview').srcObject.getTracks()"


def test_device_check_shows_camera_mic_level_and_devices(server, person):
    customer = person("customer")
    issue_number(customer, server)  # checking devices while waiting for the rep
    tid(customer, "device-check-open").click()
    expect(tid(customer, "device-check")).to_be_visible()
    expect(customer.locator("#device-ok")).to_have_text("カメラとマイクを使えます。")
    first = customer.evaluate(PREVIEW_FRAMES)
    time.sleep(1)
    assert customer.evaluate(PREVIEW_FRAMES) > first  # the preview is live
    widths = set()
    for _ in range(40):  # Chromium's fake microphone beeps: the meter must move
        widths.add(customer.evaluate("document.getElementById('mic-meter').style.width"))
        time.sleep(0.05)
    assert len(widths) > 2, widths
    assert tid(customer, "camera-select").locator("option").count() >= 1
    assert tid(customer, "mic-select").locator("option").count() >= 1
    tid(customer, "speaker-test").click()
    expect(tid(customer, "speaker-test")).to_have_attribute("data-played", "1")

    chosen = tid(customer, "mic-select").locator("option").last.get_attribute("value")
    tid(customer, "mic-select").select_option(chosen)
    expect(customer.locator("#device-ok")).to_have_text("カメラとマイクを使えます。")
    assert customer.evaluate("JSON.parse(localStorage.getItem('mendan.devices')).mic") == chosen
    # Closing lets go of camera and mic: every track the preview showed has ended.
    customer.evaluate(KEEP_PREVIEW_TRACKS)
    assert customer.evaluate("previewTracks.map((track) => track.readyState)") == ["live", "live"]
    customer.get_by_role("button", name="確認を終える").click()
    expect(tid(customer, "device-check")).to_be_hidden()
    assert customer.evaluate("previewTracks.map((track) => track.readyState)") == ["ended", "ended"]
    assert customer.evaluate("document.getElementById('device-preview').srcObject") is None


def test_blocked_camera_and_mic_say_what_to_do(server, playwright_instance, tmp_path):
    # A real refusal: Chromium denying the permission prompt, not a script pretending.
    args = [a for a in CHROMIUM_ARGS if a != "--use-fake-ui-for-media-stream"] + ["--deny-permission-prompts"]
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=args,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    try:
        page = browser.new_page()
        page.goto(server.url + "/")
        tid(page, "device-check-open").click()
        expect(tid(page, "device-error")).to_contain_text("アドレスバーのカメラのアイコン")
        expect(page.locator("#device-ok")).to_have_text("")
    finally:
        browser.close()
