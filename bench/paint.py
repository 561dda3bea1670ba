"""What painting the room costs each browser: CPU per browser in a running 2-person meeting, the
page as shipped beside a variant set on the running page, alternating phases of 8 s.

    python -m bench.paint [--rounds 6] [--variant rounded]

``rounded`` puts back the rounded, clipped video tiles the room had (border-radius + overflow:
hidden): without a GPU, Chromium clips every video frame to the rounded mask in software.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import BENCH_LOGIN, bench_server
from bench.browsers import People, load_average
from bench.pageclock import wait_decoding, watch_decoding
from tests.e2e.meeting_steps import connect, issue_number, log_in, tid

VARIANTS = {
    "rounded": "(tile) => { tile.style.borderRadius = '8px'; tile.style.overflow = 'hidden'; }",
    "no_self_view": "(tile) => { if (tile.id === 'local-tile') tile.style.display = 'none'; }",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="rounded")
    args = parser.parse_args()
    cpu: dict[str, list[float]] = {"as shipped": [], args.variant: []}
    with (
        tempfile.TemporaryDirectory() as folder,
        bench_server(Path(folder)) as server,
        sync_playwright() as pw,
    ):
        group = People(pw, Path(folder), 2)
        try:
            customer, rep = group.pages
            number = issue_number(customer, server)
            log_in(rep, server, BENCH_LOGIN)
            connect(rep, number)
            tid(customer, "start-media").click()
            watch_decoding(group.pages, 1)
            wait_decoding(group.pages)
            time.sleep(5)  # past the start's encoder ramp-up
            for turn in range(args.rounds):
                for name in cpu:
                    for page in group.pages:
                        tiles = page.locator(".tile")
                        tiles.evaluate_all("(tiles) => tiles.forEach((t) => t.removeAttribute('style'))")
                        if name != "as shipped":
                            tiles.evaluate_all(f"(tiles) => tiles.forEach({VARIANTS[name]})")
                    time.sleep(1)
                    measured = group.cpu_percent(window=8)
                    cpu[name].extend(measured)
                    shown = " ".join(f"{value:4.0f}%" for value in measured)
                    print(
                        f"round {turn + 1} {name:<12} CPU per browser {shown}   ({load_average()})",
                        flush=True,
                    )
        finally:
            group.close()
    print()
    for name, values in cpu.items():
        print(f"{name:<12} CPU per browser median {statistics.median(values):.1f}%")


if __name__ == "__main__":
    main()
