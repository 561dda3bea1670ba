"""R-8.3 end to end: Chromium with WebRTC removed + our extension + the real native host (aiortc,
synthetic camera) meets a native Chromium rep. The rep decodes the bridge side's video; the
bridge page paints the rep's video from the host's JPEG frames."""

from __future__ import annotations

import array
import re
import time

from playwright.sync_api import Page, expect

from native_host.install import DEFAULT_CHROME_EXTENSION_ID
from tests.e2e.bridge_steps import BRIDGE_FRAMES, hold_bridge_call
from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.e2e.screen_share_steps import ARTIFACTS, fake_screen_shown, shared_picture
from tests.support.bridge_browser import chromium_with_bridge, install_bridge
from tests.support.desktop import (
    press_first_button,
    pulse_sink,
    recording_of_the_speaker,
    wait_for_window,
    xvfb_display,
)

# The width / height of the picture in the customer's camera tile for the rep.
TILE_SHAPE = """() => {
    const img = document.querySelector('[data-testid=remote-video]');
    return img.naturalWidth / img.naturalHeight;
}"""


def see_the_reps_shared_screen(customer: Page, rep: Page) -> None:
    """The host relays the rep's shared screen (a second video in its own stream) as frames the
    page shows large, and the camera tile keeps the camera. The bridge page cannot share itself."""
    button = tid(customer, "screen-share-toggle")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("title", re.compile("画面を共有できません"))
    tid(rep, "screen-share-toggle").click()
    expect(tid(customer, "screen-share-banner")).to_have_text("田中 太郎さんが画面を共有しています")
    picture = fake_screen_shown(customer, timeout=40)
    assert picture["tag"] == "IMG"
    camera = customer.evaluate(BRIDGE_FRAMES)
    (peer,) = camera
    later = shared_picture(customer)
    assert later["time"] > picture["time"]  # the screen's frames keep coming
    assert customer.evaluate(BRIDGE_FRAMES)[peer]["frames"] > camera[peer]["frames"]  # and the camera's
    tile = customer.evaluate(TILE_SHAPE)
    assert abs(tile - 4 / 3) < 0.05, tile  # the camera tile shows the camera, not the 16:9 screen
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=str(ARTIFACTS / "screen-share-bridge.png"))
    tid(rep, "screen-share-toggle").click()  # 共有を停止
    expect(tid(customer, "shared-screen")).to_be_hidden()


def test_bridge_customer_meets_a_native_rep_and_sees_a_shared_screen(
    server, person, playwright_instance, tmp_path
):
    home = tmp_path / "home"
    env = install_bridge(home, "chromium", server.url, pre_approve=True)
    context = chromium_with_bridge(playwright_instance, home, env)
    hold_bridge_call(server, person, context, during=see_the_reps_shared_screen)
    log = (home / ".config" / "mendan-bridge" / "host.log").read_text(encoding="utf-8")
    assert f"chrome-extension://{DEFAULT_CHROME_EXTENSION_ID}/" in log


def test_first_use_asks_in_the_hosts_window_and_the_rep_is_heard(
    server, person, playwright_instance, tmp_path
):
    """Not pre-approved: the host's own consent window (pywebview) appears under Xvfb and is
    answered; then the rep's voice comes out of the bridge PC's speaker (a PulseAudio null sink)."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    home = tmp_path / "home"
    with xvfb_display() as display, pulse_sink(tmp_path / "pulse") as pulse:
        env = {**install_bridge(home, "chromium", server.url, pre_approve=False), "DISPLAY": display,
               "XDG_RUNTIME_DIR": pulse["XDG_RUNTIME_DIR"]}  # fmt: skip
        context = chromium_with_bridge(playwright_instance, home, env)
        try:
            customer = context.new_page()
            number = issue_number(customer, server)
            rep = person("rep")
            log_in(rep, server, "tanaka")
            connect(rep, number)
            expect(tid(customer, "start-media")).to_be_enabled()
            tid(customer, "start-media").click()
            started = lambda: customer.locator("#local-image").is_visible()  # noqa: E731
            window = wait_for_window(display, "Mendan", still_waiting=lambda: not started())
            press_first_button(display, window, done=started)  # 許可する
            expect(customer.locator("#local-image")).to_be_visible()
            with recording_of_the_speaker(pulse, 48000, tmp_path / "speaker.raw"):
                wait_for_advancing_video(rep, timeout=40)
                time.sleep(4)  # Chromium's fake microphone beeps about once a second
            raw = (tmp_path / "speaker.raw").read_bytes()
            samples = array.array("h", raw[: len(raw) // 2 * 2])
            loud = sum(1 for sample in samples if abs(sample) > 2000)
            assert loud > 0.01 * 48000, f"the rep's voice did not reach the speaker ({loud} loud samples)"
        finally:
            context.close()
    consent = (home / ".config" / "mendan-bridge" / "config.json").read_text(encoding="utf-8")
    assert server.url in consent and "allow" in consent  # the answer is remembered
