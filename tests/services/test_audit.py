"""The audit chain under concurrency: entries append without waiting, the sealer chains them whole."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import FrontdeskError
from frontdesk.storage import models as m
from tests.factories import Scenario


async def test_concurrent_reads_seal_into_one_gapless_chain(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal

    async def read(i: int) -> None:
        await app.patients.search(p, "perez" if i % 2 else "santos")

    await asyncio.gather(*(read(i) for i in range(40)))
    async with app.db.read() as s:
        waiting = (
            await s.execute(
                select(m.AuditEvent.id).where(
                    m.AuditEvent.practice_id == scenario.practice_id, m.AuditEvent.seq.is_(None)
                )
            )
        ).all()
    assert len(waiting) == 40, "appended, not yet chained"
    assert await app.audit.seal(scenario.practice_id) == 40
    checked, broken = await app.audit.verify(scenario.practice_id)
    assert (checked, broken) == (40, None)
    await read(0)
    assert await app.audit.seal_all() >= 1
    checked, broken = await app.audit.verify(scenario.practice_id)
    assert (checked, broken) == (41, None)


async def _refuse_audit_inserts(app: Frontdesk) -> None:
    """A real database refusal of every audit insert (a trigger), to stand for a failing audit store."""
    async with app.db.write() as s:
        if app.db.is_sqlite:
            await s.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit store refused'); END"
                )
            )
        else:
            await s.execute(
                text(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'audit store refused'; END $$"
                )
            )
            await s.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
            )


async def _allow_audit_inserts(app: Frontdesk) -> None:
    async with app.db.write() as s:
        await s.execute(text("DROP TRIGGER refuse_audit" + ("" if app.db.is_sqlite else " ON audit_events")))
        if not app.db.is_sqlite:
            await s.execute(text("DROP FUNCTION refuse_audit()"))


async def test_a_read_whose_audit_entry_cannot_be_stored_returns_no_data(
    app: Frontdesk, scenario: Scenario
) -> None:
    p = scenario.principal
    await _refuse_audit_inserts(app)
    try:
        with pytest.raises(FrontdeskError) as caught:
            await app.patients.search(p, "perez")
        assert "perez" not in caught.value.message.lower()
        results = await asyncio.gather(
            *(app.patients.search(p, "santos") for _ in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, FrontdeskError) for r in results), results
    finally:
        await _allow_audit_inserts(app)
    assert await app.patients.search(p, "perez"), "reads work again once entries can be stored"
    async with app.db.read() as s:
        actions = (
            await s.scalars(
                select(m.AuditEvent.action).where(m.AuditEvent.practice_id == scenario.practice_id)
            )
        ).all()
    assert actions == ["patient.search"], "only the read that was answered is in the trail"


async def test_concurrent_audited_reads_each_store_one_entry(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    calls = [
        app.appointments.in_range(p, start="2026-03-02", end="2026-03-03", datebook_id=scenario.ny)
        for _ in range(30)
    ]
    await asyncio.gather(*calls)
    async with app.db.read() as s:
        rows = (
            await s.execute(
                select(m.AuditEvent.action, m.AuditEvent.record_id).where(
                    m.AuditEvent.practice_id == scenario.practice_id
                )
            )
        ).all()
    assert sorted(rows) == [("appointment.list", str(scenario.ny))] * 30
