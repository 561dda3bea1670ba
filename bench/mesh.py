"""2 or 4 people in one Mendan meeting: time from the last person's click until every page decodes
video from all the others, and CPU per browser while the meeting runs.

The clock starts in the last person's page at its click (4 people: the 4th's 商談に参加する after
the first three already see each other; 2 people: the customer's start-media after the rep has
connected) and stops in each page when it decodes video from all others; the figure is the last
page's stop minus the click, all ``Date.now()`` on this machine's one clock (bench/pageclock.py).
Each person is a separate Chromium process, so its CPU is read from /proc over 10 s afterwards.

    python -m bench.mesh [--runs 5] [--people 4]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Playwright, sync_playwright

from bench import BENCH_LOGIN, bench_server
from bench.browsers import People, load_average
from bench.pageclock import clicked_at, mark_click, sending, wait_decoding, watch_decoding
from tests.e2e.meeting_steps import (
    connect,
    invite_url,
    issue_number,
    join_by_invite,
    log_in,
    start_meeting,
    tid,
)
from tests.support.server import MendanServer

GUESTS = ("山田 花子", "鈴木 一郎", "佐藤 次郎")


@dataclass
class Run:
    """One measured meeting: seconds to all decoding, CPU % of one core per browser, load then."""

    seconds: float
    cpu: list[float]
    load: str
    server_cpu: float  # the server's own process: Mendan's signaling, or Janus forwarding media
    sent: str  # what the first page sends (bench.pageclock.sending)


def mendan_run(playwright: Playwright, server: MendanServer, home: Path, people: int) -> Run:
    group = People(playwright, home, people)
    try:
        pages = group.pages
        customer, rep, *guests = pages
        if people == 2:
            number = issue_number(customer, server)
            log_in(rep, server, BENCH_LOGIN)
            connect(rep, number)
            tid(customer, "start-media").wait_for()
            last, selector = customer, "[data-testid=start-media]"
        else:
            start_meeting(customer, rep, server, BENCH_LOGIN)
            url = invite_url(rep)
            for guest, name in zip(guests[:-1], GUESTS, strict=False):
                join_by_invite(guest, url, name)
            watch_decoding(pages[:-1], people - 2)
            wait_decoding(pages[:-1])  # the first ones see each other before the last comes in
            last, selector = guests[-1], "[data-testid=join-button]"
            last.goto(url)
            tid(last, "display-name").fill(GUESTS[people - 3])
        watch_decoding(pages, people - 1)
        mark_click(last, selector)
        last.click(selector)
        done = wait_decoding(pages)
        seconds = (max(done) - clicked_at(last)) / 1000
        load = load_average()
        assert server.process is not None
        sent = sending(pages[0])
        *cpu, server_cpu = group.cpu_percent(extra_pids=(server.process.pid,))
        return Run(seconds, cpu, load, server_cpu, sent)
    finally:
        group.close()


def summary(name: str, runs: list[Run]) -> str:
    times = [run.seconds for run in runs]
    cpus = [cpu for run in runs for cpu in run.cpu]
    return (
        f"{name}: median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
        f"max {max(times) * 1000:.0f}); CPU per browser median {statistics.median(cpus):.0f}% "
        f"max {max(cpus):.0f}%"
    )


def describe(run: Run) -> str:
    shown = " ".join(f"{cpu:4.0f}%" for cpu in run.cpu)
    server = f"server {run.server_cpu:3.0f}%"
    return f"{run.seconds * 1000:6.0f} ms   CPU per browser {shown}   {server}   ({run.load})   [{run.sent}]"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, choices=(2, 3, 4), default=4)
    args = parser.parse_args()
    runs: list[Run] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        bench_server(Path(folder)) as server,
        sync_playwright() as pw,
    ):
        for number in range(args.runs):
            runs.append(mendan_run(pw, server, Path(folder), args.people))
            print(f"run {number + 1}: {describe(runs[-1])}", flush=True)
    print()
    print(
        f"{args.people} people, full mesh, Chromium per person, fake 640x480 camera, loopback, "
        f"{load_average()}"
    )
    print("  last click -> every page decoding all others (timed in the pages), " + summary("Mendan", runs))


if __name__ == "__main__":
    main()
