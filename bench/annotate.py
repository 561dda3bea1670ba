"""書き込み: the rep's pen touching the page → that stroke drawn on the customer's screen (goal: a
median within 200 ms).

One real meeting (rep and customer in their own Chromium contexts, camera and mic running,
loopback); the rep shows a document and draws strokes with the mouse. Times are Date.now() at the
rep's pointerdown on the drawing surface against Date.now() when the customer's page drew the
stroke's first piece (one machine, one clock).

    python -m bench.annotate [--strokes 30]

Prints figures only; there are no pass/fail thresholds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.show import meeting
from tests.e2e.annotate_steps import draw_with_mouse
from tests.support.browser import launch_options
from tests.support.documents import make_pdf
from tests.support.rep import log_in as http_log_in
from tests.support.server import MendanServer

MARK_PEN_DOWN = """() => document.addEventListener('pointerdown', (event) => {
    if (event.target.matches('[data-testid=annotation-layer]')) { window.__downAt = Date.now(); }
}, {capture: true})"""

LAST_STROKE = "() => Mendan.debug.lastStroke()"


def arrival(customer: Page, stroke_id: str) -> float:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        at = customer.evaluate("(id) => Mendan.debug.strokeDrawnAt(id)", stroke_id)
        if at is not None:
            return float(at)
        time.sleep(0.005)
    raise RuntimeError(f"stroke {stroke_id} not drawn on the customer's screen within 20 s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--strokes", type=int, default=30)
    args = parser.parse_args()
    times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        server = MendanServer(Path(folder) / "data").start()
        server.create_account("bench", password="bench-password", name="ベンチ")
        try:
            with closing(http_log_in(server, "bench", "bench-password")) as library:
                document = library.uploaded("guide.pdf", make_pdf(1, "Guide"), title="資料")
                library.wait_rendered(document["id"])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options(Path(folder)))  # type: ignore[arg-type]
                customer = browser.new_context(permissions=["camera", "microphone"]).new_page()
                rep = browser.new_context(permissions=["camera", "microphone"]).new_page()
                meeting(customer, rep, server)
                rep.get_by_test_id("doc-choice").filter(has_text="資料").get_by_test_id("doc-show").click()
                customer.get_by_test_id("doc-page").and_(customer.locator("[data-loaded=true]")).wait_for()
                rep.get_by_test_id("annotate-toggle").click()
                rep.evaluate(MARK_PEN_DOWN)
                for stroke in range(args.strokes + 1):  # stroke 0 warms up
                    y = 0.1 + 0.8 * stroke / max(1, args.strokes)
                    draw_with_mouse(rep, [(0.1, y), (0.5, y + 0.02), (0.9, y)])
                    stroke_id = rep.evaluate(LAST_STROKE)
                    latency = arrival(customer, stroke_id) - rep.evaluate("window.__downAt")
                    if stroke:
                        times.append(latency)
                        print(f"stroke {stroke:2d}: {latency:5.0f} ms", flush=True)
                browser.close()
        finally:
            server.stop()
    times.sort()
    print()
    print(f"rep's pen down → stroke drawn on the customer's page, {args.strokes} strokes (loopback)")
    print(
        f"  median {statistics.median(times):5.0f} ms   p95 {times[int(len(times) * 0.95) - 1]:5.0f} ms"
        f"   min {min(times):5.0f} ms   max {max(times):5.0f} ms"
    )
    print("  goal: median within 200 ms")


if __name__ == "__main__":
    main()
