"""The shared screen as a page shows it: a <video> in browsers, an <img> of JPEG frames over the
bridge; how to know Chromium's fake screen in it; and the steps the matrix takes with it."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.meeting_steps import tid

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NO_SCREEN_SHARE = re.compile("画面を共有できません")
"""The start of compat.reason.no_screen_share: the disabled button's title."""
WEBDRIVER_BUTTON = (
    "var b = document.querySelector('[data-testid=screen-share-toggle]'); return [b.disabled, b.title];"
)

# The shared screen as the page shows it, scaled to 16x9 pixels, and how far it has played: a
# <video>'s time, or over the bridge the JPEG frames painted into the <img>.
SHARED_PICTURE = """() => {
    const video = document.querySelector('[data-testid=shared-screen]');
    const width = video.videoWidth || video.naturalWidth, height = video.videoHeight || video.naturalHeight;
    if (!width || video.hidden || document.getElementById('screen-view').hidden) return null;
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 9;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(video, 0, 0, 16, 9);
    const data = ctx.getImageData(0, 0, 16, 9).data;
    const at = (x, y) => Array.from(data.slice((y * 16 + x) * 4, (y * 16 + x) * 4 + 3));
    const time = video.tagName === 'IMG' ? Mendan.debug.screenFrames() : video.currentTime;
    return {tag: video.tagName, width, height, time, corner: at(0, 0), middle: at(4, 2)};
}"""


def shared_picture(page: Page, timeout: float = 20.0) -> dict[str, object]:
    """The shared screen once it plays and moves on, with two sample pixels of it."""
    deadline = time.monotonic() + timeout
    first = None
    while time.monotonic() < deadline:
        picture = page.evaluate(SHARED_PICTURE)
        if picture and first and picture["time"] > first["time"]:
            return picture  # type: ignore[no-any-return]
        first = first or picture
        time.sleep(0.3)
    raise AssertionError(f"the shared screen does not play: {first}")


def is_fake_screen(picture: dict[str, object]) -> bool:
    """Chromium's fake screen: 16:9 (cameras here are 4:3), dark green, a brighter green corner."""
    corner, middle = picture["corner"], picture["middle"]
    assert isinstance(corner, list) and isinstance(middle, list)
    width, height = picture["width"], picture["height"]
    assert isinstance(width, int) and isinstance(height, int)
    wide = abs(width / height - 16 / 9) < 0.05
    green = middle[1] > 90 and middle[0] < 60 and middle[2] < 60
    return wide and green and corner[1] > middle[1] + 40


def fake_screen_shown(page: Page, timeout: float = 20.0) -> dict[str, object]:
    """The shared screen once it plays and shows Chromium's fake screen (whose corners blink: a
    picture may catch them dark, so the next ones are looked at until the timeout)."""
    deadline = time.monotonic() + timeout
    picture = shared_picture(page, timeout)
    while not is_fake_screen(picture) and time.monotonic() < deadline:
        time.sleep(0.3)
        picture = shared_picture(page, timeout)
    assert is_fake_screen(picture), picture
    return picture


def share_and_stop(sharer: Page, viewers: Sequence[Page]) -> None:
    """The sharer's Chromium shares its fake screen, every viewer shows it playing, and 共有を停止
    takes it away everywhere."""
    tid(sharer, "screen-share-toggle").click()
    for viewer in viewers:
        fake_screen_shown(viewer)
    tid(sharer, "screen-share-toggle").click()
    for viewer in viewers:
        expect(tid(viewer, "shared-screen")).to_be_hidden()


def cannot_share(page: Page) -> None:
    """画面共有 is disabled, with the reason from compat/ as its title."""
    expect(tid(page, "screen-share-toggle")).to_be_disabled()
    expect(tid(page, "screen-share-toggle")).to_have_attribute("title", NO_SCREEN_SHARE)


def cannot_share_over_webdriver(driver: Any) -> bool:
    """cannot_share for a browser driven over WebDriver; polled with ``eventually``."""
    disabled, title = driver.execute_script(WEBDRIVER_BUTTON)
    return bool(disabled) and NO_SCREEN_SHARE.search(title or "") is not None
