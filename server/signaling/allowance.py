"""A token bucket per socket: how many messages of one kind a client may send in a burst and on
average, kept in memory because a socket lives on one instance only."""

from __future__ import annotations

import time
from collections.abc import Callable


class Allowance:
    """``count`` messages at once, refilled at ``count`` per ``seconds``."""

    def __init__(self, limit: tuple[int, float], clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(limit[0])
        self.rate = limit[0] / limit[1] if limit[1] > 0 else float("inf")
        self.clock = clock
        self.tokens = self.capacity
        self.updated = clock()

    def take(self) -> bool:
        """Use one message of the allowance; False when it is used up for now."""
        now = self.clock()
        # Never less than nothing: the server's clock is wall time, which may be set back.
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
