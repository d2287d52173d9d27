"""Alembic environment: always given a live connection by frontdesk.storage.migrate."""

from __future__ import annotations

from alembic import context

from frontdesk.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `frontdesk migrate` (frontdesk.storage.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
context.run_migrations()
