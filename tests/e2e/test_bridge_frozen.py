"""The self-contained host (PyInstaller one-folder build, no Python needed): built here (cached
under ~/.cache/mendan/bridge by a hash of its sources and libraries), it installs itself for a
private HOME, checks itself with `doctor`, and is the host of the usual bridge call."""

from __future__ import annotations

import json
import os
import subprocess
import threading

from native_host.catalogue import text
from native_host.freeze import build, executable
from tests.e2e.bridge_steps import hold_bridge_call
from tests.support.bridge_browser import chromium_with_bridge, install_bridge
from tests.support.desktop import press_first_button, wait_for_window, xvfb_display


def test_frozen_host_installs_checks_itself_and_holds_the_call(server, person, playwright_instance, tmp_path):
    program = executable(build())
    home = tmp_path / "home"
    env = install_bridge(home, "chromium", server.url, pre_approve=True, command=[str(program)])
    manifest = json.loads((home / ".config/chromium/NativeMessagingHosts/jp.mendan.bridge.json").read_text())
    assert manifest["path"] == str(program)  # the browser starts the frozen build itself, no Python
    doctor = subprocess.run(
        [str(program), "doctor", "--lang", "en"],
        env={**env, "MENDAN_BRIDGE_SOURCE": "synthetic"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = doctor.stdout
    assert "✓ Parts (aiortc, PyAV, pywebview)" in report, report + doctor.stderr
    assert "✓ Parts (PortAudio: speaker output)" in report
    assert "✓ Parts (the consent window): GTK + WebKit2" in report
    assert f"✓ Registered with the browser (chromium): {program} → {server.url}" in report
    assert f"✓ Connection to the meeting site ({server.url}): {server.url}/healthz → 200" in report

    hold_bridge_call(server, person, chromium_with_bridge(playwright_instance, home, env))
    log = (home / ".config" / "mendan-bridge" / "host.log").read_text(encoding="utf-8")
    assert "started by ['chrome-extension://" in log and "(frozen build)" in log


def test_frozen_consent_window_opens_and_is_answered():
    """The GUI toolkit frozen into the build (pywebview, GTK, WebKit2) really shows the window.

    The answer is the first JSON line on stdout, as the host reads it (native_host/consent.py); the
    frozen GTK may take its time tearing the window down afterwards, and the host ends it then."""
    program = executable(build())
    with xvfb_display() as display:
        window_process = subprocess.Popen(
            [str(program), "consent-window", "https://meet.example.jp", "ja"],
            env={**os.environ, "DISPLAY": display},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        lines: list[str] = []
        reader = threading.Thread(target=_collect_lines, args=(window_process, lines), daemon=True)
        reader.start()
        try:
            running = lambda: window_process.poll() is None  # noqa: E731
            answered = lambda: any(line.startswith("{") for line in lines)  # noqa: E731
            title = text("consent.title", "ja")  # by its title: GTK also maps a "mendan-bridge" window
            window = wait_for_window(display, title, still_waiting=running)
            press_first_button(display, window, done=lambda: answered() or not running())  # 許可する
        finally:
            if window_process.poll() is None:
                window_process.kill()
            window_process.wait()
            reader.join(timeout=5)
    answers = [json.loads(line) for line in lines if line.startswith("{")]
    assert answers[:1] == [{"answer": "allow"}], lines


def _collect_lines(process: subprocess.Popen[bytes], lines: list[str]) -> None:
    """Each line of the process's stdout into ``lines`` as it arrives."""
    assert process.stdout is not None
    with process.stdout:
        for raw in process.stdout:
            lines.append(raw.decode().strip())
