"""The host against real Chromium running the room page's own ``peer.js``, SDP and trickled ICE
relayed by the test as the page and server would relay them. Both who-offers cases."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, Route

from tests.support.bridge_host import ROOT, HostProcess, frames_of, write_config

T = TypeVar("T")
PAGE_URL = "http://localhost/bridge-peer"  # served by page.route: a secure context, no network
PEER_JS = (ROOT / "web" / "static" / "js" / "peer.js").read_text(encoding="utf-8")
HARNESS = """
var Mendan = {};
window.outbox = [];
window.states = [];
window.startMedia = function () {
  return navigator.mediaDevices.getUserMedia({video: {width: 640, height: 360}, audio: true})
    .then(function (stream) { window.localStream = stream; });
};
window.makeLink = function (selfId, remoteId) {
  window.link = new Mendan.PeerLink({
    selfId: selfId, remoteId: remoteId, iceServers: [], localStream: window.localStream,
    signaling: {send: function (message) { window.outbox.push(message); }},
    onTrack: function (stream) { document.getElementById("remote").srcObject = stream; },
    onState: function (state) { window.states.push(state); }
  });
  return true;
};
window.inboundStats = function () {
  return window.link.pc.getStats().then(function (report) {
    var out = {video: 0, audio: 0};
    report.forEach(function (s) {
      if (s.type === "inbound-rtp" && s.kind === "video") { out.video = s.framesDecoded || 0; }
      if (s.type === "inbound-rtp" && s.kind === "audio") { out.audio = s.totalSamplesReceived || 0; }
    });
    return out;
  });
};
"""


PAGE = f"<!doctype html><video id=remote autoplay muted></video><script>{HARNESS}\n{PEER_JS}</script>"


class LoopThread:
    """An asyncio loop in its own thread: the host is driven there while Playwright's sync API
    owns the main thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


def _open_page(person: Callable[..., Page]) -> Page:
    page = person("chromium-peer")

    def serve(route: Route) -> None:
        route.fulfill(
            content_type="text/html",
            body=PAGE,
        )

    page.route(PAGE_URL, serve)
    page.goto(PAGE_URL)
    page.evaluate("startMedia()")
    return page


def _relay(page: Page, host: HostProcess, loop: LoopThread, page_id: str, seconds: float) -> None:
    """Carry signals both ways for ``seconds``, as the page's WebSocket and the server would."""
    delivered = page.evaluate("window.delivered || 0")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in page.evaluate("outbox.splice(0)"):
            signal = {"type": "signal", "peer_id": page_id}
            signal.update({k: message[k] for k in ("description", "candidate") if k in message})
            reply = loop.run(host.request(signal))
            assert reply["type"] == "ok", reply
        local = [m for _, m in host.received if m.get("type") == "local_signal"]
        for message in local[delivered:]:
            page.evaluate(
                "m => link.handleSignal(m)", {"sender": page_id, "description": message["description"]}
            )
        delivered = len(local)
        page.evaluate(f"window.delivered = {delivered}")
        time.sleep(0.05)


@pytest.mark.parametrize("page_offers", [True, False], ids=["chromium-offers", "host-offers"])
def test_host_and_chromium_peer_js_exchange_media(
    tmp_path: Path, loop: LoopThread, person: Callable[..., Page], page_offers: bool
) -> None:
    write_config(tmp_path)
    host = loop.run(HostProcess(tmp_path).start())
    try:
        loop.run(host.open_session())
        page = _open_page(person)
        # peer.js: the smaller id offers and is impolite. The page is "a" when it offers.
        page_id, host_id = ("a", "b") if page_offers else ("b", "a")
        reply = loop.run(
            host.request(
                {
                    "type": "create_peer",
                    "peer_id": page_id,
                    "polite": page_offers,
                    "initiator": not page_offers,
                }
            )
        )
        assert reply["type"] == "ok", reply
        page.evaluate(f"makeLink('{page_id}', '{host_id}')")
        if page_offers:
            page.evaluate("link.start()")
        _relay(page, host, loop, page_id, seconds=2.0)
        loop.run(host.wait_for(lambda m: m.get("type") == "peer_state" and m["state"] == "connected", 15))
        first = page.evaluate("inboundStats()")
        _relay(page, host, loop, page_id, seconds=2.0)
        second = page.evaluate("inboundStats()")
        frames = frames_of(host, page_id)
        levels = [
            m["level"] for _, m in host.received if m.get("type") == "audio_level" and m["peer_id"] == page_id
        ]
        print(f"chromium decoded {first} -> {second}; host relayed {len(frames)} frames; levels {levels[:8]}")
        assert len(frames) >= 15, "Chromium's camera reaches the page as JPEG frames"
        assert frames[-1][1]["width"] == 640
        assert levels, "Chromium's audio is decoded by the host"
        assert second["video"] > first["video"] >= 1, "the host's camera is decoded by Chromium"
        assert second["audio"] > first["audio"], "the host's mic is decoded by Chromium"
        assert "connected" in page.evaluate("states")
        # peer.js restarts ICE after a drop. aiortc cannot restart ICE; the host must still answer
        # the restart offer so the page's negotiation settles, and media must keep flowing.
        page.evaluate("link.restartIce()")
        _relay(page, host, loop, page_id, seconds=2.0)
        third = page.evaluate("inboundStats()")
        after_restart = len(frames_of(host, page_id))
        print(f"after restartIce: chromium decoded {third}; host relayed {after_restart} frames")
        assert page.evaluate("link.pc.signalingState") == "stable"
        assert third["video"] > second["video"] and after_restart > len(frames)
        assert loop.run(host.request({"type": "shutdown"}))["type"] == "ok"
        assert loop.run(host.close()) == 0
    finally:
        if host.process is not None and host.process.returncode is None:
            host.process.kill()
            loop.run(host.process.wait())
