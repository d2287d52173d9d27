"""Practices made before the setup revision keep booking: every provider with working hours is
assigned to every service (migration 0008); and setup writes replay under an idempotency key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from frontdesk.composition import Frontdesk
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.setup.providers import ProviderFields
from frontdesk.storage.migrate import upgrade
from tests.factories import Scenario


async def test_the_migration_assigns_providers_with_hours_to_every_service(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    await upgrade(f"sqlite+aiosqlite:///{path}", "0007")
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            INSERT INTO practices (id, slug, name, timezone, created_at)
                VALUES (1, 'old', 'Old', 'UTC', '2026-01-01');
            INSERT INTO datebooks (id, practice_id, name, timezone, active) VALUES (1, 1, 'Main', 'UTC', 1);
            INSERT INTO providers (id, practice_id, uid, name, specialty, active) VALUES
                (1, 1, 'a', 'Works', 'GP', 1), (2, 1, 'b', 'No hours', 'GP', 1);
            INSERT INTO services (id, practice_id, name, duration_minutes, price_cents, currency,
                buffer_before_minutes, buffer_after_minutes, active)
                VALUES (1, 1, 'Visit', 30, 0, 'USD', 0, 0, 1), (2, 1, 'Long visit', 60, 0, 'USD', 0, 0, 1);
            INSERT INTO working_hours
                (practice_id, provider_id, datebook_id, kind, weekday, start_time, end_time)
                VALUES (1, 1, 1, 'work', 0, '09:00', '17:00'), (1, 1, 1, 'work', 1, '09:00', '17:00');
            """
        )
    await upgrade(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as db:
        pairs = db.execute("SELECT service_id, provider_id FROM service_providers ORDER BY 1, 2").fetchall()
        assert pairs == [(1, 1), (2, 1)]
        assert db.execute("SELECT discoverable FROM services").fetchall() == [(1,), (1,)]


async def test_a_keyed_create_replays_instead_of_writing_twice(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    key = Idempotency("create-dr-x", "fingerprint-1")
    first = await app.setup.providers.create(p, ProviderFields(name="Dr. X"), key)
    again = await app.setup.providers.create(p, ProviderFields(name="Dr. X"), key)
    assert again == first
    names = [r.name for r in await app.setup.providers.find(p)]
    assert names.count("Dr. X") == 1
