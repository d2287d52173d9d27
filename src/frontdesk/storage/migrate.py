"""Apply Alembic migrations, the only way the schema is made."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (tests/storage/test_migrations.py holds it to Alembic's
# own answer). A database already there is not handed to Alembic at all: loading Alembic and the
# migration scripts is most of a start-up that finds nothing to do.
HEAD = "0018"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(conn: Connection, revision: str) -> None:
    from alembic import command

    if conn.dialect.name == "postgresql":
        # Several processes may start together against one database: one migrates, the others wait.
        conn.execute(text("SELECT pg_advisory_xact_lock(7216354001)"))
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


async def _current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        try:
            version: str | None = (
                await conn.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one_or_none()
            return version
        except DBAPIError:  # no alembic_version table yet: a new database
            return None


async def upgrade(url: str, revision: str = "head") -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        if engine.dialect.name == "sqlite":
            # WAL is a property of the file: set it here, before any server connection needs it.
            async with engine.connect() as conn:
                await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        if revision == "head" and await _current(engine) == HEAD:
            return
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()
