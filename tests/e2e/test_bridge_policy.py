"""IT roll-out without a store: a managed Chromium policy (ExtensionInstallForcelist naming
Mendan's /bridge/updates.xml) makes Chromium fetch the signed CRX from Mendan and install it by
itself; then the usual bridge call runs through that extension.

The policy file is machine-wide (/etc/chromium/policies/managed/), so it has a unique name, is
removed even when the test fails, and names only this test's server and this test's own key (an
extension id nothing else uses). Other tests' Chromiums run with --disable-extensions (Playwright's
default) or --disable-extensions-except=<their unpacked copy>, which also keeps forced ones out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import BrowserContext

from tests.e2e.bridge_steps import hold_bridge_call
from tests.support.bridge_browser import install_bridge
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.engines import NO_WEBRTC_SCRIPT

ROOT = Path(__file__).resolve().parents[2]
POLICIES = Path("/etc/chromium/policies/managed")
UPDATES_OFF = ["--disable-background-networking", "--disable-component-update"]


@contextmanager
def managed_policy(policy: dict[str, object]) -> Iterator[Path]:
    POLICIES.mkdir(parents=True, exist_ok=True)
    path = POLICIES / f"mendan-test-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(policy), encoding="utf-8")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


INSTALLED = """([id]) => {
    const text = document.body.innerText;
    const at = text.indexOf('"id": "' + id + '"');
    return at >= 0 && text.indexOf("EXTERNAL_POLICY_DOWNLOAD", at) > at;
}"""


def installed_by_policy(context: BrowserContext, extension_id: str) -> None:
    """Wait until Chromium lists the extension as downloaded for the policy (it fetches
    updates.xml, then the CRX, from Mendan in the background after start)."""
    page = context.new_page()
    try:
        for _ in range(120):
            page.goto("chrome://extensions-internals")
            if page.evaluate(INSTALLED, [extension_id]):
                return
            page.wait_for_timeout(500)
        raise AssertionError(f"Chromium did not install {extension_id} from the policy")
    finally:
        page.close()


def test_policy_installs_the_extension_from_mendan_and_it_holds_the_call(
    server_factory, person, playwright_instance, tmp_path
):
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
    extension_id = json.loads((dist / "mendan-bridge.crx.json").read_text())["id"]
    server = server_factory(env={"MENDAN_BRIDGE_DIR": str(dist)})
    home = tmp_path / "home"
    env = install_bridge(home, "chromium", server.url, pre_approve=True, extension_id=extension_id)
    forcelist = {"ExtensionInstallForcelist": [f"{extension_id};{server.url}/bridge/updates.xml"]}
    with managed_policy(forcelist) as policy_file:
        context = playwright_instance.chromium.launch_persistent_context(
            str(home / ".config" / "chromium"),
            executable_path=CHROMIUM,
            headless=True,
            args=[arg for arg in CHROMIUM_ARGS if arg not in UPDATES_OFF],
            # Extensions on, and the extension downloader may fetch (from Mendan only: the
            # host resolver rules still map every other name to nothing).
            ignore_default_args=["--disable-extensions", *UPDATES_OFF],
            env={**env, "MENDAN_BRIDGE_SOURCE": "synthetic", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        context.add_init_script(NO_WEBRTC_SCRIPT)
        installed_by_policy(context, extension_id)
        hold_bridge_call(server, person, context)
    assert not policy_file.exists()  # gone again: no other Chromium on this machine gets it
