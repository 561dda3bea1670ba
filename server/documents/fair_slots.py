"""Render workers shared fairly: each contract, and each meeting, gets a share of them.

A plain semaphore serves whoever came first, so one contract uploading a pile of heavy files (or
one meeting picking them from a participant's computer) held every worker while another contract's
one-page PDF waited for minutes. Here a free worker goes to the waiting job whose contract runs the
fewest jobs (first come first within that), and no contract may hold more than its share nor a
meeting more than its own, so some worker is always left for the others.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(order=True)
class _Waiter:
    order: int
    contract: int = field(compare=False)
    meeting: str | None = field(compare=False)
    granted: asyncio.Future[None] = field(compare=False)


class FairSlots:
    """``workers`` slots; a contract holds at most ``contract_share``, a meeting ``meeting_share``."""

    def __init__(self, workers: int, contract_share: int, meeting_share: int) -> None:
        self.free = workers
        self.contract_share = contract_share
        self.meeting_share = meeting_share
        self.by_contract: Counter[int] = Counter()
        self.by_meeting: Counter[str] = Counter()
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()

    @asynccontextmanager
    async def held(self, contract: int, meeting: str | None) -> AsyncIterator[None]:
        """Wait for a slot this contract and meeting may take; give it back afterwards."""
        waiter = _Waiter(next(self._order), contract, meeting, asyncio.get_running_loop().create_future())
        self._waiting.append(waiter)
        self._grant()
        try:
            await waiter.granted
        except BaseException:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            elif waiter.granted.done() and not waiter.granted.cancelled():
                self._release(waiter)  # granted just as we were cancelled
            raise
        try:
            yield
        finally:
            self._release(waiter)

    def _may_start(self, waiter: _Waiter) -> bool:
        if self.by_contract[waiter.contract] >= self.contract_share:
            return False
        return waiter.meeting is None or self.by_meeting[waiter.meeting] < self.meeting_share

    def _grant(self) -> None:
        while self.free > 0:
            # A waiter cancelled meanwhile is still listed until its task runs: never grant it.
            ready = [w for w in self._waiting if not w.granted.done() and self._may_start(w)]
            if not ready:
                return
            chosen = min(ready, key=lambda w: (self.by_contract[w.contract], w.order))
            self._waiting.remove(chosen)
            self.free -= 1
            self.by_contract[chosen.contract] += 1
            if chosen.meeting is not None:
                self.by_meeting[chosen.meeting] += 1
            chosen.granted.set_result(None)

    def _release(self, waiter: _Waiter) -> None:
        self.free += 1
        self.by_contract[waiter.contract] -= 1
        if waiter.meeting is not None:
            self.by_meeting[waiter.meeting] -= 1
        self.by_contract += Counter()  # drop the zeros: contracts and meetings come and go
        self.by_meeting += Counter()
        self._grant()
