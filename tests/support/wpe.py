"""WPE WebKit (Debian's cog + WPEWebDriver) driven by Selenium: a real engine with no WebRTC at all."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.wpewebkit.options import Options
from selenium.webdriver.wpewebkit.service import Service

T = TypeVar("T")


@contextmanager
def wpe_browser() -> Iterator[webdriver.WPEWebKit]:
    options = Options()
    options.binary_location = "/usr/bin/cog"
    options.add_argument("--automation")
    options.add_argument("--platform=headless")
    options.set_capability("browserName", "cog")
    driver = webdriver.WPEWebKit(options=options, service=Service(executable_path="/usr/bin/WPEWebDriver"))
    try:
        yield driver
    finally:
        driver.quit()


def by_testid(driver: webdriver.WPEWebKit, test_id: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f"[data-testid={test_id}]")


def eventually(check: Callable[[], T], timeout: float = 15.0) -> T:
    """check() until it returns something truthy (WebDriver has no auto-waiting locators)."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception:  # the element may not exist yet; try again until the deadline
            pass
        time.sleep(0.2)
    raise AssertionError(f"not true within {timeout} s (last: {last!r})")
