"""Migration 0010 on a database that already has what the new rule forbids: duplicate emails in
several spellings, phones in any format. It normalises what it can and cannot fail on duplicates."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from frontdesk.composition import Frontdesk
from frontdesk.services.clients.dto import Draft
from frontdesk.services.context import Principal
from frontdesk.storage.migrate import upgrade
from tests.conftest import PG_ADMIN, _pg_reachable

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database for this test alone, at revision 0007."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        await upgrade(url, "0007")
        yield url
        return
    import asyncpg

    if not await _pg_reachable():
        pytest.skip("PostgreSQL is not reachable")

    admin = PG_ADMIN.replace("postgresql+asyncpg", "postgresql")
    name = f"frontdesk_mig_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    await upgrade(url, "0007")
    yield url
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


PATIENTS = [
    # (practice, uid, email, phone, minutes after T0)
    (1, "P-A", "Dup@Example.com ", "(212) 555-0100", 0),  # the oldest of three: keeps the key
    (1, "P-B", "dup@example.COM", "+44 20 7946 0958", 5),
    (1, "P-C", " DUP@example.com", "not a phone", 10),  # does not parse: stays as it is
    (1, "P-D", "", "555", 15),  # blank email: none; too short a number: as it is
    (2, "P-E", "dup@example.com", "912 345 678", 1),  # another practice (region PT): its own key
]


async def seed(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for pid in (1, 2):
            await conn.execute(
                text(
                    "INSERT INTO practices (id, slug, name, timezone, created_at) VALUES (:i, :s, :n, :z, :t)"
                ),
                {"i": pid, "s": f"m{pid}-{uuid.uuid4().hex[:6]}", "n": f"P{pid}", "z": "UTC", "t": T0},
            )
        await conn.execute(
            text(
                "INSERT INTO practice_settings (practice_id, key, value, updated_at, updated_by) "
                "VALUES (2, 'basics.defaultRegion', '\"PT\"', :t, 'test')"
            ),
            {"t": T0},
        )
        for i, (pid, uid, email, phone, minutes) in enumerate(PATIENTS, start=1):
            await conn.execute(
                text(
                    "INSERT INTO patients (id, practice_id, uid, first_name, last_name, search_name, phone, "
                    "email, created_at) VALUES (:i, :p, :u, 'F', 'L', 'f l', :ph, :e, :t)"
                ),
                {"i": i, "p": pid, "u": uid, "ph": phone, "e": email, "t": T0 + timedelta(minutes=minutes)},
            )
        if engine.dialect.name == "postgresql":  # ids given by hand: move the identity past them
            await conn.execute(text("SELECT setval(pg_get_serial_sequence('patients', 'id'), 100)"))
    await engine.dispose()


async def test_duplicates_keep_the_oldest_and_contacts_are_normalised(old_url: str) -> None:
    await seed(old_url)
    await upgrade(old_url)
    app = await Frontdesk.open(old_url, migrate=False)
    try:
        async with app.db.read() as s:
            rows = (
                await s.execute(text("SELECT uid, email, email_key, phone FROM patients ORDER BY uid"))
            ).all()
        assert [tuple(r) for r in rows] == [
            ("P-A", "dup@example.com", "dup@example.com", "+12125550100"),
            ("P-B", "dup@example.com", None, "+442079460958"),
            ("P-C", "dup@example.com", None, "not a phone"),
            ("P-D", None, None, "555"),
            ("P-E", "dup@example.com", "dup@example.com", "+351912345678"),
        ]
        # The rule holds from now on: the address finds the oldest record, in each practice.
        done = await app.client_records.create(Principal(1, "test"), Draft("New", email="DUP@example.com"))
        assert done.linked and done.client.id == 1
        fresh = await app.client_records.create(Principal(1, "test"), Draft("New", email="new@example.com"))
        assert not fresh.linked and fresh.client.id > 5
        other = await app.client_records.create(Principal(2, "test"), Draft("New", email="Dup@example.com"))
        assert other.linked and other.client.id == 5
    finally:
        await app.close()
