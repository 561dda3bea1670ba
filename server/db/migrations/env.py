"""Alembic environment: runs migrations over a synchronous connection to the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from server.db.models import Base

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
