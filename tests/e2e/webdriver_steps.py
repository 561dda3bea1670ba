"""The document and rep steps for browsers driven over WebDriver (Firefox with our add-on, WPE),
where Playwright cannot go: no auto-waiting, so every check is polled with ``eventually``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.e2e.meeting_steps import PASSWORD
from tests.support.wpe import by_testid, eventually

PAGE_SHOWN = """
var image = document.getElementById('doc-page');
return image.getAttribute('data-loaded') === 'true' && image.complete && image.naturalWidth === 1280
    && image.getAttribute('src').indexOf('/pages/' + arguments[0] + '.jpg?') >= 0;
"""

CHOICE_BUTTON = """
var rows = document.querySelectorAll('[data-testid=doc-choice]');
for (var i = 0; i < rows.length; i++) {
    if (rows[i].textContent.indexOf(arguments[0]) >= 0) {
        var button = rows[i].querySelector('[data-testid=' + arguments[1] + ']');
        if (button && !button.disabled && rows[i].getAttribute('data-state') === 'ready') return button;
    }
}
return null;
"""


def wait_for_page(driver: Any, number: int) -> None:
    """The shown page is page ``number`` and its image really loaded."""
    eventually(lambda: driver.execute_script(PAGE_SHOWN, number), timeout=20)


def receive_file(driver: Any, downloads: Path, timeout: float = 20) -> bytes:
    """Click 「資料を受け取る」 on the newest offer; the bytes of the file the browser saved."""
    before = set(downloads.iterdir()) if downloads.exists() else set()
    offers = eventually(lambda: driver.find_elements("css selector", "[data-testid=doc-receive]"))
    offers[-1].click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [
            path
            for path in (set(downloads.iterdir()) if downloads.exists() else set()) - before
            if not path.name.endswith(".part") and path.stat().st_size > 0
        ]
        if done and not list(downloads.glob("*.part")):
            return done[0].read_bytes()
        time.sleep(0.2)
    raise AssertionError(f"nothing downloaded to {downloads}")


def share_file(driver: Any, path: Path, title: str, action: str) -> None:
    """資料共有: pick a file from this computer, wait until it is ready, then 見せる or 渡す."""
    by_testid(driver, "doc-share-file").send_keys(str(path))
    eventually(lambda: driver.execute_script(CHOICE_BUTTON, title, action), timeout=30).click()


def log_in_as_rep(driver: Any, base_url: str, login: str) -> None:
    driver.get(base_url + "/login")
    eventually(lambda: by_testid(driver, "login-id")).send_keys(login)
    by_testid(driver, "login-password").send_keys(PASSWORD)
    by_testid(driver, "login-submit").click()
    eventually(lambda: driver.current_url.endswith("/rep"))
