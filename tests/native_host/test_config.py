"""Origins, callers and the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_host.caller import caller_allowed, caller_extension
from native_host.config import ConfigStore, config_dir, normalise_origin


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://Meet.Example.jp", "https://meet.example.jp"),
        ("https://meet.example.jp:443/", "https://meet.example.jp"),
        ("https://meet.example.jp:8443", "https://meet.example.jp:8443"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_normalise_origin(raw: str, origin: str) -> None:
    assert normalise_origin(raw) == origin


@pytest.mark.parametrize(
    "raw", ["http://meet.example.jp", "ftp://x", "https://x/path", "https://u@x", "meet.example.jp", "null"]
)
def test_not_origins(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_origin(raw)


def test_callers_of_chrome_and_firefox() -> None:
    chrome = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/"
    assert caller_extension([chrome]) == "abcdefghijklmnopabcdefghijklmnop"
    assert caller_extension([chrome, "--parent-window=0"]) == "abcdefghijklmnopabcdefghijklmnop"
    assert caller_extension(
        ["/home/u/.mozilla/native-messaging-hosts/jp.mendan.bridge.json", "bridge@mendan.jp"]
    ) == ("bridge@mendan.jp")
    assert caller_extension([]) is None and caller_extension(["chrome-extension:///"]) is None
    assert not caller_allowed([chrome], ["other"]) and caller_allowed(
        [chrome], ["abcdefghijklmnopabcdefghijklmnop"]
    )


def test_config_dir_per_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("APPDATA", raising=False)
    assert config_dir(tmp_path, "linux") == tmp_path / ".config" / "mendan-bridge"
    assert config_dir(tmp_path, "darwin") == tmp_path / "Library" / "Application Support" / "mendan-bridge"
    assert config_dir(tmp_path, "win32") == tmp_path / "AppData" / "Roaming" / "mendan-bridge"


def test_unreadable_config_is_empty_not_fatal(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.path.write_text("{broken", encoding="utf-8")
    assert store.load().meeting_origins == []
