"""The usual bridge call, step by step: a customer in a browser without WebRTC (the bridge's
extension and host) meets a native Chromium rep; both see the other's video keep arriving."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.support.server import MendanServer

BRIDGE_FRAMES = "() => Mendan.debug.remoteTiles()"


def hold_bridge_call(
    server: MendanServer,
    person: Callable[[str], Page],
    context: BrowserContext,
    during: Callable[[Page, Page], None] | None = None,
) -> None:
    """The call from the customer's bridge ``context`` (closed at the end) to a rep; ``during``
    (customer, rep) runs once both see each other."""
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
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
        if during is not None:
            during(customer, rep)
        if os.environ.get("MENDAN_SCREENSHOTS"):
            customer.screenshot(path=os.environ["MENDAN_SCREENSHOTS"])

        tid(customer, "camera-toggle").click()
        expect(rep.locator(".tile.remote .tile-badge")).to_have_text("カメラオフ")
        tid(rep, "leave-button").click()
        expect(tid(customer, "notice")).to_have_text("他のユーザーからのコールが終了しました")
    finally:
        context.close()
