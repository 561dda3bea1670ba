"""Alembic migrations produce exactly the models' schema (no drift either way), on every database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from server.db.database import sync_url
from server.db.migrate import upgrade
from server.db.models import Base


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migrations_match_models(tmp_path: Path, request: pytest.FixtureRequest, database: str) -> None:
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database()
    upgrade(url)
    upgrade(url)  # idempotent: a second run changes nothing
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
