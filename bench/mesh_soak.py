"""Mixed-engine 4-person meetings, back to back, and one long meeting whose links are cut on purpose.

Part 1 — N meetings in a row: a Firefox customer, a Chromium rep, a phone-size Chromium guest and a
Firefox guest (the browser matrix's hardest case). A meeting counts when all 12 directed video
streams decode and keep advancing; printed: successes, time from the 4th join to all 12 advancing,
and every link that froze, with the negotiation errors the pages logged.

Part 2 — one meeting of the same four for --soak-minutes: every --cut-every seconds one link
(taken in turn among the Chromium pages' links) loses every UDP packet to its selected port for
--cut-seconds (iptables; run as root). Printed per cut: whether the link ever stopped, and how long
after the cut ended both directions advanced again (0 when the mesh had already brought it back
during the cut); at every round, any of the 12 streams that is not advancing.

    python -m bench.mesh_soak [--meetings 30] [--soak-minutes 10] [--cut-every 30] [--cut-seconds 8]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bench import bench_server
from tests.e2e.meeting_steps import invite_url, join_by_invite, remote_frames, start_meeting, tid
from tests.support.browser import launch_options
from tests.support.engines import PHONE, firefox_options
from tests.support.links import local_ports, mesh_actions, self_id, udp_cut
from tests.support.server import MendanServer

MESH_TIMEOUT = 60.0
# Every meeting issues a number from this one address: the per-address budget is for strangers.
UNLIMITED_ISSUING = {name: "1000000/600" for name in ("MENDAN_ISSUE_LIMIT", "MENDAN_ISSUE_NETWORK_LIMIT")}
ERRORS = ("description failed", "SSL role", "ICE failed")


class Browsers:
    """One Chromium and one Firefox for the whole run; each person is a fresh context."""

    def __init__(self, playwright: Playwright, home: Path) -> None:
        self.chromium: Browser = playwright.chromium.launch(**launch_options(home))  # type: ignore[arg-type]
        self.firefox: Browser = playwright.firefox.launch(**firefox_options(True, home))  # type: ignore[arg-type]

    def person(self, engine: str, contexts: list[BrowserContext], log: Callable[[str], None]) -> Page:
        if engine == "firefox":
            context = self.firefox.new_context()
        else:
            options = PHONE if engine == "phone" else {}
            context = self.chromium.new_context(permissions=["camera", "microphone"], **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: log(message.text))
        return page

    def close(self) -> None:
        self.chromium.close()
        self.firefox.close()


def advancing(pages: list[Page]) -> dict[tuple[int, str], bool]:
    """(page index, remote id) -> whether that remote video advanced over one second."""
    first = [remote_frames(page) for page in pages]
    time.sleep(1.0)
    second = [remote_frames(page) for page in pages]
    out = {}
    for index, (before, after) in enumerate(zip(first, second, strict=True)):
        for remote, count in after.items():
            out[(index, remote)] = count > before.get(remote, 0) > 0
    return out


def four_people(
    browsers: Browsers, server: MendanServer, contexts: list[BrowserContext], log: Callable[[str], None]
) -> list[Page]:
    customer = browsers.person("firefox", contexts, log)
    rep = browsers.person("chromium", contexts, log)
    start_meeting(customer, rep, server, "bench")
    url = invite_url(rep)
    guest = browsers.person("phone", contexts, log)
    join_by_invite(guest, url, "山田 花子")
    tid(guest, "meeting").wait_for()
    last = browsers.person("firefox", contexts, log)
    join_by_invite(last, url, "鈴木 一郎")
    return [customer, rep, guest, last]


def wait_for_mesh(pages: list[Page]) -> tuple[float | None, dict[tuple[int, str], bool]]:
    started = time.monotonic()
    state: dict[tuple[int, str], bool] = {}
    while time.monotonic() - started < MESH_TIMEOUT:
        state = advancing(pages)
        if len(state) == 12 and all(state.values()):
            return time.monotonic() - started, state
    return None, state


def meetings_in_a_row(browsers: Browsers, server: MendanServer, count: int) -> None:
    times: list[float] = []
    failures = 0
    for number in range(1, count + 1):
        contexts: list[BrowserContext] = []
        errors: list[str] = []
        try:
            pages = four_people(browsers, server, contexts, errors.append)
            took, state = wait_for_mesh(pages)
            errors = [text[:160] for text in errors if any(error in text for error in ERRORS)]
        finally:
            for context in contexts:
                context.close()
        if took is None:
            failures += 1
            frozen = [f"page {i} <- {remote}" for (i, remote), ok in state.items() if not ok]
            print(
                f"meeting {number:2}: FAILED  streams {len(state)}/12, frozen: {frozen}  errors: {errors[:3]}"
            )
        else:
            times.append(took)
            print(
                f"meeting {number:2}: 12 streams advancing {took:5.1f} s after the 4th join, "
                f"errors: {errors[:3]}"
            )
    print()
    print(f"{count - failures} of {count} mixed-engine 4-person meetings with every link decoding")
    if times:
        print(f"  4th join -> 12 advancing: median {statistics.median(times):.1f} s, max {max(times):.1f} s")


def pair_advancing(a: Page, a_id: str, b: Page, b_id: str) -> bool:
    first = (remote_frames(a).get(b_id, 0), remote_frames(b).get(a_id, 0))
    time.sleep(0.5)
    second = (remote_frames(a).get(b_id, 0), remote_frames(b).get(a_id, 0))
    return second[0] > first[0] and second[1] > first[1]


def long_meeting(browsers: Browsers, server: MendanServer, minutes: float, every: float, cut: float) -> None:
    contexts: list[BrowserContext] = []
    errors: list[str] = []
    try:
        pages = four_people(browsers, server, contexts, errors.append)
        took, _ = wait_for_mesh(pages)
        if took is None:
            print("the long meeting never formed its mesh")
            return
        ids = [self_id(page) for page in pages]
        chromium_links = [(i, j) for i in (1, 2) for j in range(4) if j != i]  # rep and phone guest
        recoveries: list[float] = []
        stopped = 0
        frozen_rounds = 0
        ends = time.monotonic() + minutes * 60
        round_number = 0
        while time.monotonic() < ends:
            i, j = chromium_links[round_number % len(chromium_links)]
            round_number += 1
            ports = local_ports(pages[i], ids[j])
            if not ports:
                print(f"cut {round_number}: page {i} has no candidates for {ids[j]}")
                continue
            actions_before = mesh_actions(pages[i]) + mesh_actions(pages[j])
            with udp_cut(ports):
                time.sleep(cut / 2)
                if not pair_advancing(pages[i], ids[i], pages[j], ids[j]):
                    stopped += 1
                time.sleep(cut / 2)
            restored = time.monotonic()
            back = 0.0  # already back when the cut ended: the mesh restored it during the cut
            if not pair_advancing(pages[i], ids[i], pages[j], ids[j]):
                while not pair_advancing(pages[i], ids[i], pages[j], ids[j]):
                    if time.monotonic() - restored > 30:
                        break
                back = time.monotonic() - restored
            recoveries.append(back)
            acted = mesh_actions(pages[i]) + mesh_actions(pages[j]) - actions_before
            state = advancing(pages)
            frozen = [f"page {a} <- {remote}" for (a, remote), ok in state.items() if not ok]
            frozen_rounds += bool(frozen) or len(state) < 12
            print(
                f"cut {round_number:2}: page {i} <-> page {j} for {cut:.0f} s: back {back:4.1f} s after "
                f"the cut ended, {acted} watchdog actions; streams advancing "
                f"{sum(state.values())}/12 {frozen or ''}"
            )
            time.sleep(max(0.0, every - cut - back - 1.5))
        print()
        print(f"long meeting: {minutes:.0f} min, {len(recoveries)} cuts of {cut:.0f} s every {every:.0f} s")
        print(
            f"  links that stopped during the cut: {stopped}; back after the cut: median "
            f"{statistics.median(recoveries):.1f} s, max {max(recoveries):.1f} s"
        )
        print(f"  rounds with any of the 12 streams not advancing afterwards: {frozen_rounds}")
        errors = [text[:160] for text in errors if any(error in text for error in ERRORS)]
        print(f"  negotiation errors logged: {len(errors)} {errors[:3]}")
    finally:
        for context in contexts:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=30)
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--cut-every", type=float, default=30.0)
    parser.add_argument("--cut-seconds", type=float, default=8.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        bench_server(Path(folder), UNLIMITED_ISSUING) as server,
        sync_playwright() as playwright,
    ):
        browsers = Browsers(playwright, Path(folder))
        try:
            if args.meetings:
                meetings_in_a_row(browsers, server, args.meetings)
            if args.soak_minutes:
                print()
                long_meeting(browsers, server, args.soak_minutes, args.cut_every, args.cut_seconds)
        finally:
            browsers.close()


if __name__ == "__main__":
    main()
