"""Recording size and server cost: bytes per recorded minute with 2 and 4 participants, extrapolated
to an hour against the 200 MB/h budget (R-6.2), and the server's CPU while recordings run.

Each scenario: a customer issues a number, a rep connects with recording YES, (for 4) two guests
join by invite URL; the rep's browser records for ``--seconds``; the rep then ends the meeting and
the server finishes the file. Size and duration come from the finished file (PyAV). Server CPU is
read from /proc/<pid>/stat of the `mendan serve` process: during recording (chunk uploads; the
browsers run on the same cores, so this is an upper bound) and for the finish (remux).

    python -m bench.recording [--seconds 60]

Chromium's fake camera shows a simple moving pattern; real camera pictures use more of the
recorder's bitrate ceiling, which is also printed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import av
import httpx
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.meeting_steps import connect, invite_url, issue_number, join_by_invite, log_in
from tests.support.browser import launch_options
from tests.support.server import MendanServer

BUDGET_MB_PER_HOUR = 200
VIDEO_BPS, AUDIO_BPS = 350_000, 48_000  # web/static/js/recorder.js
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def wait_until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise RuntimeError(f"timed out waiting for {what}")


def page(browser: Browser) -> Page:
    context = browser.new_context(permissions=["camera", "microphone"])
    context.set_default_timeout(30000)
    return context.new_page()


def scenario(browser: Browser, server: MendanServer, people: int, seconds: float) -> dict[str, float]:
    customer, rep = page(browser), page(browser)
    guests: list[Page] = []
    try:
        number = issue_number(customer, server)
        log_in(rep, server, "bench", "bench-password")
        connect(rep, number, recording=True)
        customer.get_by_test_id("start-media").click()
        for index in range(people - 2):
            guest = page(browser)
            guests.append(guest)
            join_by_invite(guest, invite_url(rep), f"ゲスト{index + 1}")
        rep.wait_for_function(f"() => Object.keys(Mendan.debug.remoteTiles()).length >= {people - 1}")
        rep.wait_for_function("() => Mendan.debug.recording()?.state === 'recording'")
        pid = server.process.pid if server.process else 0
        cpu0, wall0 = cpu_seconds(pid), time.monotonic()
        time.sleep(seconds)
        cpu1, wall1 = cpu_seconds(pid), time.monotonic()
        recording_id = rep.evaluate("Mendan.debug.recording().id")
        rep.get_by_test_id("leave-button").click()
        rep.wait_for_function("() => Mendan.debug.recording().state === 'stopped'")
        cookies = {c["name"]: c["value"] for c in rep.context.cookies()}
        with httpx.Client(base_url=server.url, cookies=cookies, timeout=30) as http:

            def finished() -> bool:
                state = http.get(f"/api/recordings/{recording_id}").json()["recording"]["state"]
                return state in ("ready", "failed")

            wait_until(finished, 60, "the finished recording")
            cpu2 = cpu_seconds(pid)
            data = http.get(f"/api/recordings/{recording_id}/file").content
        with tempfile.NamedTemporaryFile(suffix=".webm") as file:
            file.write(data)
            file.flush()
            with av.open(file.name) as container:
                duration = (container.duration or 0) / av.time_base
                frames = sum(1 for packet in container.demux(video=0) if packet.size)
        return {
            "bytes": len(data),
            "duration": duration,
            "fps": frames / duration if duration else 0.0,
            "cpu_recording": (cpu1 - cpu0) / (wall1 - wall0),
            "cpu_finish": cpu2 - cpu1,
        }
    finally:
        for each in (customer, rep, *guests):
            each.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        server = MendanServer(Path(folder) / "data").start()
        server.create_account("bench", password="bench-password", name="ベンチ", company="計測株式会社")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options(Path(folder)))  # type: ignore[arg-type]
                for people in (2, 4):
                    results[people] = scenario(browser, server, people, args.seconds)
                    print(f"{people} participants: done", flush=True)
                browser.close()
        finally:
            server.stop()
    ceiling = (VIDEO_BPS + AUDIO_BPS) / 8 * 3600 / 1e6
    print()
    print(f"Recording, {args.seconds:.0f} s per scenario (Chromium fake camera and mic, loopback)")
    for people, r in results.items():
        per_minute = r["bytes"] / r["duration"] * 60
        per_hour = per_minute * 60 / 1e6
        print(
            f"  {people} participants: {r['bytes'] / 1e6:6.2f} MB in {r['duration']:5.1f} s"
            f" = {per_minute / 1e6:5.2f} MB/min -> {per_hour:6.1f} MB/h"
            f" ({100 * per_hour / BUDGET_MB_PER_HOUR:4.0f} % of {BUDGET_MB_PER_HOUR} MB/h),"
            f" {r['fps']:.1f} fps"
        )
        print(
            f"     server CPU while recording {100 * r['cpu_recording']:5.1f} % of one core"
            f" (signaling + chunk uploads of 1 recording); finish (remux) {r['cpu_finish']:.2f} s CPU"
        )
    print(f"  recorder ceiling: {VIDEO_BPS // 1000} + {AUDIO_BPS // 1000} kbit/s = {ceiling:.0f} MB/h")


if __name__ == "__main__":
    main()
