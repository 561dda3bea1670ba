"""The bridge's extension is installed but its host is not (or cannot start): the page names what
to check with `mendan-bridge doctor` instead of saying the browser has no WebRTC."""

from __future__ import annotations

import os
import time

from playwright.sync_api import expect

from tests.e2e.meeting_steps import tid
from tests.support.bridge_browser import chromium_with_bridge


def test_extension_without_its_host_points_to_doctor(server, playwright_instance, tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share")}  # fmt: skip
    context = chromium_with_bridge(playwright_instance, home, env)  # no `mendan-bridge install`
    try:
        page = context.new_page()
        page.route("**/static/js/bridge_help.js", _late)  # the handshake ends before it arrives
        page.goto(server.url + "/")
        assert page.evaluate("typeof window.RTCPeerConnection") == "undefined"
        expect(tid(page, "compat-banner")).to_be_visible()
        trouble = tid(page, "bridge-trouble")
        expect(trouble).to_contain_text("補助プログラム(mendan-bridge)を起動できませんでした")
        expect(trouble).to_contain_text("mendan-bridge doctor")
        expect(page.locator(".compat-banner .bridge-generic")).to_be_hidden()  # not "no WebRTC"
        if os.environ.get("MENDAN_SCREENSHOTS"):
            page.screenshot(path=os.environ["MENDAN_SCREENSHOTS"])
    finally:
        context.close()


def _late(route):
    """Answer after the extension has (the race a busy computer lost now and then)."""
    time.sleep(1.0)
    route.continue_()
