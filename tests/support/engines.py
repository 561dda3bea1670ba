"""The browser engines the matrix runs on these machines (docs/testing.md), and how to launch each.

Engine ids: chromium, firefox (native WebRTC); chromium-nowebrtc (WebRTC removed, as by a
company policy), firefox-nowebrtc (media.peerconnection.enabled=false); phone (Chromium at
375x667 with touch, and no getDisplayMedia, as real phones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIREFOX = "/usr/lib/firefox-esr/firefox-esr"

FIREFOX_PREFS: dict[str, Any] = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    "media.peerconnection.ice.loopback": True,
    "network.dns.disableIPv6": True,
    # Stay offline: no update, telemetry or safe-browsing calls beyond loopback.
    "app.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}

# For Chromium: remove every WebRTC entry point before any page script runs.
NO_WEBRTC_SCRIPT = """
for (const name of Object.getOwnPropertyNames(window)) {
    if (/^(webkit)?RTC/.test(name)) { try { delete window[name]; } catch (e) {} }
}
delete window.MediaDevices;
for (const name of ['mediaDevices', 'getUserMedia', 'webkitGetUserMedia']) {
    try { delete Navigator.prototype[name]; } catch (e) {}
}
"""

# Android Chrome and iOS Safari have no getDisplayMedia; Chromium's phone emulation keeps it.
NO_DISPLAY_CAPTURE_SCRIPT = "delete MediaDevices.prototype.getDisplayMedia;"

PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 667},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}

NATIVE = ("chromium", "firefox")
ALL = ("chromium", "firefox", "chromium-nowebrtc", "firefox-nowebrtc", "phone")


def firefox_options(webrtc: bool, profile_home: Path) -> dict[str, Any]:
    prefs = dict(FIREFOX_PREFS)
    if not webrtc:
        prefs["media.peerconnection.enabled"] = False
    return {
        "channel": "moz-firefox",
        "executable_path": FIREFOX,
        "headless": True,
        "firefox_user_prefs": prefs,
        "env": {"HOME": str(profile_home), "PATH": "/usr/bin:/bin"},
    }
