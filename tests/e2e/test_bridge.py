"""R-8.3 end to end: Chromium with WebRTC removed + our extension + the real native host (aiortc,
synthetic camera) meets a native Chromium rep. The rep decodes the bridge side's video; the
bridge page paints the rep's video from the host's JPEG frames."""

from __future__ import annotations

import array
import os
import time

from playwright.sync_api import expect

from native_host.install import DEFAULT_CHROME_EXTENSION_ID
from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.support.bridge_browser import chromium_with_bridge, install_bridge
from tests.support.desktop import (
    press_first_button,
    pulse_sink,
    recording_of_the_speaker,
    wait_for_window,
    xvfb_display,
)

BRIDGE_FRAMES = "() => Mendan.debug.remoteTiles()"


def test_bridge_customer_meets_a_native_rep(server, person, playwright_instance, tmp_path):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    home = tmp_path / "home"
    env = install_bridge(home, "chromium", server.url, pre_approve=True)
    context = chromium_with_bridge(playwright_instance, home, env)
    try:
        customer = context.new_page()
        customer.on("console", lambda message: print(f"[bridge console] {message.type}: {message.text}"))
        number = issue_number(customer, server)
        assert customer.evaluate("typeof window.RTCPeerConnection") == "undefined"
        expect(tid(customer, "compat-banner")).to_be_hidden()  # the bridge answered: nothing to install

        rep = person("rep")
        log_in(rep, server, "tanaka")
        connect(rep, number)
        expect(tid(customer, "start-media")).to_be_enabled()
        tid(customer, "start-media").click()

        wait_for_advancing_video(rep, timeout=40)  # the host's synthetic camera, decoded by the rep
        expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected", timeout=30000)
        first = customer.evaluate(BRIDGE_FRAMES)
        time.sleep(2)
        second = customer.evaluate(BRIDGE_FRAMES)
        (peer,) = second
        assert second[peer]["tag"] == "IMG"
        assert second[peer]["frames"] > first[peer]["frames"] + 10  # the rep's video keeps arriving
        assert second[peer]["src"] != first[peer]["src"]  # and the picture changes
        expect(customer.locator("#local-image")).to_be_visible()  # own preview from the host
        if os.environ.get("MENDAN_SCREENSHOTS"):
            customer.screenshot(path=os.environ["MENDAN_SCREENSHOTS"])

        tid(customer, "camera-toggle").click()
        expect(rep.locator(".tile.remote .tile-badge")).to_have_text("カメラオフ")
        tid(rep, "leave-button").click()
        expect(tid(customer, "notice")).to_have_text("他のユーザーからのコールが終了しました")
    finally:
        context.close()
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
