"""書き込み step by step: drawing with the mouse or a finger over the shown page, and what the
annotation layer on someone's screen holds."""

from __future__ import annotations

import itertools

from playwright.sync_api import Page

from tests.e2e.meeting_steps import tid

# How many pixels of the annotation layer are close to a colour (alpha counted as drawn).
INKED = """([r, g, b]) => {
    const canvas = document.querySelector('[data-testid=annotation-layer]');
    if (!canvas.width || !canvas.height) return 0;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 128 && Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40
            && Math.abs(data[i + 2] - b) < 40) count++;
    }
    return count;
}"""

RED = (0xD9, 0x2B, 0x2B)
BLUE = (0x1F, 0x5F, 0xBF)


def inked(page: Page, colour: tuple[int, int, int]) -> int:
    count: int = page.evaluate(INKED, list(colour))
    return count


def page_point(page: Page, fx: float, fy: float) -> tuple[float, float]:
    """Where (fx, fy) of the shown page is on the screen now."""
    box = tid(page, "doc-page").bounding_box()
    assert box is not None
    return box["x"] + fx * box["width"], box["y"] + fy * box["height"]


def draw_with_mouse(page: Page, points: list[tuple[float, float]]) -> None:
    """One stroke through ``points`` (fractions of the page), pressed from the first to the last."""
    page.mouse.move(*page_point(page, *points[0]))
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(*page_point(page, fx, fy), steps=8)
    page.mouse.up()


def draw_with_finger(page: Page, points: list[tuple[float, float]]) -> None:
    """The same with a finger on a touch screen (Chromium's own touch events over CDP)."""
    tid(page, "doc-page").scroll_into_view_if_needed()
    cdp = page.context.new_cdp_session(page)
    positions = [page_point(page, fx, fy) for fx, fy in points]
    x, y = positions[0]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for (x0, y0), (x1, y1) in itertools.pairwise(positions):
        for step in range(1, 9):
            x, y = x0 + (x1 - x0) * step / 8, y0 + (y1 - y0) * step / 8
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def wait_inked(page: Page, colour: tuple[int, int, int]) -> None:
    """Until the annotation layer shows strokes of ``colour``."""
    page.wait_for_function(f"(colour) => ({INKED})(colour) > 20", arg=list(colour))


def wait_clean(page: Page, colour: tuple[int, int, int]) -> None:
    """Until no stroke of ``colour`` is left on the annotation layer."""
    page.wait_for_function(f"(colour) => ({INKED})(colour) === 0", arg=list(colour))
