"""The built bridge files this server offers (host per OS, extension packages), found once at start.

Only files with the names below, present in ``MENDAN_BRIDGE_DIR`` when the server starts, are
served: a name maps to a file this check saw, never to a path taken from the request. A folder
that is set but missing, or holds none of these files, stops the start (a /bridge page whose
downloads all fail would send people and IT in circles).
"""

from __future__ import annotations

import logging
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
)
BY_NAME = {download.name: download for download in KNOWN}
BUILD_HINT = "build them with: python -m native_host.freeze --dist DIR (docs/bridge.md)"


class BridgeDownloadsError(ValueError):
    """MENDAN_BRIDGE_DIR is set but offers nothing that can be served."""


@dataclass(frozen=True)
class BridgeDownloads:
    files: dict[str, Path] = field(default_factory=dict)

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
            if path.name not in BY_NAME:
                log.info("not served from MENDAN_BRIDGE_DIR (unknown name): %s", path.name)
        return cls(files)

    def path(self, name: str) -> Path | None:
        return self.files.get(name)

    def for_platform(self, platform: str) -> Download | None:
        return next((d for d in KNOWN if d.platform == platform and d.name in self.files), None)
