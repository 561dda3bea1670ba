"""``mendan-bridge doctor`` and install's refusal: real host registrations, a real server to
connect to, a real PulseAudio sink as the speakers; a missing part is really missing (an import
that fails, the PortAudio library hidden in a private mount namespace)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.bridge_browser import install_bridge
from tests.support.desktop import pulse_sink

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = [sys.executable, "-m", "native_host.cli"]


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_doctor_reports_every_item_working(server, tmp_path):
    home = tmp_path / "home"
    env = install_bridge(home, "chromium", server.url, pre_approve=True)
    with pulse_sink(tmp_path / "pulse") as pulse:
        env = {**env, "XDG_RUNTIME_DIR": pulse["XDG_RUNTIME_DIR"], "MENDAN_BRIDGE_SOURCE": "synthetic"}
        done = _run([*BRIDGE, "doctor", "--lang", "en"], env)
    report = done.stdout
    assert done.returncode == 0, report + done.stderr
    assert "✓ Parts (PortAudio: speaker output): PortAudio" in report
    # The registration line says the registered program started and answered with the origins.
    assert f"✓ Registered with the browser (chromium): {home}" in report
    assert f"→ {server.url}" in report
    assert "- Registered with the browser (firefox): not registered" in report
    assert "✓ Allowed extensions: ijahegiphjlbioafcfemnihgjgaelkka" in report
    assert f"✓ Meeting sites: {server.url}" in report
    assert "✓ Camera: MENDAN_BRIDGE_SOURCE=synthetic" in report
    assert "✓ Speakers: " in report
    assert f"✓ Connection to the meeting site ({server.url}): {server.url}/healthz → 200" in report


def test_doctor_names_what_is_broken_and_what_to_do(tmp_path):
    home = tmp_path / "home"
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    env = install_bridge(home, "chromium", closed, pre_approve=False)
    launcher = home / ".local" / "share" / "mendan-bridge" / "mendan-bridge-host"
    launcher.write_text("#!/bin/sh\necho 'host crashed' >&2\nexit 1\n", encoding="utf-8")
    done = _run([*BRIDGE, "doctor"], {**env, "MENDAN_BRIDGE_SOURCE": "synthetic"})
    report = done.stdout
    assert done.returncode == 1, report
    assert f"✗ ブラウザへの登録(chromium): {launcher} → host crashed" in report
    assert "登録された補助プログラムが起動しません" in report
    assert f"✗ 商談サイトへの接続({closed})" in report
    assert "URL、プロキシ、ファイアウォールの設定を確認してください" in report


def test_doctor_with_nothing_registered_says_to_install(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share")}  # fmt: skip
    done = _run([*BRIDGE, "doctor", "--lang", "en"], env)
    assert done.returncode == 1
    assert "✗ Registered with the browser (chrome): not registered" in done.stdout
    assert "→ Run mendan-bridge install" in done.stdout


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share")}  # fmt: skip


def test_install_refuses_without_the_bridge_extra(tmp_path):
    """`pip install mendan` without [bridge]: aiortc is not importable (None in sys.modules is how
    Python itself marks a module that must not import)."""
    home = tmp_path / "home"
    without_aiortc = (
        "import sys; sys.modules['aiortc'] = None; from native_host.cli import main; sys.exit(main())"
    )
    done = _run([sys.executable, "-c", without_aiortc, "install", "--browser", "chromium"], _env(home))
    assert done.returncode == 3
    assert "mendan-bridge install を中止しました" in done.stderr
    assert "✗ 部品(aiortc、PyAV、pywebview): aiortc" in done.stderr
    assert "pip install 'mendan[bridge]'" in done.stderr
    assert not (home / ".config" / "chromium").exists()  # nothing registered
    assert not (home / ".local" / "share" / "mendan-bridge").exists()


def test_install_refuses_without_portaudio(tmp_path):
    """The PortAudio library hidden in a private mount namespace (an empty file over it)."""
    home = tmp_path / "home"
    library = Path("/usr/lib/x86_64-linux-gnu/libportaudio.so.2").resolve()
    hide = f'mount --bind /dev/null {library} && exec "$@"'
    done = _run(["unshare", "--mount", "sh", "-c", hide, "sh", *BRIDGE, "install"], _env(home))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "✗ 部品(PortAudio:スピーカーへの出力)" in done.stderr
    assert "apt-get install libportaudio2" in done.stderr
    assert not (home / ".local" / "share" / "mendan-bridge").exists()


def test_install_refuses_without_the_consent_windows_toolkit(tmp_path):
    """GTK's WebKit2 typelibs hidden in a private mount namespace (an empty folder over them), and
    no Qt WebEngine installed: the consent window could not open."""
    home = tmp_path / "home"
    typelibs = "/usr/lib/x86_64-linux-gnu/girepository-1.0"
    hide = f'mount -t tmpfs none {typelibs} && exec "$@"'
    done = _run(["unshare", "--mount", "sh", "-c", hide, "sh", *BRIDGE, "install"], _env(home))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "✗ 部品(確認画面の表示)" in done.stderr
    assert "gir1.2-webkit2-4.1" in done.stderr
    assert not (home / ".local" / "share" / "mendan-bridge").exists()
