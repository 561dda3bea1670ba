"""Debian's Chromium driven by Playwright, set up as TESTING.md measured: offline, fake devices."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Chromium honours only the last --disable-features: this one list carries ours and Playwright's.
PLAYWRIGHT_DISABLED = (  # Playwright 1.64's own list (coreBundle.js `disabledFeatures`)
    "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,DialMediaRouteProvider,"
    "GlobalMediaControls,HttpsUpgrades,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
    "BlockOriginHeaderModificationOnRedirect,AvoidCorsURLLoaderRestartOnRedirect,Translate,AutoDeElevate,"
    "OptimizationHints,NetworkTimeServiceQuerying,AimEnabled"
)
DISABLED_FEATURES = PLAYWRIGHT_DISABLED + ",WebRtcHideLocalIpsWithMdns,AutofillServerCommunication"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    f"--disable-features={DISABLED_FEATURES}",
]


def launch_options(home: Path) -> dict[str, object]:
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
        # A UTF-8 locale, or Chromium drops Japanese file names (uploads picked, downloads saved).
        "env": {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    }
