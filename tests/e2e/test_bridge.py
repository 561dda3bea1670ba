"""R-8.3 end to end: Chromium with WebRTC removed + our extension + the real native host (aiortc,
synthetic camera) meets a native Chromium rep. The rep decodes the bridge side's video; the
bridge page paints the rep's video from the host's JPEG frames."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect

from native_host.install import DEFAULT_CHROME_EXTENSION_ID
from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.engines import NO_WEBRTC_SCRIPT

EXTENSION = Path(__file__).resolve().parents[2] / "extension"

BRIDGE_FRAMES = """() => {
    const room = Mendan.debug.room;
    const out = {};
    for (const id of Object.keys(room.tiles)) {
        out[id] = {frames: room.tiles[id].frames || 0, src: room.tiles[id].video.src.slice(-64),
                   tag: room.tiles[id].video.tagName};
    }
    return out;
}"""


def _bridge(home: Path, origin: str) -> dict[str, str]:
    """mendan-bridge install + allow for this user, as the README tells people; returns the env."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share")}  # fmt: skip
    for args in (
        [
            "install",
            "--browser",
            "chromium",
            "--extension-id",
            DEFAULT_CHROME_EXTENSION_ID,
            "--origin",
            origin,
        ],
        ["allow", origin],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "native_host.cli", *args], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    return env


def test_bridge_customer_meets_a_native_rep(server, person, playwright_instance, tmp_path):
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    home = tmp_path / "home"
    env = _bridge(home, server.url)
    context = playwright_instance.chromium.launch_persistent_context(
        str(home / ".config" / "chromium"),
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"],
        env={**env, "MENDAN_BRIDGE_SOURCE": "synthetic", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    try:
        context.add_init_script(NO_WEBRTC_SCRIPT)
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
