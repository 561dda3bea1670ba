"""``mendan-bridge doctor``: what works on this PC, one line per item, with what to do when not.

Items: the parts the host needs (parts.py); per browser, the registration and whether the host it
names really starts and answers (the same frame the extension sends first); the allowed extensions
and meeting origins; camera, microphone and speakers as the host would open them; and a test
connection to each meeting origin (its ``/healthz``). The page points here when its handshake
with the host fails.
"""

from __future__ import annotations

import concurrent.futures
import functools
import json
import os
import struct
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable

from native_host.catalogue import text
from native_host.config import BridgeConfig, ConfigStore
from native_host.install import HOST_NAME, Browser, Target
from native_host.parts import Finding, needed_parts

DEVICE_TIMEOUT = 8.0
"""Opening a camera can take seconds (USB wake-up); a device that says nothing by then is reported."""
HOST_TIMEOUT = 15.0
"""A frozen host unpacks nothing (one-folder build) but a cold disk and Python imports take time."""
CONNECT_TIMEOUT = 10.0
NOT_REGISTERED = "fix.register"


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return struct.pack("=I", len(body)) + body


def _host_answers(launcher: str, caller: list[str]) -> tuple[bool, str]:
    """Start the registered program as the browser would and ask ``list_origins``."""
    request = _frame({"v": 1, "type": "list_origins", "request_id": "doctor"})
    try:
        done = subprocess.run(
            [launcher, *caller], input=request, capture_output=True, timeout=HOST_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    out = done.stdout
    if len(out) >= 4:
        (length,) = struct.unpack("=I", out[:4])
        try:
            reply = json.loads(out[4 : 4 + length])
        except ValueError:
            reply = None
        if isinstance(reply, dict) and reply.get("type") == "origins":
            return True, ", ".join(reply.get("origins") or []) or "-"
        if isinstance(reply, dict) and reply.get("type") == "error":
            return False, str(reply.get("error"))
    last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
    return False, last[0][-300:]


def registration(browser: Browser, target: Target) -> Finding:
    """The browser's host manifest, the program it names, and that program answering."""
    item = f"registration.{browser.value}"
    path = target.manifest_path(browser)
    if not path.is_file():
        return Finding(item, None, str(path), NOT_REGISTERED)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        launcher = str(manifest["path"])
        allowed = manifest.get("allowed_extensions") or [
            origin.removeprefix("chrome-extension://").rstrip("/") for origin in manifest["allowed_origins"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Finding(item, False, f"{path}: {exc!r}", "fix.install")
    if manifest.get("name") != HOST_NAME or not allowed:
        return Finding(item, False, str(path), "fix.install")
    if not os.access(launcher, os.X_OK):
        return Finding(item, False, launcher, "fix.install")
    caller = [str(path), allowed[0]] if browser == Browser.FIREFOX else [f"chrome-extension://{allowed[0]}/"]
    answered, detail = _host_answers(launcher, caller)
    return Finding(item, answered, f"{launcher} → {detail}", "" if answered else "fix.host")


def _listed(item: str, values: Iterable[str], fix: str) -> Finding:
    values = list(values)
    return Finding(item, bool(values), ", ".join(values) or "-", "" if values else fix)


def _with_timeout(check: Callable[[], str]) -> tuple[bool, str]:
    """Run a device probe in a thread; a probe that hangs is reported, not waited for."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return True, pool.submit(check).result(timeout=DEVICE_TIMEOUT)
    except concurrent.futures.TimeoutError:
        return False, f"no answer in {DEVICE_TIMEOUT:.0f} s"
    except Exception as exc:  # whatever the driver raised is what the person needs to read
        return False, str(exc) or repr(exc)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _open_input(file: str, format: str, options: dict[str, str]) -> str:
    import av

    with av.open(file, format=format, options=options) as container:
        stream = container.streams[0]
        next(container.decode(stream))  # one frame: the device really delivers
        return f"{file} ({format})"


def media(config: BridgeConfig) -> list[Finding]:
    """Camera and microphone as the host opens them (capture.py), speakers as audio.py plays."""
    from native_host.capture import SOURCE_ENV, default_devices

    findings = []
    if os.environ.get(SOURCE_ENV) == "synthetic":
        findings += [Finding("camera", True, f"{SOURCE_ENV}=synthetic"),
                     Finding("microphone", True, f"{SOURCE_ENV}=synthetic")]  # fmt: skip
    else:
        camera, mic = default_devices(sys.platform, config.video_device, config.audio_device)
        for item, spec in (("camera", camera), ("microphone", mic)):
            if spec is None:  # Windows: dshow needs the device's name in config.json
                findings.append(Finding(item, False, "-", "fix.device_name"))
                continue
            ok, detail = _with_timeout(functools.partial(_open_input, spec.file, spec.format, spec.options))
            findings.append(Finding(item, ok, detail, "" if ok else "fix.device"))

    def speakers() -> str:
        import sounddevice

        device = sounddevice.query_devices(kind="output")
        return str(device["name"])

    ok, detail = _with_timeout(speakers)
    findings.append(Finding("speakers", ok, detail, "" if ok else "fix.speakers"))
    return findings


def connection(origin: str) -> Finding:
    """The meeting server answers its health check from this PC (proxy, firewall, certificate)."""
    url = f"{origin}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT) as response:
            body = json.loads(response.read(65536))
        ok = isinstance(body, dict) and body.get("ok") is True
        return Finding(
            f"connection|{origin}", ok, f"{url} → {response.status}", "" if ok else "fix.connection"
        )
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return Finding(f"connection|{origin}", False, f"{url} → {reason}", "fix.connection")


def diagnose(target: Target | None = None, store: ConfigStore | None = None) -> list[Finding]:
    target = target or Target.current()
    store = store or ConfigStore()
    config = store.load()
    parts = needed_parts()
    findings = [*parts]
    registrations = [registration(browser, target) for browser in Browser]
    if all(found.ok is None for found in registrations):  # registered nowhere: that is a problem
        registrations = [Finding(f.item, False, f.detail, f.fix) for f in registrations]
    findings += registrations
    findings.append(_listed("extensions", config.allowed_extensions, "fix.install"))
    findings.append(_listed("origins", config.meeting_origins, "fix.allow"))
    if all(part.ok for part in parts):
        findings += media(config)
    findings += [connection(origin) for origin in config.meeting_origins]
    return findings


MARKS = {True: "✓", False: "✗", None: "-"}


def render(findings: Iterable[Finding], language: str) -> str:
    """The report: ``✓ item: detail`` and, under a problem, ``→ what to do``."""
    lines = []
    for found in findings:
        key, _, name = found.item.partition("|")
        if key.startswith("registration."):
            key, _, name = key.partition(".")
        item = text(f"doctor.{key}", language, name=name)
        detail = found.detail
        if found.fix == NOT_REGISTERED:
            detail = text("doctor.not_registered", language, path=found.detail)
        lines.append(f"{MARKS[found.ok]} {item}: {detail}")
        if found.ok is False and found.fix:
            lines.append(f"    → {text(found.fix, language)}")
    return "\n".join(lines)


def run(language: str | None = None, target: Target | None = None, store: ConfigStore | None = None) -> int:
    """Print the report; 0 when nothing is wrong, 1 otherwise."""
    store = store or ConfigStore()
    findings = diagnose(target, store)
    print(render(findings, language or store.load().language))
    return 0 if all(found.ok is not False for found in findings) else 1
