"""Debian's Chromium driven by Playwright, set up as docs/testing.md describes: offline, fake devices."""

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

OFFLINE_RULES = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

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
    f"--host-resolver-rules={OFFLINE_RULES}",
    f"--disable-features={DISABLED_FEATURES}",
]


def launch_options(home: Path, host_name: str = "", trusted_spki: str = "") -> dict[str, object]:
    """``host_name`` resolves to 127.0.0.1 (a real name without DNS); a certificate whose public key
    has the base64 SHA-256 ``trusted_spki`` is trusted for this browser only."""
    args = list(CHROMIUM_ARGS)
    if host_name:
        args[args.index(f"--host-resolver-rules={OFFLINE_RULES}")] = (
            f"--host-resolver-rules=MAP {host_name} 127.0.0.1, {OFFLINE_RULES}"
        )
    if trusted_spki:
        args.append(f"--ignore-certificate-errors-spki-list={trusted_spki}")
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": args,
        # A UTF-8 locale, or Chromium drops Japanese file names (uploads picked, downloads saved).
        "env": {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    }
