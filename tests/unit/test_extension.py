"""The extension: its pinned id is the one the native host trusts, both variants build, ES5, locales."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

from native_host.install import DEFAULT_CHROME_EXTENSION_ID, DEFAULT_FIREFOX_EXTENSION_ID
from tests.support.es5 import es5_violations

EXTENSION = Path(__file__).resolve().parents[2] / "extension"


def _manifest(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((EXTENSION / name).read_text(encoding="utf-8"))
    return data


def test_the_manifest_key_pins_the_id_the_host_trusts() -> None:
    der = base64.b64decode(str(_manifest("manifest.json")["key"]))
    pinned = "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(der).hexdigest()[:32])
    assert pinned == DEFAULT_CHROME_EXTENSION_ID


def test_firefox_variant_has_the_add_on_id_the_host_trusts() -> None:
    gecko = _manifest("manifest.firefox.json")["browser_specific_settings"]
    assert isinstance(gecko, dict) and gecko["gecko"]["id"] == DEFAULT_FIREFOX_EXTENSION_ID


def test_both_packages_build(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("package", EXTENSION / "package.py")
    assert spec and spec.loader
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    chromium, firefox = package.build(tmp_path)
    for path in (chromium, firefox):
        names = set(zipfile.ZipFile(path).namelist())
        assert {"manifest.json", "content.js", "background.js", "_locales/ja/messages.json"} <= names
    assert "gecko" in zipfile.ZipFile(firefox).read("manifest.json").decode()


def test_scripts_are_es5_and_locales_agree() -> None:
    for script in ("content.js",):
        assert es5_violations((EXTENSION / script).read_text(encoding="utf-8")) == []
    ja = json.loads((EXTENSION / "_locales" / "ja" / "messages.json").read_text(encoding="utf-8"))
    en = json.loads((EXTENSION / "_locales" / "en" / "messages.json").read_text(encoding="utf-8"))
    assert set(ja) == set(en)
