"""The parts the host needs on this PC, checked before ``install`` registers it (a host that dies
at start leaves the page with nothing to say) and listed by ``doctor``.

Each check imports the part the way the host will, so what it reports is what the host would meet.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One line of ``doctor`` (or of install's refusal): what, whether it works, and what to do."""

    item: str
    ok: bool | None
    """None: not applicable here (a browser this PC does not use)."""
    detail: str
    fix: str = ""


def _missing(modules: tuple[str, ...]) -> list[str]:
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def bridge_extra() -> Finding:
    """aiortc and PyAV: ``pip install mendan`` without ``[bridge]`` still installs mendan-bridge."""
    missing = _missing(("aiortc", "av", "webview"))
    if missing:
        return Finding("parts.extra", False, ", ".join(missing), "fix.extra")
    return Finding("parts.extra", True, "aiortc, av, pywebview")


def portaudio() -> Finding:
    """sounddevice loads the PortAudio library when imported: OSError when the library is absent."""
    try:
        import sounddevice

        return Finding("parts.portaudio", True, str(sounddevice.get_portaudio_version()[1]))
    except ImportError as exc:
        return Finding("parts.portaudio", False, repr(exc), "fix.extra")
    except OSError as exc:
        return Finding("parts.portaudio", False, str(exc), "fix.portaudio")


def _gtk_webkit() -> str | None:
    """The WebKit2GTK version pywebview's GTK backend would load, or None."""
    try:
        import gi  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    for version in ("4.1", "4.0"):
        try:
            gi.require_version("WebKit2", version)
            return f"GTK + WebKit2 {version}"
        except ValueError:
            continue
    return None


def _qt_webengine() -> str | None:
    return None if _missing(("qtpy", "qtpy.QtWebEngineWidgets")) else "Qt WebEngine"


def consent_toolkit(platform: str | None = None) -> Finding:
    """The consent window's toolkit. Windows (WebView2) and macOS (Cocoa WebKit) ship theirs;
    Linux needs GTK with WebKit2 or Qt WebEngine."""
    platform = platform or sys.platform
    if _missing(("webview",)):
        return Finding("parts.window", False, "pywebview", "fix.extra")
    if platform in ("win32", "darwin"):
        return Finding("parts.window", True, "pywebview (system web view)")
    found = _gtk_webkit() or _qt_webengine()
    if found is None:
        return Finding("parts.window", False, "GTK + WebKit2 / Qt WebEngine", "fix.window")
    return Finding("parts.window", True, found)


def needed_parts() -> list[Finding]:
    """Every part the host needs; all must be ok before ``install`` registers it."""
    return [bridge_extra(), portaudio(), consent_toolkit()]
