"""The host's per-user configuration: which extensions may start it, which meeting origins it
serves, and the user's camera/mic answer per origin.

One JSON file, ``<config dir>/config.json``; written by ``mendan-bridge install`` / ``allow`` and
by the consent window. The browser passes no configuration to a native host, so this file is the
only place policy can live.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

APP_DIR_NAME = "mendan-bridge"


class Consent(enum.StrEnum):
    """The user's answer to the camera and mic question for one origin."""

    ALLOW = "allow"
    DENY = "deny"


class BridgeConfig(BaseModel):
    """Contents of config.json."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    allowed_extensions: list[str] = Field(default_factory=list)
    meeting_origins: list[str] = Field(default_factory=list)
    consent: dict[str, Consent] = Field(default_factory=dict)
    video_device: str | None = None
    audio_device: str | None = None
    language: str = "ja"


def config_dir(home: Path | None = None, platform: str | None = None) -> Path:
    """Where config.json lives for this user on this OS."""
    platform = platform or sys.platform
    home = home or Path.home()
    if platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") / APP_DIR_NAME
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_DIR_NAME
    return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / APP_DIR_NAME


def normalise_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case; ValueError for anything that is not a web origin.

    Plain http is accepted only for this machine (development); meetings need https for camera
    use in every native browser anyway.
    """
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"not a web origin: {value!r}")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise ValueError(f"http origins are allowed only for localhost: {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"an origin has no path, query or user: {value!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


class ConfigStore:
    """Reads and atomically rewrites config.json."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / "config.json"

    def load(self) -> BridgeConfig:
        """The configuration; an empty one when the file is missing or unreadable (logged)."""
        try:
            return BridgeConfig.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return BridgeConfig()
        except (OSError, ValidationError, ValueError) as exc:
            log.error("ignoring unreadable %s: %s", self.path, exc)
            return BridgeConfig()

    def save(self, config: BridgeConfig) -> None:
        """Write via a temporary file and rename, so a crash never leaves half a file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".config-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(config.model_dump(mode="json"), handle, indent=2, ensure_ascii=False)
        os.replace(tmp, self.path)

    def add_extension(self, extension_id: str) -> None:
        config = self.load()
        if extension_id not in config.allowed_extensions:
            self.save(
                config.model_copy(update={"allowed_extensions": [*config.allowed_extensions, extension_id]})
            )

    def add_origin(self, origin: str) -> str:
        origin = normalise_origin(origin)
        config = self.load()
        if origin not in config.meeting_origins:
            self.save(config.model_copy(update={"meeting_origins": [*config.meeting_origins, origin]}))
        return origin

    def remember_consent(self, origin: str, answer: Consent) -> None:
        config = self.load()
        self.save(config.model_copy(update={"consent": {**config.consent, normalise_origin(origin): answer}}))
