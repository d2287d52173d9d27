"""Start-up skips Alembic when the database is already at the newest revision; HEAD must say which."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text

from frontdesk.composition import Frontdesk
from frontdesk.storage.migrate import HEAD, alembic_config, upgrade


def test_head_constant_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


async def test_a_new_database_is_migrated_to_head_and_a_second_start_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await upgrade(url)
    app = await Frontdesk.open(url, migrate=False)
    try:
        async with app.db.read() as s:
            assert (await s.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == HEAD
            tables = set(
                (await s.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))).scalars()
            )
        assert {"practices", "appointments", "audit_events", "patient_profiles"} <= tables
    finally:
        await app.close()
    await upgrade(url)  # at head: returns without Alembic, schema untouched
    app = await Frontdesk.open(url)
    try:
        assert await app.practices.list_all() == []
    finally:
        await app.close()


async def test_an_older_database_is_still_upgraded(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, "0004")
    await upgrade(url)
    app = await Frontdesk.open(url, migrate=False)
    try:
        async with app.db.read() as s:
            assert (await s.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == HEAD
            index = await s.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'ix_audit_events_unsealed'")
            )
            assert index.scalar_one_or_none() is not None
    finally:
        await app.close()
