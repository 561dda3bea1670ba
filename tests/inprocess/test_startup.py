"""Start-up is all or nothing: a start that fails half way leaves nothing running or open."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from tests.support.inprocess import DATABASE_FILE, InProcessApp


def test_a_start_that_fails_half_way_closes_what_it_had_opened(
    tmp_path: Path, template_database: Path
) -> None:
    # A database that lost its webhook table: start-up gets through the database, the bus, the
    # render queue and the recordings, and fails at its last step (the webhooks' leases).
    broken = tmp_path / "broken" / DATABASE_FILE
    broken.parent.mkdir()
    broken.write_bytes(template_database.read_bytes())
    with sqlite3.connect(broken) as db:
        db.execute("DROP TABLE webhook_events")
    threads_before = set(threading.enumerate())
    with pytest.raises(OperationalError, match="webhook_events"):
        InProcessApp(tmp_path / "data", broken)
    # aiosqlite runs a thread per open database connection, the test client one for the app's
    # event loop: none is left, so everything opened before the failure was closed again.
    # (AnyIO's idle worker threads for blocking calls are the finished loop's pool, not ours: they
    # end by themselves once idle.)
    new_threads = set(threading.enumerate()) - threads_before
    left = [
        thread.name for thread in new_threads if thread.is_alive() and thread.name != "AnyIO worker thread"
    ]
    assert left == []
