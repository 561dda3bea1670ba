"""The real consent window: pywebview (GTK/WebKit) under Xvfb, answered with the keyboard.

Needs Debian's xvfb, xdotool, gir1.2-webkit2-4.1 and python3-gi importable from the test's Python
(see the report: a venv with --system-site-packages, or PyGObject from PyPI).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from native_host.catalogue import text
from native_host.config import Consent
from native_host.consent import window_prompt

ORIGIN = "https://meet.example.jp"


@pytest.fixture
def display() -> Iterator[str]:
    """A private Xvfb on a free display number (Xvfb picks it and tells us through a pipe)."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=[write_end],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def _xdotool(display: str, *args: str) -> str:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, check=False, timeout=10
    ).stdout


def _wait_for_window(display: str, answer: Future[Consent | None], timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert not answer.done(), (
            f"the window ended before it was shown ({answer.result()}): pywebview's GTK backend needs "
            "python3-gi importable and gir1.2-webkit2-4.1; the window's error is in the captured stderr"
        )
        found = _xdotool(display, "search", "--name", "Mendan").split()
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("no consent window appeared")


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
        title = _xdotool(display, "getwindowname", window).strip()
        assert title == text("consent.title", "ja"), title
        deadline = time.monotonic() + 25
        # Keys reach the page only once it has loaded (about 1 s after the window maps): repeat.
        while not answer.done() and time.monotonic() < deadline:
            _xdotool(display, "mousemove", "--window", window, "280", "12")  # the page's top margin
            _xdotool(display, "click", "1")  # gives the page keyboard focus without a window manager
            _xdotool(display, "key", "Tab")  # the first button: 許可する
            _xdotool(display, "key", "Return")
            time.sleep(1.5)
        assert answer.result(timeout=5) == Consent.ALLOW
    finally:
        if not answer.done():
            _kill_window_processes()
        pool.shutdown(wait=True)
