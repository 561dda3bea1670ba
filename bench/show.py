"""見せる → the page visible on the customer's screen, and 次へ → the next page there (R-5.1: within 1 s).

One real meeting (rep and customer in their own Chromium contexts, loopback); the rep has one
document per run, so every show loads an image the customer's browser has not cached. Times are
the customer page's <img> load event against Date.now() at the rep's click (one machine, one
clock).

    python -m bench.show [--runs 10] [--pages 2]

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

from tests.support.browser import launch_options
from tests.support.documents import make_pdf
from tests.support.rep import log_in as http_log_in
from tests.support.server import MendanServer

MARK_CLICKS = """() => document.addEventListener('click', (event) => {
    const target = event.target.closest('[data-testid=doc-show], [data-testid=doc-next]');
    if (target) { window.__clickedAt = Date.now(); }
}, {capture: true})"""

LOADED_AT = """(page) => {
    const img = document.querySelector('[data-testid=doc-page]');
    if (!img || img.dataset.page !== String(page) || img.dataset.loaded !== 'true') return null;
    return Mendan.debug.documentLoadedAt(img.getAttribute('src'));
}"""


def wait_loaded(customer: Page, page: int) -> float:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        loaded = customer.evaluate(LOADED_AT, page)
        if loaded is not None:
            return float(loaded)
        time.sleep(0.005)
    raise RuntimeError(f"page {page} not shown on the customer's screen within 20 s")


def meeting(page_customer: Page, page_rep: Page, server: MendanServer) -> None:
    page_customer.goto(server.url + "/")
    page_customer.get_by_test_id("start-meeting").click()
    number = page_customer.get_by_test_id("connection-number")
    number.wait_for()
    while not number.inner_text().strip():
        time.sleep(0.01)
    page_rep.goto(server.url + "/login")
    page_rep.get_by_test_id("login-id").fill("bench")
    page_rep.get_by_test_id("login-password").fill("bench-password")
    page_rep.get_by_test_id("login-submit").click()
    page_rep.wait_for_url("**/rep")
    page_rep.get_by_test_id("number-input").fill(number.inner_text())
    page_rep.get_by_test_id("recording-no").check()
    page_rep.get_by_test_id("connect-button").click()
    page_customer.get_by_test_id("start-media").click()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", type=int, default=2)
    args = parser.parse_args()
    show_times: list[float] = []
    turn_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        server = MendanServer(Path(folder) / "data").start()
        server.create_account("bench", password="bench-password", name="ベンチ")
        try:
            with closing(http_log_in(server, "bench", "bench-password")) as library:
                for run in range(args.runs + 1):
                    document = library.uploaded(
                        f"run{run}.pdf", make_pdf(max(2, args.pages), f"Run {run}"), title=f"資料 {run:02d}"
                    )
                    library.wait_rendered(document["id"])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options(Path(folder)))  # type: ignore[arg-type]
                customer = browser.new_context(permissions=["camera", "microphone"]).new_page()
                rep = browser.new_context(permissions=["camera", "microphone"]).new_page()
                meeting(customer, rep, server)
                rep.evaluate(MARK_CLICKS)
                for run in range(args.runs + 1):  # run 0 warms up
                    row = rep.get_by_test_id("doc-choice").filter(has_text=f"資料 {run:02d}")
                    row.get_by_test_id("doc-show").click()
                    show_ms = wait_loaded(customer, 1) - rep.evaluate("window.__clickedAt")
                    rep.get_by_test_id("doc-next").click()
                    turn_ms = wait_loaded(customer, 2) - rep.evaluate("window.__clickedAt")
                    if run:
                        show_times.append(show_ms)
                        turn_times.append(turn_ms)
                        print(f"run {run:2d}: 見せる {show_ms:5.0f} ms   次へ {turn_ms:5.0f} ms", flush=True)
                browser.close()
        finally:
            server.stop()
    print()
    print(f"click on the rep's screen → page image loaded on the customer's, {args.runs} runs (loopback)")
    for label, times in (("見せる", show_times), ("次へ", turn_times)):
        print(
            f"  {label}  median {statistics.median(times):5.0f} ms   min {min(times):5.0f} ms"
            f"   max {max(times):5.0f} ms"
        )
    print("  target: within 1000 ms")


if __name__ == "__main__":
    main()
