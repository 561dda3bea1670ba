"""The collector schedule: long-lived objects frozen, frozen cycles still found by a full collection."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from server.collector import CollectorSchedule


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def schedule() -> Iterator[CollectorSchedule]:
    made = CollectorSchedule(freeze_interval=1, full_interval=3600)
    yield made
    gc.unfreeze()


def test_ticks_freeze_what_survived_so_collections_skip_it(schedule: CollectorSchedule) -> None:
    schedule.start()
    frozen_at_start = gc.get_freeze_count()
    assert frozen_at_start > 0
    kept = [Node() for _ in range(1000)]
    schedule.tick()
    assert gc.get_freeze_count() >= frozen_at_start + len(kept)
    assert gc.get_count()[0] < 700  # nothing pending for the next young collection but what is new


def test_a_frozen_cycle_waits_for_the_full_collection(schedule: CollectorSchedule) -> None:
    schedule.start()
    first, second = Node(), Node()
    first.other, second.other = second, first
    alive = weakref.ref(first)
    schedule.tick()  # frozen while still in use
    del first, second  # now garbage, but only a cycle: reference counting cannot free it
    gc.collect()
    assert alive() is not None  # frozen objects are not looked at by ordinary collections
    schedule.collect_fully()
    assert alive() is None
    assert gc.get_freeze_count() > 0  # and what still lives is frozen again


def test_the_full_collection_comes_when_its_interval_has_passed(schedule: CollectorSchedule) -> None:
    schedule.start()
    first, second = Node(), Node()
    first.other, second.other = second, first
    alive = weakref.ref(first)
    schedule.tick()
    del first, second
    schedule.last_full -= 3600
    schedule.tick()
    assert alive() is None


def test_a_cycle_that_died_before_the_tick_is_collected_not_frozen(schedule: CollectorSchedule) -> None:
    schedule.start()
    gc.disable()  # no automatic collection in between: only the tick may find it
    try:
        first, second = Node(), Node()
        first.other, second.other = second, first
        alive = weakref.ref(first)
        del first, second
        schedule.tick()
        assert alive() is None
    finally:
        gc.enable()
