"""What each link sends (web/static/js/sender_policy.js): audio with redundancy (RED) first, and
video made smaller as the room fills and as small as the receiver's tile, so a mesh does not encode
a full-size stream per person; the statistics it reads come from one shared poll (link_stats.js)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.e2e.meeting_steps import invite_url, join_by_invite, start_meeting, wait_for_advancing_video

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"

SENT = """async () => {
    const out = [];
    for (const pc of Object.values(Mendan.debug.peerConnections())) {
        const sdp = pc.localDescription ? pc.localDescription.sdp : '';
        const lines = sdp.split('\\r\\n');
        const first = (lines.find((line) => line.startsWith('m=audio')) || '').split(' ')[3];
        const rtpmap = lines.find((line) => line.startsWith(`a=rtpmap:${first} `)) || '';
        const video = pc.getSenders().find((s) => s.track && s.track.kind === 'video');
        let height = 0;
        (await pc.getStats()).forEach((r) => {
            if (r.type === 'outbound-rtp' && r.kind === 'video') height = r.frameHeight || 0;
        });
        out.push({
            audio: rtpmap.split(' ')[1] || '',
            scale: video.getParameters().encodings[0].scaleResolutionDownBy,
            height: height,
        });
    }
    return out;
}"""


COUNT_GETSTATS = """() => {
    const original = RTCPeerConnection.prototype.getStats;
    window.getStatsCalls = 0;
    RTCPeerConnection.prototype.getStats = function () {
        window.getStatsCalls++;
        return original.apply(this, arguments);
    };
}"""


def getstats_calls_per_poll(page: Page, seconds: float) -> float:
    """The page's own getStats() calls per link per tick of the shared poller (link_stats.js), over
    ``seconds`` in which the test itself asks for none."""
    page.evaluate(COUNT_GETSTATS)
    ticks_before = page.evaluate("() => Mendan.debug.statsTicks()")
    time.sleep(seconds)
    calls, ticks, links = page.evaluate(
        "() => [window.getStatsCalls, Mendan.debug.statsTicks(),"
        " Object.keys(Mendan.debug.peerConnections()).length]"
    )
    return float(calls) / max(1, ticks - ticks_before) / links


def links_sending(
    page: Page, scale: float, height: int = 100_000, timeout: float = 20.0
) -> list[dict[str, Any]]:
    """Each link's first audio codec, video scale-down and sent frame height, once all use ``scale``
    and send frames of ``height`` at most (the encoder follows a new scale a few frames later)."""
    deadline = time.monotonic() + timeout
    while True:
        sent: list[dict[str, Any]] = page.evaluate(SENT)
        settled = all(link["scale"] == scale and 0 < link["height"] <= height for link in sent)
        if settled or time.monotonic() > deadline:
            return sent
        time.sleep(0.5)


def test_video_fits_the_room_and_the_receivers_tile_and_audio_has_redundancy(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)
    two = links_sending(rep, scale=1)
    # Watchdog, quality indicator and sender policy read one shared report: one call per link per
    # tick (each on its own timer made 1 + 1/2 + 1/3 calls a second).
    assert getstats_calls_per_poll(rep, 6) <= 1.2

    # The rep shows the customer in a small tile (160x120): the customer sends the rep no more.
    rep.locator(".tile.remote").evaluate("(tile) => { tile.style.flex = '0 0 160px'; }")
    to_small_tile = links_sending(customer, scale=4, height=120)
    assert [link["scale"] for link in to_small_tile] == [4]
    assert 0 < to_small_tile[0]["height"] <= 120 < two[0]["height"], (to_small_tile, two)
    SHOTS.mkdir(exist_ok=True)
    rep.screenshot(path=str(SHOTS / "sender-policy-small-tile.png"))
    assert [link["audio"] for link in two] == ["red/48000/2"]
    assert [link["scale"] for link in two] == [1]

    join_by_invite(person("guest"), invite_url(rep), "山田 花子")
    wait_for_advancing_video(rep, remotes=2, timeout=30)
    three = links_sending(rep, scale=1.5, height=320)
    assert [link["scale"] for link in three] == [1.5, 1.5]
    assert all(0 < link["height"] <= 320 for link in three), three  # 480 / 1.5 at most
