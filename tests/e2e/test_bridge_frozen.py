"""The self-contained host (PyInstaller one-folder build, no Python needed): built here (cached
under ~/.cache/mendan/bridge by a hash of its sources and libraries), it installs itself for a
private HOME, checks itself with `doctor`, and is the host of the usual bridge call."""

from __future__ import annotations

import json
import subprocess

from native_host.freeze import build, executable
from tests.e2e.bridge_steps import hold_bridge_call
from tests.support.bridge_browser import chromium_with_bridge, install_bridge


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
