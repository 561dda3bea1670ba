"""The deployment settings stop the start with a clear message instead of trusting the wrong peers."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import Settings


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"MENDAN_SECRET_KEY": "k", "MENDAN_INSTANCE_ID": "i", **env}, str(tmp_path))


def test_trusted_proxies_are_addresses_and_cidrs(tmp_path: Path) -> None:
    assert _settings(tmp_path).trusted_proxies == ("127.0.0.1", "::1")
    given = _settings(tmp_path, MENDAN_TRUSTED_PROXIES=" 10.0.0.0/24, 192.0.2.7 ,")
    assert given.trusted_proxies == ("10.0.0.0/24", "192.0.2.7")
    assert _settings(tmp_path, MENDAN_TRUSTED_PROXIES="").trusted_proxies == ()  # nobody
    with pytest.raises(ValueError, match=r"MENDAN_TRUSTED_PROXIES.*'proxy\.example\.com'"):
        _settings(tmp_path, MENDAN_TRUSTED_PROXIES="10.0.0.1,proxy.example.com")


def test_secure_cookies_follow_the_request_unless_forced(tmp_path: Path) -> None:
    assert _settings(tmp_path).secure_cookies is None
    assert _settings(tmp_path, MENDAN_SECURE_COOKIES="1").secure_cookies is True
    assert _settings(tmp_path, MENDAN_SECURE_COOKIES="0").secure_cookies is False
    with pytest.raises(ValueError, match="MENDAN_SECURE_COOKIES"):
        _settings(tmp_path, MENDAN_SECURE_COOKIES="yes")
