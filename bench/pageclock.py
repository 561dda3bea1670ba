"""Times taken inside the pages, on the machine's one clock (``Date.now()`` in every page), as
``bench.connect`` does: Python only reads them afterwards, so a slow poll from Python adds nothing.

Every page records its RTCPeerConnections (an init script), so the same watcher serves Mendan's
mesh and Janus's videoroom: it notes the moment the page decodes video from ``n`` streams.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page

RECORD_PEER_CONNECTIONS = """(() => {
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    window.__benchPcs = [];
    const Recorded = function (...args) {
        const pc = new Native(...args);
        window.__benchPcs.push(pc);
        return pc;
    };
    Recorded.prototype = Native.prototype;
    Object.setPrototypeOf(Recorded, Native);
    window.RTCPeerConnection = Recorded;
})()"""

# Counts inbound video streams that decoded a frame, every 25 ms, until there are ``n``.
WATCH_DECODING = """(n) => {
    window.__benchDecodedAt = null;
    const look = async () => {
        let decoding = 0;
        for (const pc of window.__benchPcs || []) {
            if (pc.connectionState === 'closed') continue;
            try {
                (await pc.getStats()).forEach((r) => {
                    if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) decoding++;
                });
            } catch (error) {
                continue; // closed while we asked: a replaced link; its successor is counted
            }
        }
        window.__benchDecoding = decoding;
        if (decoding >= n) window.__benchDecodedAt = Date.now();
        else setTimeout(look, 25);
    };
    look();
}"""

MARK_CLICK = """(selector) => {
    window.__benchClickedAt = null;
    document.querySelector(selector).addEventListener('click', () => {
        window.__benchClickedAt = Date.now();
    }, {capture: true});
}"""


# What a page sends: each outbound video's frame height and fps, and the audio codecs in use.
SENDING = """async () => {
    const video = [];
    const audio = new Set();
    for (const pc of window.__benchPcs || []) {
        if (pc.connectionState === 'closed') continue;
        const stats = await pc.getStats();
        stats.forEach((r) => {
            if (r.type === 'outbound-rtp' && r.kind === 'video') {
                video.push(`${r.frameHeight || 0}p${Math.round(r.framesPerSecond || 0)}`);
            } else if (r.type === 'outbound-rtp' && r.kind === 'audio' && r.codecId) {
                audio.add(stats.get(r.codecId).mimeType);
            }
        });
    }
    return `video ${video.join(' ') || '-'}, audio ${[...audio].join(' ') || '-'}`;
}"""


def sending(page: Page) -> str:
    """e.g. 'video 240p20 240p20 240p20, audio audio/red' for a page in a 4-person mesh."""
    result: str = page.evaluate(SENDING)
    return result


def watch_decoding(pages: list[Page], streams: int) -> None:
    for page in pages:
        page.evaluate(WATCH_DECODING, streams)


def mark_click(page: Page, selector: str) -> None:
    page.evaluate(MARK_CLICK, selector)


def wait_decoding(pages: list[Page], timeout: float = 60.0) -> list[float]:
    """The in-page times (ms since the epoch) at which each page's watcher was satisfied."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = [page.evaluate("window.__benchDecodedAt") for page in pages]
        if all(t is not None for t in times):
            return [float(t) for t in times]
        time.sleep(0.2)
    counts = [page.evaluate("window.__benchDecoding") for page in pages]
    raise RuntimeError(f"not all pages decoded within {timeout:.0f} s: streams decoding per page {counts}")


def clicked_at(page: Page) -> float:
    value = page.evaluate("window.__benchClickedAt")
    if value is None:
        raise RuntimeError("the click was not recorded")
    return float(value)
