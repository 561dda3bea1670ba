"""/bridge: offers per OS only the bridge files that were built (found when the server starts),
serves exactly those, and a bridge folder with nothing built in it stops the start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from native_host.freeze import HOST_ARCHIVES
from server.bridge.downloads import BY_NAME
from tests.support.server import MendanServer

ROOT = Path(__file__).resolve().parents[2]


def _extension_packages(folder: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "extension" / "package.py"), str(folder)], check=True)
    return folder


def test_bridge_page_offers_and_serves_only_built_files(server_factory, tmp_path):
    dist = _extension_packages(tmp_path / "dist")
    (dist / "notes.txt").write_text("not a bridge file", encoding="utf-8")
    server = server_factory(env={"MENDAN_BRIDGE_DIR": str(dist)})
    page = httpx.get(f"{server.url}/bridge")
    assert page.status_code == 200
    assert 'href="/bridge/download/mendan-bridge-chromium.zip"' in page.text
    assert 'href="/bridge/download/mendan-bridge-firefox.xpi"' in page.text
    assert 'data-testid="bridge-missing-windows"' in page.text  # no Windows build here: said so
    assert f"mendan-bridge install --origin {server.url}" in page.text
    assert f"mendan-bridge allow {server.url}" in page.text

    served = httpx.get(f"{server.url}/bridge/download/mendan-bridge-chromium.zip")
    assert served.status_code == 200
    assert served.content == (dist / "mendan-bridge-chromium.zip").read_bytes()
    assert "attachment" in served.headers["content-disposition"]
    for name in (
        "mendan-bridge-windows-x86_64.zip",
        "notes.txt",
        "..%2Fdata0%2Fmendan.sqlite3",
        "%2Fetc%2Fpasswd",
    ):
        assert httpx.get(f"{server.url}/bridge/download/{name}").status_code == 404, name
    (dist / "mendan-bridge-firefox.xpi").unlink()  # removed after the start: gone, not an error page
    assert httpx.get(f"{server.url}/bridge/download/mendan-bridge-firefox.xpi").status_code == 404


def test_a_packed_extension_gets_an_update_manifest_for_company_policy(server_factory, tmp_path):
    """The CRX packed by Chromium with a key made here; Mendan names it in /bridge/updates.xml."""
    key = tmp_path / "key.pem"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, str(ROOT / "extension" / "package.py"), str(dist), "--crx-key", str(key)], check=True
    )
    about = json.loads((dist / "mendan-bridge.crx.json").read_text())
    server = server_factory(env={"MENDAN_BRIDGE_DIR": str(dist)})
    updates = httpx.get(f"{server.url}/bridge/updates.xml")
    assert updates.status_code == 200 and updates.headers["content-type"].startswith("application/xml")
    assert f'appid="{about["id"]}"' in updates.text
    assert f'codebase="{server.url}/bridge/download/mendan-bridge.crx" version="0.1.0"' in updates.text
    crx = httpx.get(f"{server.url}/bridge/download/mendan-bridge.crx")
    assert crx.content[:4] == b"Cr24" and crx.content[4] == 3  # CRX version 3
    page = httpx.get(f"{server.url}/bridge").text
    assert f"{about['id']};{server.url}/bridge/updates.xml" in page


def test_every_bridge_needed_page_links_to_bridge(server):
    assert 'href="/bridge"' in httpx.get(f"{server.url}/environment").text
    assert 'href="/bridge"' in httpx.get(f"{server.url}/").text  # the banner of a browser without WebRTC
    assert httpx.get(f"{server.url}/bridge").status_code == 200  # nothing built: the page still guides
    assert httpx.get(f"{server.url}/bridge/updates.xml").status_code == 404  # no CRX offered


def test_a_bridge_folder_with_nothing_built_stops_the_start(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    server = MendanServer(tmp_path / "data", {"MENDAN_BRIDGE_DIR": str(empty)})
    with pytest.raises(RuntimeError, match="holds no bridge files"):
        server.start()
    server.stop()


def test_the_build_writes_the_names_the_server_serves():
    assert set(HOST_ARCHIVES.values()) <= set(BY_NAME)
