"""Take screenshots of every page at desktop and phone size into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py

Runs a real server and real Chromium people (fake camera), like the e2e tests.
"""

from __future__ import annotations

import datetime
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.e2e.meeting_steps import connect, invite_url, issue_number, log_in, tid  # noqa: E402
from tests.support.browser import launch_options  # noqa: E402
from tests.support.engines import NO_WEBRTC_SCRIPT, PHONE  # noqa: E402
from tests.support.server import MendanServer  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 860}}


def person(browser: Browser, phone: bool = False, webrtc: bool = True) -> Page:
    context = browser.new_context(permissions=["camera", "microphone"], **(PHONE if phone else DESKTOP))
    if not webrtc:
        context.add_init_script(NO_WEBRTC_SCRIPT)
    return context.new_page()


def shoot(page: Page, name: str, full: bool = False) -> None:
    time.sleep(0.4)  # let fonts and video frames paint
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print("wrote", name)


def integrations(browser: Browser, server: MendanServer) -> None:
    """外部連携: a webhook whose receiver is down (the log shows it), a test event, a new API token."""
    rep = person(browser)
    log_in(rep, server, "tanaka")
    rep.goto(server.url + "/portal/integrations")
    tid(rep, "webhook-url").fill("http://127.0.0.1:9/hooks/mendan")
    tid(rep, "webhook-save").click()
    tid(rep, "webhook-test").click()
    expect(tid(rep, "webhook-log-row").first).to_be_visible(timeout=20000)
    tid(rep, "token-name").fill("kintone連携")
    tid(rep, "token-create").click()
    expect(tid(rep, "new-token")).to_be_visible()
    shoot(rep, "desktop-integrations", full=True)
    rep.context.close()


def scheduled(browser: Browser, server: MendanServer) -> None:
    """予定の商談: a slot booked for now, the customer waiting on its link, the rep's list."""
    rep, customer = person(browser), person(browser)
    log_in(rep, server, "tanaka")
    starts = datetime.datetime.now(ZoneInfo("Asia/Tokyo"))
    tid(rep, "schedule-when").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    tid(rep, "schedule-customer").fill("山田 花子")
    tid(rep, "schedule-company").fill("株式会社山田")
    tid(rep, "schedule-book").click()
    customer.goto(tid(rep, "schedule-link").input_value())
    shoot(customer, "desktop-scheduled-link")
    tid(customer, "start-meeting").click()
    expect(tid(rep, "schedule-start")).to_be_visible()
    rep.locator("#scheduled").screenshot(path=str(OUT / "desktop-rep-scheduled.png"))
    print("wrote desktop-rep-scheduled")
    for page in (rep, customer):
        page.context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = MendanServer(Path(folder) / "data").start()
        server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
        browser = playwright.chromium.launch(**launch_options(Path(folder)))  # type: ignore[arg-type]
        try:
            for phone in (False, True):
                size = "phone" if phone else "desktop"
                customer, rep = person(browser, phone), person(browser)
                customer.goto(server.url + "/")
                shoot(customer, f"{size}-start")
                number = issue_number(customer, server)
                shoot(customer, f"{size}-number")
                log_in(rep, server, "tanaka")
                if not phone:
                    rep.goto(server.url + "/login")
                    shoot(rep, "desktop-login")
                    rep.goto(server.url + "/rep")
                    shoot(rep, "desktop-rep", full=True)
                connect(rep, number)
                expect(tid(customer, "start-media")).to_be_visible()
                shoot(customer, f"{size}-customer-consent")
                tid(customer, "start-media").click()
                expect(tid(customer, "meeting")).to_have_attribute("data-state", "connected")
                tid(rep, "chat-input").fill("本日はよろしくお願いいたします。")
                tid(rep, "chat-send").click()
                if not phone:
                    url = invite_url(rep)
                    guest = person(browser)
                    guest.goto(url)
                    shoot(guest, "desktop-invite")
                time.sleep(1.5)
                shoot(customer, f"{size}-customer-room", full=phone)
                if not phone:
                    shoot(rep, "desktop-rep-room")
                tid(rep, "leave-button").click()
                expect(tid(customer, "meeting")).to_have_attribute("data-state", "ended")
                shoot(customer, f"{size}-customer-ended", full=phone)
                for page in (customer, rep):
                    page.context.close()
            for phone in (False, True):
                size = "phone" if phone else "desktop"
                visitor = person(browser, phone)
                visitor.goto(server.url + "/environment")
                shoot(visitor, f"{size}-environment", full=True)
                legacy = person(browser, phone, webrtc=False)
                legacy.goto(server.url + "/")
                shoot(legacy, f"{size}-start-no-webrtc")
            rep = person(browser)
            log_in(rep, server, "tanaka")
            rep.goto(server.url + "/portal")
            shoot(rep, "desktop-portal", full=True)
            integrations(browser, server)
            scheduled(browser, server)
        finally:
            browser.close()
            server.stop()


if __name__ == "__main__":
    main()
