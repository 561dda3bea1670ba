"""What a rep does to record a meeting and find the recording again, step by step."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.meeting_steps import connect, issue_number, log_in, tid, wait_for_advancing_video
from tests.support.server import MendanServer


def start_recorded_meeting(customer: Page, rep: Page, server, login: str) -> str:  # type: ignore[no-untyped-def]
    number = issue_number(customer, server)
    log_in(rep, server, login)
    connect(rep, number, recording=True)
    tid(customer, "start-media").click()
    wait_for_advancing_video(rep)
    return number


def wait_for_finished_recording(page: Page, server, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Reload the dashboard until the history lists a playable recording."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(server.url + "/rep")
        expect(tid(page, "history-item").first).to_be_visible()
        if page.locator("[data-testid=recording-item] video").count():
            return
        time.sleep(1)
    raise AssertionError("no finished recording in the history")


def finished_recording(
    page: Page, server: MendanServer, recording_id: str, timeout: float = 30
) -> dict[str, Any]:
    """The recording once the server has finished it (ready or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recording = page.request.get(f"{server.url}/api/recordings/{recording_id}").json()["recording"]
        if recording["state"] in ("ready", "failed"):
            return recording
        time.sleep(0.2)
    raise AssertionError(f"recording {recording_id} not finished after {timeout} s")


def leave_and_fetch_recording(rep: Page, server: MendanServer, chunks: int) -> bytes:
    """Record until ``chunks`` chunks are uploaded, leave, and return the finished file's bytes."""
    rep.wait_for_function(f"() => Mendan.debug.recording()?.chunks >= {chunks}", timeout=40000)
    rep.wait_for_function("() => Mendan.debug.recording().pending === 0", timeout=30000)
    recording_id = rep.evaluate("Mendan.debug.recording().id")
    tid(rep, "leave-button").click()
    finished = finished_recording(rep, server, recording_id, timeout=60)
    assert finished["state"] == "ready", finished
    return rep.request.get(f"{server.url}/api/recordings/{recording_id}/file").body()
