"""How to start the host and its consent window: ``python -m native_host`` from an installed
package, or the frozen ``mendan-bridge`` executable (native_host/frozen.py) that needs no Python."""

from __future__ import annotations

import sys
from pathlib import Path

CONSENT_WINDOW_COMMAND = "consent-window"
"""The frozen executable's argument that shows the consent window instead of running the host."""


def is_frozen() -> bool:
    """True inside a PyInstaller build (it sets ``sys.frozen``)."""
    return bool(getattr(sys, "frozen", False))


def consent_window_command() -> list[str]:
    """argv that starts the consent window as a child process of the host."""
    if is_frozen():
        return [sys.executable, CONSENT_WINDOW_COMMAND]
    return [sys.executable, "-m", "native_host.consent_window"]


def frozen_executable() -> Path | None:
    """The frozen ``mendan-bridge`` this process runs from, or None under a Python interpreter."""
    return Path(sys.executable).resolve() if is_frozen() else None
