"""Mendan's mesh beside Janus's videoroom (an SFU), alternating runs on this machine, for 2 and 4
people: time from the last person's click until every page decodes all others, and CPU per browser.

Same Chromium, same flags and fake devices, one browser process per person, and the same in-page
clock for both (bench/pageclock.py counts decoding inbound video on every RTCPeerConnection of a
page). Janus (Debian's janus 1.1) is installed with apt-get when missing and started on free ports
(bench/janus_gateway.py); each Janus run gets a fresh room, each Mendan run a fresh meeting. The
server's own CPU is printed too: Janus forwards every stream, Mendan's server only signals.

    python -m bench.peer_janus [--runs 3] [--people 2 4]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, Playwright, sync_playwright

from bench import bench_server
from bench.browsers import People, load_average
from bench.janus_gateway import Janus, janus_gateway
from bench.mesh import Run, describe, mendan_run
from bench.pageclock import clicked_at, mark_click, sending, wait_decoding, watch_decoding


def _wait_publishing(page: Page, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate("window.benchState.publishing"):
        errors = page.evaluate("window.benchState.errors")
        if errors or time.monotonic() > deadline:
            raise RuntimeError(f"Janus page did not publish: {errors}")
        time.sleep(0.05)


def janus_run(playwright: Playwright, janus: Janus, home: Path, people: int) -> Run:
    group = People(playwright, home, people)
    try:
        pages = group.pages
        room = janus.create_room()
        for number, page in enumerate(pages):
            page.goto(janus.page_url(room, f"person{number + 1}"))
        for page in pages[:-1]:
            page.click("#join")
            _wait_publishing(page)
        if people > 2:
            watch_decoding(pages[:-1], people - 2)
            wait_decoding(pages[:-1])  # the first ones see each other before the last comes in
        last = pages[-1]
        watch_decoding(pages, people - 1)
        mark_click(last, "#join")
        last.click("#join")
        done = wait_decoding(pages)
        seconds = (max(done) - clicked_at(last)) / 1000
        load = load_average()
        sent = sending(pages[0])
        *cpu, server_cpu = group.cpu_percent(extra_pids=(janus.pid,))
        return Run(seconds, cpu, load, server_cpu, sent)
    finally:
        group.close()


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, nargs="+", choices=(2, 3, 4), default=[2, 4])
    args = parser.parse_args()
    results: dict[tuple[str, int], list[Run]] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        bench_server(Path(folder)) as server,
        janus_gateway(Path(folder)) as janus,
        sync_playwright() as playwright,
    ):
        home = Path(folder)
        for number in range(args.runs):
            for people in args.people:
                for name in ("Mendan", "Janus"):
                    if name == "Mendan":
                        run = mendan_run(playwright, server, home, people)
                    else:
                        run = janus_run(playwright, janus, home, people)
                    results.setdefault((name, people), []).append(run)
                    print(f"run {number + 1} {people} people {name:<6} {describe(run)}", flush=True)
    print()
    print(
        f"Mendan (mesh) / Janus 1.1 videoroom (SFU), medians of {args.runs} alternating runs, "
        f"{load_average()}"
    )
    print(
        f"{'people':>6} {'Mendan ms':>10} {'Janus ms':>9} {'ratio':>6}   "
        f"{'CPU/browser M':>13} {'J':>5} {'ratio':>6}"
    )
    for people in args.people:
        mendan, janus_runs = results[("Mendan", people)], results[("Janus", people)]
        m_time, j_time = (
            _median([r.seconds for r in mendan]) * 1000,
            _median([r.seconds for r in janus_runs]) * 1000,
        )
        m_cpu = _median([c for r in mendan for c in r.cpu])
        j_cpu = _median([c for r in janus_runs for c in r.cpu])
        print(
            f"{people:>6} {m_time:>10.0f} {j_time:>9.0f} {m_time / j_time:>6.2f}   "
            f"{m_cpu:>12.0f}% {j_cpu:>4.0f}% {m_cpu / j_cpu:>6.2f}"
        )


if __name__ == "__main__":
    main()
