"""The schema the migrations make: practice_id leads every key, and links cannot cross practices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import FrontdeskError
from frontdesk.storage import models as m
from tests.factories import Scenario, build_scenario

# Tables that belong to no single practice: the tenants themselves, Alembic's bookkeeping, and the
# registry of OAuth clients (a connector registers once, before anyone picks a practice); under Citus
# they would be reference tables.
GLOBAL_TABLES = {"practices", "alembic_version", "oauth_clients"}


async def test_practice_id_leads_every_index_and_unique_key(app: Frontdesk) -> None:
    def check(sync_conn):  # type: ignore[no-untyped-def]
        insp = inspect(sync_conn)
        problems = []
        for table in insp.get_table_names():
            if table in GLOBAL_TABLES:
                continue
            cols = {c["name"] for c in insp.get_columns(table)}
            assert "practice_id" in cols, table
            keys = [(i["name"], i["column_names"]) for i in insp.get_indexes(table)]
            keys += [(u["name"], u["column_names"]) for u in insp.get_unique_constraints(table)]
            pk = insp.get_pk_constraint(table)["constrained_columns"]
            if sync_conn.dialect.name == "postgresql":
                keys.append(("pk", pk))
            for name, columns in keys:
                if columns and columns[0] != "practice_id":
                    problems.append((table, name, columns))
            for fk in insp.get_foreign_keys(table):
                if fk["referred_table"] != "practices" and fk["constrained_columns"][0] != "practice_id":
                    problems.append((table, "fk", fk["constrained_columns"]))
        return problems

    async with app.db.engine.connect() as conn:
        assert await conn.run_sync(check) == []


async def test_database_refuses_a_link_to_another_practices_record(
    app: Frontdesk, scenario: Scenario
) -> None:
    other = await build_scenario(app)
    now = datetime(2026, 3, 3, 15, tzinfo=UTC)
    with pytest.raises(FrontdeskError):
        async with app.db.write() as s:
            s.add(
                m.Appointment(
                    practice_id=other.practice_id,
                    datebook_id=other.ny,
                    provider_id=other.garcia,
                    patient_id=scenario.juan,  # belongs to the first practice
                    starts_at=now,
                    ends_at=now.replace(hour=16),
                    status="scheduled",
                    allow_overlap=False,
                    created_at=now,
                    updated_at=now,
                )
            )
