"""The built bridge files this server offers (host per OS, extension packages), found once at start.

Only files with the names below, present in ``MENDAN_BRIDGE_DIR`` when the server starts, are
served: a name maps to a file this check saw, never to a path taken from the request. A folder
that is set but missing, or holds none of these files, stops the start (a /bridge page whose
downloads all fail would send people and IT in circles).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Download:
    name: str
    platform: str  # windows | macos | linux for the host; chromium | firefox for the extension
    media_type: str


KNOWN: tuple[Download, ...] = (
    Download("mendan-bridge-windows-x86_64.zip", "windows", "application/zip"),
    Download("mendan-bridge-macos.zip", "macos", "application/zip"),
    Download("mendan-bridge-linux-x86_64.tar.gz", "linux", "application/gzip"),
    Download("mendan-bridge-chromium.zip", "chromium", "application/zip"),
    Download("mendan-bridge-firefox.xpi", "firefox", "application/x-xpinstall"),
    Download("mendan-bridge.crx", "chromium-policy", "application/x-chrome-extension"),
)
BY_NAME = {download.name: download for download in KNOWN}
BUILD_HINT = "build them with: python -m native_host.freeze --dist DIR (docs/bridge.md)"


CRX_ABOUT = "mendan-bridge.crx.json"
"""Beside the CRX (extension/package.py --crx-key): its extension id and version, for updates.xml."""
_CHROME_ID = re.compile(r"^[a-p]{32}$")
_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


@dataclass(frozen=True)
class PackedExtension:
    """The CRX a company policy installs (forcelist entry ``id;<origin>/bridge/updates.xml``)."""

    id: str
    version: str


def _packed(folder: Path) -> PackedExtension | None:
    if not (folder / "mendan-bridge.crx").is_file():
        return None
    try:
        about = json.loads((folder / CRX_ABOUT).read_text(encoding="utf-8"))
        packed = PackedExtension(str(about["id"]), str(about["version"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BridgeDownloadsError(f"mendan-bridge.crx needs a valid {CRX_ABOUT} beside it: {exc}") from None
    if not _CHROME_ID.match(packed.id) or not _VERSION.match(packed.version):
        raise BridgeDownloadsError(f"{CRX_ABOUT}: not an extension id and version: {about}")
    return packed


class BridgeDownloadsError(ValueError):
    """MENDAN_BRIDGE_DIR is set but offers nothing that can be served."""


@dataclass(frozen=True)
class BridgeDownloads:
    files: dict[str, Path] = field(default_factory=dict)
    packed: PackedExtension | None = None

    @classmethod
    def scan(cls, directory: str) -> BridgeDownloads:
        """The known files in ``directory`` ("" means none offered)."""
        if not directory:
            return cls()
        folder = Path(directory).resolve()
        if not folder.is_dir():
            raise BridgeDownloadsError(f"MENDAN_BRIDGE_DIR {folder} is not a folder; {BUILD_HINT}")
        files = {name: folder / name for name in BY_NAME if (folder / name).is_file()}
        if not files:
            raise BridgeDownloadsError(f"MENDAN_BRIDGE_DIR {folder} holds no bridge files; {BUILD_HINT}")
        for path in folder.iterdir():
            if path.name not in BY_NAME and path.name != CRX_ABOUT:
                log.info("not served from MENDAN_BRIDGE_DIR (unknown name): %s", path.name)
        return cls(files, _packed(folder))

    def path(self, name: str) -> Path | None:
        return self.files.get(name)

    def for_platform(self, platform: str) -> Download | None:
        return next((d for d in KNOWN if d.platform == platform and d.name in self.files), None)
