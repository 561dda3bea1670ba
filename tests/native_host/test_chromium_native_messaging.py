"""``mendan-bridge install`` for Chromium, then real Chromium starts the host through native
messaging from an extension's service worker: manifest, launcher, caller check and framing
against the browser itself, with the synthetic camera."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import Playwright

from native_host.config import ConfigStore, Consent
from native_host.install import HOST_NAME, Browser, Target, install
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

ORIGIN = "https://meet.example.jp"
SERVICE_WORKER = """
// Requests one after the other, each after the previous one's reply, as a page would.
self.talk = async (messages, waitMs) => {
  const port = chrome.runtime.connectNative("HOST_NAME");
  const got = [];
  let error = null;
  let wake = null;
  port.onMessage.addListener((m) => { got.push(m); if (wake) wake(); });
  port.onDisconnect.addListener(() => {
    error = chrome.runtime.lastError ? chrome.runtime.lastError.message : "disconnected";
    if (wake) wake();
  });
  for (const m of messages) {
    port.postMessage(m);
    while (!error && !got.some((r) => r.request_id === m.request_id)) {
      await new Promise((resolve) => { wake = resolve; });
    }
  }
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  port.disconnect();
  return {got, error};
};
""".replace("HOST_NAME", HOST_NAME)


def _extension(directory: Path) -> str:
    """A minimal MV3 extension pinned to a known id by its key (docs/testing.md); returns the id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    extension_id = "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(der).hexdigest()[:32])
    directory.mkdir(parents=True)
    manifest = {
        "manifest_version": 3,
        "name": "bridge test",
        "version": "1.0",
        "key": base64.b64encode(der).decode(),
        "permissions": ["nativeMessaging"],
        "background": {"service_worker": "sw.js"},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (directory / "sw.js").write_text(SERVICE_WORKER, encoding="utf-8")
    return extension_id


def test_chromium_starts_the_installed_host(tmp_path: Path, playwright_instance: Playwright) -> None:
    home = tmp_path / "home"
    extension = tmp_path / "extension"
    extension_id = _extension(extension)
    store = ConfigStore(home / ".config" / "mendan-bridge")
    install([Browser.CHROMIUM], [extension_id], [ORIGIN], target=Target("linux", home, home), store=store)
    store.remember_consent(ORIGIN, Consent.ALLOW)
    user_data = home / ".config" / "chromium"  # Chromium's default profile dir under this HOME
    assert (user_data / "NativeMessagingHosts" / f"{HOST_NAME}.json").is_file()
    context = playwright_instance.chromium.launch_persistent_context(
        str(user_data),
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--disable-extensions-except={extension}", f"--load-extension={extension}"],
        env={
            "HOME": str(home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "MENDAN_BRIDGE_SOURCE": "synthetic",
        },
    )
    try:
        worker = (
            context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        )
        assert extension_id in worker.url
        messages = [
            {"v": 1, "type": "hello", "request_id": "1", "origin": ORIGIN},
            {"v": 1, "type": "start_media", "request_id": "2"},
            {
                "v": 1,
                "type": "create_peer",
                "request_id": "3",
                "peer_id": "p2",
                "polite": False,
                "initiator": True,
            },
        ]
        result: dict[str, Any] = worker.evaluate("([m, w]) => self.talk(m, w)", [messages, 3000])
    finally:
        context.close()
    got = result["got"]
    kinds = [m["type"] for m in got]
    print(f"error={result['error']!r}; {len(got)} messages: {sorted(set(kinds))}")
    assert result["error"] is None, result["error"]
    replies = {m["request_id"]: m for m in got if "request_id" in m}
    assert replies["1"]["type"] == "welcome" and not replies["1"]["consent_needed"]
    assert replies["2"]["type"] == "ok" and replies["3"]["type"] == "ok"
    offer = next(m for m in got if m["type"] == "local_signal")
    assert offer["description"]["type"] == "offer" and "a=candidate:" in offer["description"]["sdp"]
    previews = [m for m in got if m["type"] == "frame" and m["peer_id"] == "local"]
    assert len(previews) >= 10 and base64.b64decode(previews[-1]["jpeg"])[:2] == b"\xff\xd8"
    log = (home / ".config" / "mendan-bridge" / "host.log").read_text(encoding="utf-8")
    assert f"chrome-extension://{extension_id}/" in log
