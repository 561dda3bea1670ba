"""Build the installable extension packages: a zip for Chrome/Edge and an .xpi for Firefox, and
with a signing key the CRX3 that a company policy installs from Mendan (docs/bridge.md).

    python extension/package.py [OUT_DIR] [--crx-key KEY.pem]

All share content.js, background.js and _locales; only the manifest differs. The CRX carries the
key's public half as the manifest ``key``, so the id Chromium gives it is the one the CRX is
signed for; ``mendan-bridge.crx.json`` beside it names that id and the version for the update
manifest Mendan serves (/bridge/updates.xml).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = ("content.js", "background.js")
CHROMIUM = os.environ.get("MENDAN_CHROMIUM", "/usr/bin/chromium")
CRX_NAME = "mendan-bridge.crx"


def _files(manifest: str) -> list[tuple[Path, str]]:
    files = [(HERE / manifest, "manifest.json")] + [(HERE / name, name) for name in SHARED]
    locales = sorted((HERE / "_locales").glob("*/messages.json"))
    files += [(path, str(path.relative_to(HERE))) for path in locales]
    return files


def build(out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    packages = []
    for name, manifest in (
        ("mendan-bridge-chromium.zip", "manifest.json"),
        ("mendan-bridge-firefox.xpi", "manifest.firefox.json"),
    ):
        target = out / name
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            for source, inside in _files(manifest):
                package.write(source, inside)
        packages.append(target)
    return packages[0], packages[1]


def public_key_der(key_pem: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(key_pem.read_bytes(), password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def extension_id(der: bytes) -> str:
    """Chromium's id for a public key: sha256 of the DER, first 32 hex digits mapped 0-f to a-p."""
    return "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(der).hexdigest()[:32])


def crx(out: Path, key_pem: Path) -> tuple[Path, str]:
    """A CRX3 signed with ``key_pem`` (Chromium packs it); returns its path and extension id."""
    der = public_key_der(key_pem)
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    manifest["key"] = base64.b64encode(der).decode()  # the pinned key when key_pem is the project's
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "mendan-bridge"
        for source, inside in _files("manifest.json"):
            (folder / inside).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / inside)
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--pack-extension={folder}",
             f"--pack-extension-key={key_pem.resolve()}"],
            env={**os.environ, "HOME": temp}, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        packed = Path(temp) / "mendan-bridge.crx"
        if not packed.is_file():
            raise RuntimeError(f"{CHROMIUM} --pack-extension wrote no {packed.name}")
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(packed, out / CRX_NAME)
    ident = extension_id(der)
    about = {"id": ident, "version": manifest["version"]}
    (out / f"{CRX_NAME}.json").write_text(json.dumps(about) + "\n", encoding="utf-8")
    return out / CRX_NAME, ident


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build the Mendan bridge extension packages.")
    parser.add_argument("out", nargs="?", type=Path, default=HERE.parent / "dist")
    parser.add_argument("--crx-key", type=Path, help="PEM private key: also pack a signed CRX3")
    args = parser.parse_args()
    for path in build(args.out):
        print(f"wrote {path}")
    if args.crx_key:
        path, ident = crx(args.out, args.crx_key)
        print(f"wrote {path}")
        print(f"wrote {path}.json")
        print(f"extension id {ident}")
