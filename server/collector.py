"""When the garbage collector may stop the process: rarely, and never for long.

CPython's full collection walks every tracked object while nothing else runs. A server holding
thousands of sockets keeps about 250 such objects per participant, so at 5,000 participants a full
collection stopped every message for 0.6–0.8 s, several times a minute (bench/signaling.py,
docs/scaling.md). Nearly all of those objects live as long as their socket. So, every
``freeze_interval``, what has survived so far is frozen (``gc.freeze``): the automatic collections
then walk only what is newer, and take milliseconds. Cycles among frozen objects (a closed socket's
leftovers) are found by one full collection every ``full_interval``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger(__name__)


class CollectorSchedule:
    """Freezes the long-lived heap regularly and collects it in full now and then."""

    def __init__(self, freeze_interval: float, full_interval: float) -> None:
        self.freeze_interval = freeze_interval
        self.full_interval = full_interval
        self.last_full = time.monotonic()

    def start(self) -> None:
        """At start-up: what exists now (modules, templates, settings) lives as long as the process."""
        gc.collect()
        gc.freeze()

    def tick(self) -> None:
        if time.monotonic() - self.last_full >= self.full_interval:
            self.collect_fully()
        # What died since the last freeze goes first: frozen, a cycle of dead objects (a finished
        # request's frames, a closed socket's parts) would wait for the next full collection.
        # This walks only what is newer than the last freeze: milliseconds.
        gc.collect()
        gc.freeze()

    def collect_fully(self) -> None:
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self.last_full = time.monotonic()
        log.info(
            "full garbage collection",
            extra={"collected": found, "ms": round((time.perf_counter() - started) * 1000, 1)},
        )

    async def run(self) -> None:
        if self.freeze_interval <= 0:
            return  # turned off: CPython's own schedule
        self.start()
        try:
            while True:
                await asyncio.sleep(self.freeze_interval)
                self.tick()
        finally:
            gc.unfreeze()
