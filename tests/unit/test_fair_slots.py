"""FairSlots: who gets a free render worker, and that a cancelled waiter never holds one."""

from __future__ import annotations

import asyncio

from server.documents.fair_slots import FairSlots
from tests.support.aio import run


async def _hold(
    slots: FairSlots, contract: int, meeting: str | None, log: list[str], name: str, gate: asyncio.Event
) -> None:
    async with slots.held(contract, meeting):
        log.append(name)
        await gate.wait()


def test_a_contracts_pile_and_a_meetings_files_leave_workers_for_others() -> None:
    async def scenario() -> list[str]:
        slots, log, gate = FairSlots(3, contract_share=2, meeting_share=1), [], asyncio.Event()
        tasks = [asyncio.create_task(_hold(slots, 1, "m1", log, f"meeting{n}", gate)) for n in range(3)]
        tasks += [asyncio.create_task(_hold(slots, 1, None, log, f"library{n}", gate)) for n in range(3)]
        tasks.append(asyncio.create_task(_hold(slots, 2, None, log, "other", gate)))
        await asyncio.sleep(0.01)
        started = list(log)
        gate.set()
        await asyncio.gather(*tasks)
        return started

    # Contract 1: one of its meeting's files and one library file (its share of 2); contract 2 the third.
    assert run(scenario()) == ["meeting0", "library0", "other"]


def test_a_cancelled_waiter_takes_no_worker() -> None:
    async def scenario() -> int:
        slots, log, gate = FairSlots(1, contract_share=1, meeting_share=1), [], asyncio.Event()
        first = asyncio.create_task(_hold(slots, 1, None, log, "first", gate))
        waiting = asyncio.create_task(_hold(slots, 2, None, log, "cancelled", gate))
        await asyncio.sleep(0.01)
        waiting.cancel()
        gate.set()  # the worker is released at the same moment the waiter goes
        await first
        await asyncio.gather(waiting, return_exceptions=True)
        later = asyncio.create_task(_hold(slots, 3, None, log, "later", gate))
        await later
        assert log == ["first", "later"]
        return slots.free

    assert run(scenario()) == 1
