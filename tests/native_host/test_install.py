"""mendan-bridge install/uninstall/allow on each OS's per-user paths, with a fake home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from native_host import cli
from native_host.config import ConfigStore, Consent
from native_host.install import (
    HOST_NAME,
    WINDOWS_REGISTRY_KEYS,
    Browser,
    Target,
    install,
    uninstall,
)

CHROME_ID = "abcdefghijklmnopabcdefghijklmnop"
FIREFOX_ID = "bridge@mendan.jp"

LINUX = {
    Browser.CHROME: ".config/google-chrome/NativeMessagingHosts",
    Browser.CHROMIUM: ".config/chromium/NativeMessagingHosts",
    Browser.EDGE: ".config/microsoft-edge/NativeMessagingHosts",
    Browser.FIREFOX: ".mozilla/native-messaging-hosts",
}
MAC = {
    Browser.CHROME: "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    Browser.CHROMIUM: "Library/Application Support/Chromium/NativeMessagingHosts",
    Browser.EDGE: "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    Browser.FIREFOX: "Library/Application Support/Mozilla/NativeMessagingHosts",
}


class FakeRegistry:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set_default(self, key: str, value: str) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


@pytest.fixture(autouse=True)
def _no_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)


@pytest.mark.parametrize(("platform", "dirs"), [("linux", LINUX), ("darwin", MAC)])
def test_unix_manifests_in_each_browsers_user_directory(
    tmp_path: Path, platform: str, dirs: dict[Browser, str]
) -> None:
    target = Target(platform, tmp_path, tmp_path / "unused")
    store = ConfigStore(tmp_path / "cfg")
    install(list(Browser), [CHROME_ID, FIREFOX_ID], ["https://meet.example.jp/"], target=target, store=store)
    for browser, directory in dirs.items():
        path = tmp_path / directory / f"{HOST_NAME}.json"
        body = json.loads(path.read_text())
        assert body["name"] == HOST_NAME == path.stem and body["type"] == "stdio"
        launcher = Path(body["path"])
        assert launcher.is_absolute() and os.access(launcher, os.X_OK)
        if browser == Browser.FIREFOX:
            assert body["allowed_extensions"] == [FIREFOX_ID] and "allowed_origins" not in body
        else:
            assert body["allowed_origins"] == [f"chrome-extension://{CHROME_ID}/"]
    config = store.load()
    assert config.allowed_extensions == [CHROME_ID, FIREFOX_ID]
    assert config.meeting_origins == ["https://meet.example.jp"]
    removed = uninstall(list(Browser), target=target, store=store)
    assert not any((tmp_path / d / f"{HOST_NAME}.json").exists() for d in dirs.values())
    assert not target.launcher_path().exists() and not store.path.exists() and removed


def test_uninstall_of_one_browser_keeps_the_others(tmp_path: Path) -> None:
    target = Target("linux", tmp_path, tmp_path)
    store = ConfigStore(tmp_path / "cfg")
    install([Browser.CHROMIUM, Browser.FIREFOX], [CHROME_ID], target=target, store=store)
    uninstall([Browser.CHROMIUM], target=target, store=store)
    assert not target.manifest_path(Browser.CHROMIUM).exists()
    assert target.manifest_path(Browser.FIREFOX).exists() and target.launcher_path().exists()


def test_windows_writes_manifests_in_local_app_data_and_hkcu_values(tmp_path: Path) -> None:
    local = tmp_path / "AppData" / "Local"
    target = Target("win32", tmp_path, local)
    registry = FakeRegistry()
    store = ConfigStore(tmp_path / "cfg")
    install(
        list(Browser), [CHROME_ID], target=target, store=store, registry=registry, python=r"C:\Py\python.exe"
    )
    assert set(registry.values) == set(WINDOWS_REGISTRY_KEYS.values())
    assert registry.values[rf"Software\Google\Chrome\NativeMessagingHosts\{HOST_NAME}"].startswith(str(local))
    for key, value in registry.values.items():
        body = json.loads(Path(value).read_text())
        assert body["path"].endswith("mendan-bridge-host.bat") and Path(body["path"]).is_file()
        assert ("allowed_extensions" in body) == ("Mozilla" in key)
    assert r'"C:\Py\python.exe" -m native_host %*' in target.launcher_path().read_text()
    uninstall(list(Browser), target=target, store=store, registry=registry)
    assert registry.values == {} and not (local / "mendan-bridge").exists()


def test_linux_launcher_starts_the_host(tmp_path: Path) -> None:
    """The launcher runs: the host answers a frame and exits on EOF (caller refused: no config)."""
    target = Target("linux", tmp_path, tmp_path)
    install([Browser.CHROMIUM], [CHROME_ID], target=target, store=ConfigStore(tmp_path / "cfg"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "empty")}
    body = b'{"v":1,"type":"hello","request_id":"1","origin":"https://meet.example.jp"}'
    frame = len(body).to_bytes(4, sys.byteorder) + body
    result = subprocess.run(
        [str(target.launcher_path()), f"chrome-extension://{CHROME_ID}/"],
        input=frame,
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
    )
    length = int.from_bytes(result.stdout[:4], sys.byteorder)
    reply = json.loads(result.stdout[4 : 4 + length])
    assert reply["error"]["code"] == "caller_not_allowed", result.stderr.decode()


def test_allow_records_origin_and_consent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli.main(["allow", "HTTPS://Meet.Example.JP:443"]) == 0
    config = ConfigStore(tmp_path / "mendan-bridge").load()
    assert config.meeting_origins == ["https://meet.example.jp"]
    assert config.consent == {"https://meet.example.jp": Consent.ALLOW}
    assert cli.main(["allow", "http://meet.example.jp"]) == 2
