"""Two people in a Mendan meeting, the customer behind a bad network, one profile after another.

Media goes through TURN (coturn, relay only); the customer's browser reaches coturn through
bench/lossy_relay.py, which gives that link the profile's bandwidth, delay, jitter and loss each
way. Per profile, in both directions (customer -> rep, rep -> customer), measured from the
receiving page's getStats() over a 20 s window after 10 s of settling: audio concealment
(concealedSamples / totalSamplesReceived), received video fps and frame height, freezes, and the
level of the quality indicator; then a 5 s outage (everything dropped both ways) and the time from
its end until video decodes again, timed in the pages on this machine's one clock.

    python -m bench.network [--profiles phone_lte bad_wifi loss_bursts] [--window 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench import BENCH_LOGIN, bench_server
from bench.browsers import People, load_average
from bench.lossy_relay import Direction, LossyRelay, Profile
from bench.pageclock import wait_decoding, watch_decoding
from tests.e2e.meeting_steps import connect, issue_number, log_in, tid
from tests.support.turn import coturn

SECRET = "bench-turn-secret"

PROFILES = {
    "clean": Profile("clean (through the same relay)", Direction(), Direction()),
    "phone_lte": Profile(
        "phone on LTE: 1 Mbit/s up, 100 ms RTT, 1 % loss",
        up=Direction(rate=1_000_000, delay=0.05, jitter=0.01, loss=0.01),
        down=Direction(rate=5_000_000, delay=0.05, jitter=0.01, loss=0.01),
    ),
    "bad_wifi": Profile(
        "bad Wi-Fi: 300 kbit/s, 300 ms RTT, 5 % loss",
        up=Direction(rate=300_000, delay=0.15, jitter=0.03, loss=0.05),
        down=Direction(rate=300_000, delay=0.15, jitter=0.03, loss=0.05),
    ),
    "loss_bursts": Profile(
        "20 % loss bursts: 1.5 s in every 4 s, 2 Mbit/s, 40 ms RTT",
        up=Direction(rate=2_000_000, delay=0.02, burst_loss=0.2, burst_every=4, burst_length=1.5),
        down=Direction(rate=2_000_000, delay=0.02, burst_loss=0.2, burst_every=4, burst_length=1.5),
    ),
}

# The customer's page reaches coturn through the relay: its TURN URLs get the relay's port.
VIA_RELAY = """([from, to]) => {
    const Native = window.RTCPeerConnection;
    const Via = function (config, ...rest) {
        if (config && config.iceServers) {
            const urls = (u) => [].concat(u).map((url) => url.replace(':' + from, ':' + to));
            config = {...config, iceServers: config.iceServers.map((s) => ({...s, urls: urls(s.urls)}))};
        }
        return new Native(config, ...rest);
    };
    Via.prototype = Native.prototype;
    Object.setPrototypeOf(Via, Native);
    window.RTCPeerConnection = Via;
}"""

COUNTERS = """async () => {
    const out = {at: Date.now(), concealed: 0, samples: 0, frames: 0, freezes: 0, height: 0,
                 level: null, relay: false};
    for (const pc of window.__benchPcs || []) {
        if (pc.connectionState === 'closed') continue;
        const stats = await pc.getStats();
        stats.forEach((r) => {
            if (r.type === 'inbound-rtp' && r.kind === 'audio') {
                out.concealed += r.concealedSamples || 0;
                out.samples += r.totalSamplesReceived || 0;
            } else if (r.type === 'inbound-rtp' && r.kind === 'video') {
                out.frames += r.framesDecoded || 0;
                out.freezes += r.freezeCount || 0;
                out.height = Math.max(out.height, r.frameHeight || 0);
            } else if (r.type === 'local-candidate' && r.candidateType === 'relay') {
                out.relay = true;
            }
        });
    }
    const badge = document.querySelector('[data-testid=connection-quality]');
    out.level = badge ? badge.getAttribute('data-level') : null;
    return out;
}"""

# After an outage: the first moment (page clock) after ``since`` at which video frames advance.
WATCH_RECOVERY = """(since) => {
    window.__benchRecoveredAt = null;
    let last = null;
    const look = async () => {
        let frames = 0;
        for (const pc of window.__benchPcs || []) {
            if (pc.connectionState === 'closed') continue;
            (await pc.getStats()).forEach((r) => {
                if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
            });
        }
        const now = Date.now();
        if (now > since && last !== null && frames > last) { window.__benchRecoveredAt = now; return; }
        last = frames;
        setTimeout(look, 50);
    };
    look();
}"""


def counters(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(COUNTERS)
    return result


def window_figures(pages: list[Page], seconds: float) -> list[dict[str, Any]]:
    """What each page received over the same ``seconds``; the indicator's level sampled each second."""
    first = [counters(page) for page in pages]
    levels: list[list[str]] = [[] for _ in pages]
    for _ in range(int(seconds)):
        time.sleep(1)
        for page, seen in zip(pages, levels, strict=True):
            seen.append(counters(page)["level"])
    out = []
    for page, before, seen in zip(pages, first, levels, strict=True):
        last = counters(page)
        elapsed = (last["at"] - before["at"]) / 1000
        samples = last["samples"] - before["samples"]
        out.append(
            {
                "concealment": (last["concealed"] - before["concealed"]) / samples if samples else 1.0,
                "fps": (last["frames"] - before["frames"]) / elapsed,
                "height": last["height"],
                "freezes": last["freezes"] - before["freezes"],
                "level": " ".join(f"{level}:{seen.count(level)}" for level in sorted(set(seen), key=str)),
                "relay": last["relay"],
            }
        )
    return out


def recovery(pages: list[Page], relay: LossyRelay, seconds: float = 5.0) -> list[float]:
    """Seconds from the end of a ``seconds`` outage until each page decodes video again."""
    ends = time.time() + seconds
    relay.outage(seconds)
    for page in pages:
        page.evaluate(WATCH_RECOVERY, ends * 1000)
    deadline = ends + 60
    while time.time() < deadline:
        times = [page.evaluate("window.__benchRecoveredAt") for page in pages]
        if all(t is not None for t in times):
            return [(t / 1000) - ends for t in times]
        time.sleep(0.2)
    return [float("inf")] * len(pages)


def run_profile(playwright: Any, folder: Path, key: str, window: float) -> dict[str, Any]:
    profile = PROFILES[key]
    with coturn(folder, SECRET) as turn_port:
        env = {
            "MENDAN_TURN_URLS": f"turn:127.0.0.1:{turn_port}?transport=udp",
            "MENDAN_TURN_SECRET": SECRET,
            "MENDAN_ICE_TRANSPORT_POLICY": "relay",
        }
        relay = LossyRelay(("127.0.0.1", turn_port), profile).start()
        try:
            with bench_server(folder / key, env) as server:
                group = People(playwright, folder, 2)
                try:
                    customer, rep = group.pages
                    customer.context.add_init_script(script=f"({VIA_RELAY})([{turn_port}, {relay.port}])")
                    number = issue_number(customer, server)
                    log_in(rep, server, BENCH_LOGIN)
                    connect(rep, number)
                    tid(customer, "start-media").click()
                    watch_decoding([customer, rep], 1)
                    wait_decoding([customer, rep], timeout=90)
                    time.sleep(10)  # let bandwidth estimation settle on the link
                    load = load_average()
                    to_rep, to_customer = window_figures([rep, customer], window)
                    back = recovery([rep, customer], relay)
                    return {
                        "profile": profile.name,
                        "load": load,
                        "customer -> rep": {**to_rep, "recovery": back[0]},
                        "rep -> customer": {**to_customer, "recovery": back[1]},
                        "relay": {"up dropped": relay.up.dropped, "down dropped": relay.down.dropped},
                    }
                finally:
                    group.close()
        finally:
            relay.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", nargs="+", choices=sorted(PROFILES), default=list(PROFILES))
    parser.add_argument("--window", type=float, default=20.0)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        for name in args.profiles:
            result = run_profile(playwright, Path(folder), name, args.window)
            rows.append(result)
            print(f"{result['profile']}   ({result['load']})", flush=True)
            for way in ("customer -> rep", "rep -> customer"):
                f = result[way]
                print(
                    f"  {way:<16} audio concealed {f['concealment'] * 100:5.1f}%   video {f['fps']:4.1f} fps "
                    f"{f['height']:4d}p   freezes {f['freezes']:2d}   indicator {f['level']}   "
                    f"recovery after 5 s outage {f['recovery']:4.1f} s",
                    flush=True,
                )
    print()
    worst = max(r[w]["concealment"] for r in rows for w in ("customer -> rep", "rep -> customer"))
    slowest = max(r[w]["recovery"] for r in rows for w in ("customer -> rep", "rep -> customer"))
    print(
        f"worst audio concealment {worst * 100:.1f}% (goal < 5 %), "
        f"slowest recovery {slowest:.1f} s (goal < 3 s)"
    )
    print(f"median load during the run: {statistics.median(float(r['load'].split()[1]) for r in rows):.2f}")


if __name__ == "__main__":
    main()
