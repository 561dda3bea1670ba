"""Time as the server sees it; injectable so tests can move it without waiting."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock seconds since the epoch, with an offset tests may advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
