"""Camera and mic consent per meeting origin (R-8.3).

Before the first capture for an origin the user answers in the host's own window; the answer is
kept in config.json, so the window shows once per origin. ``mendan-bridge allow ORIGIN`` records
an "allow" beforehand. Closing the window or letting it time out refuses this time only.

The window runs in a child process (``native_host.launch.consent_window_command``): GUI toolkits want
the main thread, which the host's event loop owns, and a crashing toolkit must not take the
meeting down. The prompt is an injectable callable so tests can answer it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from native_host.config import ConfigStore, Consent, normalise_origin
from native_host.errors import BridgeError
from native_host.launch import consent_window_command
from native_host.messages import ErrorCode

log = logging.getLogger(__name__)

PROMPT_TIMEOUT = 120.0
EXIT_GRACE = 2.0

ConsentPrompt = Callable[[str, str], Awaitable[Consent | None]]
"""(origin, language) -> the user's answer, or None when the window was closed unanswered."""


def consent_needed(store: ConfigStore, origin: str) -> bool:
    """True when ``start_media`` would show the window (or refuse without asking)."""
    return store.load().consent.get(normalise_origin(origin)) != Consent.ALLOW


async def ensure_consent(
    store: ConfigStore, origin: str, prompt: ConsentPrompt, language: str | None = None
) -> None:
    """Return when the user allows camera and mic on ``origin``; BridgeError(CONSENT_DENIED) if not."""
    origin = normalise_origin(origin)
    config = store.load()
    known = config.consent.get(origin)
    if known == Consent.ALLOW:
        return
    if known == Consent.DENY:
        raise BridgeError(ErrorCode.CONSENT_DENIED, f"camera and mic were refused for {origin}")
    answer = await prompt(origin, language or config.language)
    if answer is None:
        raise BridgeError(
            ErrorCode.CONSENT_DENIED, f"camera and mic were not allowed for {origin} (no answer)"
        )
    store.remember_consent(origin, answer)
    log.info("consent for %s: %s", origin, answer)
    if answer == Consent.DENY:
        raise BridgeError(ErrorCode.CONSENT_DENIED, f"camera and mic were refused for {origin}")


async def window_prompt(origin: str, language: str) -> Consent | None:
    """Ask in a pywebview window in a child process; None when closed, timed out or unavailable."""
    process = await asyncio.create_subprocess_exec(
        *consent_window_command(),
        origin,
        language,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,  # a pipe to us, never the browser's channel
        stderr=None,  # inherits the host's stderr: the log
    )
    assert process.stdout is not None
    try:
        answer = await asyncio.wait_for(_read_answer(process.stdout), PROMPT_TIMEOUT)
    except TimeoutError:
        log.warning("consent window for %s timed out", origin)
        answer = None
    except asyncio.CancelledError:
        log.info("page gone: closing the consent window for %s", origin)
        process.kill()
        await process.wait()
        raise
    finally:
        # The answer is in; a window toolkit still tearing down gets a moment, then is ended.
        try:
            await asyncio.wait_for(process.wait(), EXIT_GRACE)
        except TimeoutError:
            process.kill()
            await process.wait()
    return answer


async def _read_answer(stdout: asyncio.StreamReader) -> Consent | None:
    while line := await stdout.readline():
        try:
            value = json.loads(line)["answer"]
        except (ValueError, KeyError, TypeError):
            continue  # not our line: a toolkit's chatter
        return Consent(value) if value in (Consent.ALLOW, Consent.DENY) else None
    log.warning("consent window ended without an answer")
    return None
