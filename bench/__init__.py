"""Benchmarks that print figures (no pass/fail): ``python -m bench.<name>``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import MendanServer

BENCH_LOGIN = "bench"


@contextmanager
def bench_server(
    folder: Path, env: Mapping[str, str] | None = None, password: str = "correct-horse"
) -> Iterator[MendanServer]:
    """A real ``mendan serve`` on a data folder in ``folder`` with the rep ID ``bench``; stopped after."""
    server = MendanServer(folder / "data", dict(env or {})).start()
    try:
        server.create_account(BENCH_LOGIN, password=password, name="ベンチ", company="計測株式会社")
        yield server
    finally:
        server.stop()
