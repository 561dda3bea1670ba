"""Register the host with browsers for the current user: no admin rights, per-user locations only.

For each browser: a host manifest (``jp.mendan.bridge.json``) naming an absolute, executable
launcher, and on Windows a registry value under HKCU pointing at that manifest. Chrome-family
manifests list ``allowed_origins`` (``chrome-extension://ID/``); Firefox's list
``allowed_extensions`` (add-on ids). The same ids go into config.json, which the host checks
against the caller the browser names.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import os
import re
import shutil
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from native_host.config import ConfigStore
from native_host.launch import frozen_executable

log = logging.getLogger(__name__)

HOST_NAME = "jp.mendan.bridge"
DESCRIPTION = "Mendan bridge: WebRTC for browsers without it"
DEFAULT_CHROME_EXTENSION_ID = "ijahegiphjlbioafcfemnihgjgaelkka"
"""The id extension/manifest.json's key pins (tests/unit/test_extension.py checks they agree)."""
DEFAULT_FIREFOX_EXTENSION_ID = "bridge@mendan.jp"
_CHROME_ID = re.compile(r"^[a-p]{32}$")


class Browser(enum.StrEnum):
    """The browsers ``mendan-bridge install`` registers with."""

    CHROME = "chrome"
    CHROMIUM = "chromium"
    EDGE = "edge"
    FIREFOX = "firefox"


_LINUX_DIRS = {
    Browser.CHROME: ".config/google-chrome/NativeMessagingHosts",
    Browser.CHROMIUM: ".config/chromium/NativeMessagingHosts",
    Browser.EDGE: ".config/microsoft-edge/NativeMessagingHosts",
    Browser.FIREFOX: ".mozilla/native-messaging-hosts",
}
_MAC_DIRS = {
    Browser.CHROME: "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    Browser.CHROMIUM: "Library/Application Support/Chromium/NativeMessagingHosts",
    Browser.EDGE: "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    Browser.FIREFOX: "Library/Application Support/Mozilla/NativeMessagingHosts",
}
WINDOWS_REGISTRY_KEYS = {
    Browser.CHROME: rf"Software\Google\Chrome\NativeMessagingHosts\{HOST_NAME}",
    Browser.CHROMIUM: rf"Software\Chromium\NativeMessagingHosts\{HOST_NAME}",
    Browser.EDGE: rf"Software\Microsoft\Edge\NativeMessagingHosts\{HOST_NAME}",
    Browser.FIREFOX: rf"Software\Mozilla\NativeMessagingHosts\{HOST_NAME}",
}


@dataclass(frozen=True)
class Target:
    """Where one OS keeps things for one user."""

    platform: str
    home: Path
    local_app_data: Path

    @classmethod
    def current(cls) -> Target:
        home = Path.home()
        local = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return cls(sys.platform, home, local)

    @property
    def windows(self) -> bool:
        return self.platform == "win32"

    def data_dir(self) -> Path:
        """Where the launcher lives."""
        if self.windows:
            return self.local_app_data / "mendan-bridge"
        if self.platform == "darwin":
            return self.home / "Library" / "Application Support" / "mendan-bridge"
        return Path(os.environ.get("XDG_DATA_HOME") or self.home / ".local" / "share") / "mendan-bridge"

    def manifest_path(self, browser: Browser) -> Path:
        if self.windows:
            # One file per browser: Firefox's manifest differs, and each registry value names a file.
            return self.data_dir() / browser.value / f"{HOST_NAME}.json"
        dirs = _MAC_DIRS if self.platform == "darwin" else _LINUX_DIRS
        return self.home / dirs[browser] / f"{HOST_NAME}.json"

    def launcher_path(self) -> Path:
        return self.data_dir() / ("mendan-bridge-host.bat" if self.windows else "mendan-bridge-host")


class Registry(Protocol):
    """The HKCU writes on Windows; a fake in tests, ``WinRegistry`` for real."""

    def set_default(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


class WinRegistry:
    """HKEY_CURRENT_USER through ``winreg`` (Windows only)."""

    def set_default(self, key: str, value: str) -> None:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, key) as handle:  # type: ignore[attr-defined,unused-ignore]
            winreg.SetValueEx(handle, "", 0, winreg.REG_SZ, value)  # type: ignore[attr-defined,unused-ignore]

    def delete(self, key: str) -> None:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        with contextlib.suppress(FileNotFoundError):  # already gone is what we want
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key)  # type: ignore[attr-defined,unused-ignore]


def split_ids(extension_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(Chrome-family ids, Firefox add-on ids): Chrome ids are 32 letters a-p."""
    ids = list(dict.fromkeys(extension_ids))
    chrome = [i for i in ids if _CHROME_ID.match(i)]
    firefox = [i for i in ids if not _CHROME_ID.match(i)]
    return chrome or [DEFAULT_CHROME_EXTENSION_ID], firefox or [DEFAULT_FIREFOX_EXTENSION_ID]


def manifest(
    browser: Browser, launcher: Path, chrome_ids: list[str], firefox_ids: list[str]
) -> dict[str, object]:
    """The host manifest for one browser."""
    body: dict[str, object] = {
        "name": HOST_NAME,
        "description": DESCRIPTION,
        "path": str(launcher),
        "type": "stdio",
    }
    if browser == Browser.FIREFOX:
        body["allowed_extensions"] = firefox_ids
    else:
        body["allowed_origins"] = [f"chrome-extension://{i}/" for i in chrome_ids]
    return body


def launcher_text(target: Target, python: str, package_parent: Path) -> str:
    """A script that starts this Python on the host module; browsers need one absolute path."""
    if target.windows:
        return (
            f'@echo off\r\nset "PYTHONPATH={package_parent};%PYTHONPATH%"\r\n"{python}" -m native_host %*\r\n'
        )
    return (
        "#!/bin/sh\n"
        "# Written by `mendan-bridge install`; the browser starts this with the caller as $1.\n"
        f'PYTHONPATH="{package_parent}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{python}" -m native_host "$@"\n'
    )


def install(
    browsers: Iterable[Browser],
    extension_ids: Iterable[str] = (),
    origins: Iterable[str] = (),
    target: Target | None = None,
    store: ConfigStore | None = None,
    registry: Registry | None = None,
    python: str | None = None,
) -> list[Path]:
    """Write the launcher (not for the frozen build), each browser's manifest (and registry value);
    returns the files written."""
    target = target or Target.current()
    store = store or ConfigStore()
    chrome_ids, firefox_ids = split_ids(extension_ids)
    # The frozen build is its own host: the manifests name it, no launcher script is needed.
    launcher = frozen_executable() if python is None else None
    written = []
    if launcher is None:
        launcher = target.launcher_path()
        launcher.parent.mkdir(parents=True, exist_ok=True)
        package_parent = Path(__file__).resolve().parent.parent
        text = launcher_text(target, python or sys.executable, package_parent)
        launcher.write_text(text, encoding="utf-8")
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(launcher)
    for browser in browsers:
        path = target.manifest_path(browser)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(manifest(browser, launcher, chrome_ids, firefox_ids), indent=2) + "\n", "utf-8"
        )
        written.append(path)
        if target.windows:
            (registry or WinRegistry()).set_default(WINDOWS_REGISTRY_KEYS[browser], str(path))
    for extension_id in [*chrome_ids, *firefox_ids]:
        store.add_extension(extension_id)
    for origin in origins:
        store.add_origin(origin)
    return written


def uninstall(
    browsers: Iterable[Browser],
    target: Target | None = None,
    store: ConfigStore | None = None,
    registry: Registry | None = None,
) -> list[Path]:
    """Remove the manifests (and registry values); with every browser, the launcher and config too."""
    target = target or Target.current()
    store = store or ConfigStore()
    chosen = set(browsers)
    removed = []
    for browser in chosen:
        path = target.manifest_path(browser)
        if path.exists():
            path.unlink()
            removed.append(path)
        if target.windows:
            (registry or WinRegistry()).delete(WINDOWS_REGISTRY_KEYS[browser])
    if chosen == set(Browser):
        for path in (target.data_dir(), store.directory):
            if path.exists():
                shutil.rmtree(path)
                removed.append(path)
    return removed
