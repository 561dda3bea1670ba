"""The bridge extension in a real Chromium with the real native host: a meeting origin of this
computer is answered; any other site gets no reply to a probe or a hello, and starts no host."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.support.bridge_browser import chromium_with_bridge, install_bridge
from tests.support.static_site import static_site

ASK = """(messages) => new Promise((resolve) => {
    const heard = [];
    window.addEventListener("message", (event) => {
        if (event.data && event.data.source === "mendan-bridge") heard.push(event.data.message);
    });
    for (const message of messages) {
        window.postMessage({source: "mendan-page", message}, window.location.origin);
    }
    window.__heard = heard;
    resolve(true);
})"""
PROBE_AND_HELLO = [
    {"type": "probe"},
    {"v": 1, "type": "hello", "request_id": "h1", "origin": "https://evil.example"},
]


def _host_starts(home: Path) -> int:
    """How many host processes the browser has started (each logs who started it)."""
    path = home / ".config" / "mendan-bridge" / "host.log"
    return path.read_text(encoding="utf-8").count(" started by ") if path.exists() else 0


def _heard(page: Any, kind: str, timeout: float = 15) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heard: list[dict[str, Any]] = page.evaluate("window.__heard")
        if any(message.get("type") == kind for message in heard):
            return heard
        time.sleep(0.1)
    raise AssertionError(f"no {kind} within {timeout} s: {page.evaluate('window.__heard')}")


def test_other_sites_see_no_bridge_and_start_no_host(
    server: Any, playwright_instance: Any, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = install_bridge(home, "chromium", server.url, pre_approve=False)
    context = chromium_with_bridge(playwright_instance, home, env)
    try:
        meeting_page = context.new_page()
        meeting_page.goto(server.url + "/healthz")  # of the meeting origin, without bridge.js of its own
        meeting_page.evaluate(ASK, [{"type": "probe"}])
        assert _heard(meeting_page, "present")  # this computer's meeting origin: answered

        started = _host_starts(home)  # the extension asked the host for its origins, once
        with static_site("<!doctype html><title>other site</title>") as other_url:
            other = context.new_page()
            other.goto(other_url)
            other.evaluate(ASK, PROBE_AND_HELLO)
            # The meeting page, asked after it, is answered: the other site had its turn and got nothing.
            meeting_page.evaluate(ASK, [{"type": "probe"}])
            _heard(meeting_page, "present")
            time.sleep(2)
            assert other.evaluate("window.__heard") == []
        assert _host_starts(home) == started == 1  # no host process was started for the other site
    finally:
        context.close()
