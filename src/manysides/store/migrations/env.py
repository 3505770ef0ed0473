"""Alembic environment: run by ``Collection`` (or the ``alembic`` command with
``script_location = manysides.store:migrations`` and ``sqlalchemy.url`` set)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from manysides.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///manysides.db")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
