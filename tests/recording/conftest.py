from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.clients import Rep
from tests.support.server import MendanServer


@pytest.fixture
def rep_of() -> Iterator[Callable[..., Rep]]:
    """rep_of(server, login) -> a logged-in rep over HTTP, closed after the test."""
    made: list[Rep] = []

    def make(server: MendanServer, login: str = "tanaka") -> Rep:
        rep = Rep(server, login)
        made.append(rep)
        return rep

    yield make
    for rep in made:
        rep.close()
