"""The real consent window: pywebview (GTK/WebKit) under Xvfb, answered with the keyboard.

Needs Debian's xvfb, xdotool, gir1.2-webkit2-4.1 and python3-gi importable from the test's Python
(see the report: a venv with --system-site-packages, or PyGObject from PyPI).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from native_host.catalogue import text
from native_host.config import Consent
from native_host.consent import window_prompt
from tests.support.desktop import press_first_button, wait_for_window, xdotool, xvfb_display

ORIGIN = "https://meet.example.jp"


@pytest.fixture
def display() -> Iterator[str]:
    with xvfb_display() as number:
        yield number


def _wait_for_window(display: str, answer: Future[Consent | None]) -> str:
    def still_waiting() -> bool:
        assert not answer.done(), (
            f"the window ended before it was shown ({answer.result()}): pywebview's GTK backend needs "
            "python3-gi importable and gir1.2-webkit2-4.1; the window's error is in the captured stderr"
        )
        return True

    return wait_for_window(display, "Mendan", still_waiting)


def _kill_window_processes() -> None:
    """Our own consent window children, by pid (a WebKit window can outlive its display)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"native_host.consent_window" in cmdline:
            os.kill(int(entry.name), signal.SIGKILL)


def test_the_user_allows_in_the_real_window(display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", display)
    pool = ThreadPoolExecutor(1)
    answer = pool.submit(asyncio.run, window_prompt(ORIGIN, "ja"))
    try:
        window = _wait_for_window(display, answer)
        title = xdotool(display, "getwindowname", window).strip()
        assert title == text("consent.title", "ja"), title
        press_first_button(display, window, done=answer.done)  # the first button: 許可する
        assert answer.result(timeout=5) == Consent.ALLOW
    finally:
        if not answer.done():
            _kill_window_processes()
        pool.shutdown(wait=True)
