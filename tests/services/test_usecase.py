"""The one use-case skeleton (services/usecase.py), on both databases: one transaction, bounded retry,
refusals audited after the rollback, keyed results stored once and replayed in their declared type."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Conflict, Forbidden, Invalid, Unavailable
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.usecase import ATTEMPTS, Body
from frontdesk.storage import models as m
from frontdesk.storage.errors import RETRYABLE, sqlstate
from tests.factories import Scenario


async def _count(app: Frontdesk, model: type[m.Base], practice_id: int) -> int:
    async with app.db.read() as s:
        q = select(func.count()).select_from(model).where(model.practice_id == practice_id)  # type: ignore[attr-defined]
        return int((await s.execute(q)).scalar_one())


async def _entries(app: Frontdesk, practice_id: int, action: str) -> list[tuple[str, str | None]]:
    async with app.db.read() as s:
        q = select(m.AuditEvent.outcome, m.AuditEvent.record_id).where(
            m.AuditEvent.practice_id == practice_id, m.AuditEvent.action == action
        )
        return [(r.outcome, r.record_id) for r in (await s.execute(q.order_by(m.AuditEvent.id))).all()]


def _patient(p: Principal, now: datetime, last: str) -> m.Patient:
    return m.Patient(
        practice_id=p.practice_id,
        uid=f"P-{last}",
        first_name="Test",
        last_name=last,
        search_name="x",
        created_at=now,
    )


async def test_a_refused_write_is_rolled_back_then_audited(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    before = await _count(app, m.Patient, p.practice_id)

    async def body(s: AsyncSession, now: datetime) -> int:
        s.add(_patient(p, now, "Refused"))
        await s.flush()
        raise Invalid("not like this", field="last_name")

    with pytest.raises(Invalid):
        await app.usecases.write(p, "test.refused", "patient", 7, body, scope="patients:write", result=int)
    assert await _count(app, m.Patient, p.practice_id) == before
    assert await _entries(app, p.practice_id, "test.refused") == [("invalid", "7")]


async def test_a_missing_scope_is_audited_and_the_body_never_runs(app: Frontdesk, scenario: Scenario) -> None:
    reader = Principal(scenario.practice_id, "key:reader", frozenset({"appointments:read"}))
    ran = []

    async def body(s: AsyncSession, now: datetime) -> int:
        ran.append(1)
        return 1

    with pytest.raises(Forbidden):
        await app.usecases.write(
            reader, "test.scope", "patient", None, body, scope="patients:write", result=int
        )
    with pytest.raises(Forbidden):
        await app.usecases.read(reader, "test.scope_read", "patient", None, body, scopes=("patients:read",))
    assert ran == []
    assert await _entries(app, scenario.practice_id, "test.scope") == [("forbidden", None)]
    assert await _entries(app, scenario.practice_id, "test.scope_read") == [("forbidden", None)]


async def test_retries_are_bounded_and_only_for_what_goes_away(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    before = await _count(app, m.Patient, p.practice_id)
    runs: list[str] = []

    async def busy(s: AsyncSession, now: datetime) -> int:
        runs.append("busy")
        s.add(_patient(p, now, f"Busy{len(runs)}"))
        await s.flush()
        raise Unavailable("deadlock victim", details={"retryable": True})

    async def clash(s: AsyncSession, now: datetime) -> int:
        runs.append("clash")
        raise Conflict("taken")

    with pytest.raises(Unavailable):
        await app.usecases.run(busy)
    with pytest.raises(Conflict):
        await app.usecases.run(clash)
    assert runs == ["busy"] * ATTEMPTS + ["clash"]
    assert await _count(app, m.Patient, p.practice_id) == before  # every attempt rolled back


async def test_a_deadlock_victim_runs_again_and_both_commit(app: Frontdesk, scenario: Scenario) -> None:
    """Two transactions lock two patients in opposite orders: PostgreSQL aborts one (40P01), which the
    skeleton runs again once the other has committed. (SQLite serialises writers: no deadlock.)"""
    if app.db.is_sqlite:
        pytest.skip("SQLite writers never interleave, so none can deadlock")
    p = scenario.principal
    locked = {"a": asyncio.Event(), "b": asyncio.Event()}
    runs: list[str] = []
    lost: list[DBAPIError] = []
    lock = text("SELECT id FROM patients WHERE practice_id = :p AND id = :id FOR UPDATE")

    def body(me: str, first: int, then: int, other: str) -> Body[str]:
        async def run(s: AsyncSession, now: datetime) -> str:
            runs.append(me)
            try:
                await s.execute(lock, {"p": p.practice_id, "id": first})
                locked[me].set()
                await locked[other].wait()
                await s.execute(lock, {"p": p.practice_id, "id": then})
                await s.execute(
                    text("UPDATE patients SET phone = :me WHERE practice_id = :p AND id = :id"),
                    {"me": me, "p": p.practice_id, "id": then},
                )
            except DBAPIError as exc:  # the database picked this transaction as the victim
                lost.append(exc)
                raise
            return me

        return run

    done = await asyncio.gather(
        app.usecases.run(body("a", scenario.juan, scenario.maria, "b")),
        app.usecases.run(body("b", scenario.maria, scenario.juan, "a")),
    )
    assert sorted(done) == ["a", "b"]
    # Each victim ran again (and on a busy server may be picked again: the retry is bounded, not one).
    assert lost and all(sqlstate(x) in RETRYABLE for x in lost), lost
    assert len(runs) == 2 + len(lost) <= 2 * ATTEMPTS, runs
    async with app.db.read() as s:
        phones = (
            await s.execute(
                select(m.Patient.id, m.Patient.phone).where(m.Patient.id.in_([scenario.juan, scenario.maria]))
            )
        ).all()
    assert dict(phones) == {scenario.maria: "a", scenario.juan: "b"}  # both committed


def _booking(sc: Scenario, idem: Idempotency | None, at: str = "2026-03-03T10:00") -> BookingRequest:
    return BookingRequest(
        provider_id=sc.garcia,
        datebook_id=sc.ny,
        starts_at=at,
        patient_id=sc.juan,
        service_id=sc.cleaning,
        idempotency=idem,
    )


async def test_a_keyed_write_replays_its_result_in_the_declared_type(
    app: Frontdesk, scenario: Scenario
) -> None:
    p = scenario.principal
    key = Idempotency("k-1", "fingerprint-1")
    first = await app.appointments.book(p, _booking(scenario, key))
    again = await app.appointments.book(p, _booking(scenario, key))
    assert again == first and type(again) is type(first)
    assert again.starts_at.utcoffset() == first.starts_at.utcoffset()
    assert await _count(app, m.Appointment, p.practice_id) == 1
    with pytest.raises(Invalid) as refused:
        await app.appointments.book(p, _booking(scenario, Idempotency("k-1", "other"), "2026-03-03T11:00"))
    assert refused.value.field == "idempotency_key"
    async with app.db.read() as s:
        stored = (
            await s.execute(
                select(m.IdempotencyKey.response).where(
                    m.IdempotencyKey.practice_id == p.practice_id, m.IdempotencyKey.key == "k-1"
                )
            )
        ).scalar_one()
    assert set(json.loads(stored)) == {"result"}


async def test_a_result_stored_in_the_old_flat_format_still_replays(
    app: Frontdesk, scenario: Scenario
) -> None:
    """Scheduling stored a keyed booking's fields at the top level before the one format: a client
    retrying across the upgrade gets that booking back, not a second one."""
    p = scenario.principal
    booked = await app.appointments.book(p, _booking(scenario, None))
    flat = dataclasses.asdict(booked)
    for name in ("starts_at", "ends_at", "hold_expires_at"):
        flat[name] = flat[name].isoformat() if flat[name] else None
    async with app.db.write() as s:
        s.add(
            m.IdempotencyKey(
                practice_id=p.practice_id,
                actor=p.actor,
                key="old-1",
                fingerprint="f",
                response=json.dumps(flat),
                created_at=app.clock(),
            )
        )
    again = await app.appointments.book(p, _booking(scenario, Idempotency("old-1", "f")))
    assert again == booked
    assert await _count(app, m.Appointment, p.practice_id) == 1


async def test_a_use_case_needs_a_scope_from_itself_or_its_service(
    app: Frontdesk, scenario: Scenario
) -> None:
    async def body(s: AsyncSession, now: datetime) -> int:
        raise AssertionError("must not run")

    p = scenario.principal
    with pytest.raises(TypeError):
        await app.usecases.write(p, "test.unscoped", None, None, body, int)
    with pytest.raises(TypeError):
        await app.usecases.read(p, "test.unscoped", None, None, body)
    scoped = app.usecases.scoped(read=("patients:read",), write="patients:write")
    reader = Principal(scenario.practice_id, "key:reader", frozenset({"patients:read"}))
    with pytest.raises(Forbidden):
        await scoped.write(reader, "test.scoped", None, None, body, int)
    assert await _entries(app, scenario.practice_id, "test.scoped") == [("forbidden", None)]
