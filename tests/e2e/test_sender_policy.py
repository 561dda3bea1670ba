"""What each link sends (web/static/js/sender_policy.js): audio with redundancy (RED) first, and
video made smaller as the room fills, so a mesh does not encode a full-size stream per person."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

from tests.e2e.meeting_steps import invite_url, join_by_invite, start_meeting, wait_for_advancing_video

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


def links_sending(page: Page, scale: float, timeout: float = 20.0) -> list[dict[str, Any]]:
    """Each link's first audio codec, video scale-down and sent frame height, once all use ``scale``."""
    deadline = time.monotonic() + timeout
    while True:
        sent: list[dict[str, Any]] = page.evaluate(SENT)
        settled = all(link["scale"] == scale and link["height"] for link in sent)
        if settled or time.monotonic() > deadline:
            return sent
        time.sleep(0.5)


def test_video_gets_smaller_as_the_room_fills_and_audio_has_redundancy(server, person):
    server.create_account("tanaka")
    customer, rep = person("customer"), person("rep")
    start_meeting(customer, rep, server, "tanaka")
    wait_for_advancing_video(rep)
    two = links_sending(rep, scale=1)
    assert [link["audio"] for link in two] == ["red/48000/2"]
    assert [link["scale"] for link in two] == [1]

    join_by_invite(person("guest"), invite_url(rep), "山田 花子")
    wait_for_advancing_video(rep, remotes=2, timeout=30)
    three = links_sending(rep, scale=1.5)
    assert [link["scale"] for link in three] == [1.5, 1.5]
    assert all(0 < link["height"] <= 320 for link in three), three  # 480 / 1.5 at most
