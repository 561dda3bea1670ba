"""接続する → first decoded remote frame, on the rep's side and the customer's, over N real meetings.

Each run: a customer page issues a number, a logged-in rep types it and presses 接続する; the
customer's start-media button is pressed by the page itself the moment it appears (so human
reaction time is not counted). Times come from each page's requestVideoFrameCallback on the
remote <video>, against Date.now() at the rep's click (one machine, one clock).

    python -m bench.connect [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.support.browser import launch_options
from tests.support.server import MendanServer

AUTO_START_MEDIA = """() => {
    const timer = setInterval(() => {
        const button = document.querySelector('[data-testid=start-media]');
        if (button && button.offsetParent !== null) { clearInterval(timer); button.click(); }
    }, 5);
}"""

FIRST_FRAME = """() => {
    const times = Mendan.debug.firstFrames ? Object.values(Mendan.debug.firstFrames()) : [];
    return times.length ? times[0] : null;
}"""


def one_meeting(browser: Browser, server: MendanServer) -> tuple[float, float]:
    customer_context = browser.new_context(permissions=["camera", "microphone"])
    rep_context = browser.new_context(permissions=["camera", "microphone"])
    try:
        customer, rep = customer_context.new_page(), rep_context.new_page()
        customer.goto(server.url + "/")
        customer.get_by_test_id("start-meeting").click()
        number = customer.get_by_test_id("connection-number")
        number.wait_for()
        while not number.inner_text().strip():
            time.sleep(0.01)
        customer.evaluate(AUTO_START_MEDIA)
        rep.goto(server.url + "/login")
        rep.get_by_test_id("login-id").fill("bench")
        rep.get_by_test_id("login-password").fill("bench-password")
        rep.get_by_test_id("login-submit").click()
        rep.wait_for_url("**/rep")
        rep.get_by_test_id("number-input").fill(number.inner_text())
        rep.get_by_test_id("recording-no").check()
        rep.evaluate(
            """() => document.querySelector('[data-testid=connect-button]')
                .addEventListener('click', () => { window.__clickedAt = Date.now(); }, {capture: true})"""
        )
        rep.get_by_test_id("connect-button").click()
        deadline = time.monotonic() + 20
        rep_frame = customer_frame = None
        while time.monotonic() < deadline and (rep_frame is None or customer_frame is None):
            rep_frame = rep.evaluate(FIRST_FRAME)
            customer_frame = customer.evaluate(FIRST_FRAME)
            time.sleep(0.02)
        if rep_frame is None or customer_frame is None:
            raise RuntimeError("no remote frame within 20 s")
        clicked = rep.evaluate("window.__clickedAt")
        return rep_frame - clicked, customer_frame - clicked
    finally:
        customer_context.close()
        rep_context.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = MendanServer(Path(folder) / "data").start()
        server.create_account("bench", password="bench-password", name="ベンチ", company="計測株式会社")
        rep_times: list[float] = []
        customer_times: list[float] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options(Path(folder)))  # type: ignore[arg-type]
                one_meeting(browser, server)  # warm-up: first page loads and codec start-up
                for run in range(args.runs):
                    rep_ms, customer_ms = one_meeting(browser, server)
                    rep_times.append(rep_ms)
                    customer_times.append(customer_ms)
                    print(
                        f"run {run + 1:2d}: rep {rep_ms:6.0f} ms   customer {customer_ms:6.0f} ms", flush=True
                    )
                browser.close()
        finally:
            server.stop()
    print()
    print(f"接続する → first decoded remote frame, {args.runs} runs (Chromium, fake devices, loopback)")
    for side, times in (("rep", rep_times), ("customer", customer_times)):
        print(
            f"  {side:<9} median {statistics.median(times):6.0f} ms   p95 {percentile(times, 0.95):6.0f} ms"
            f"   min {min(times):6.0f} ms   max {max(times):6.0f} ms"
        )
    print("  target: median <= 500 ms")


if __name__ == "__main__":
    main()
