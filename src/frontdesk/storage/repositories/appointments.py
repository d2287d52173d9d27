"""Appointments, scoped to one practice. The overlap query here is the application-level check;
PostgreSQL's exclusion constraint is the backstop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, Select, and_, bindparam, not_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.status import ACTIVE_STATUSES, AppointmentStatus
from frontdesk.storage.models import Appointment, AppointmentTransition, Datebook, Patient, Provider, Service

_ACTIVE = [s.value for s in ACTIVE_STATUSES]
# States that lapse at hold_expires_at: a hold, and a public booking nobody confirmed in time.
_LAPSING = [AppointmentStatus.HELD.value, AppointmentStatus.PENDING_CONFIRMATION.value]
# No appointment is longer than this (services refuse longer ones), so a range query can bound
# starts_at from below too and the (practice, provider|datebook, starts_at) index reads only the
# window, not the whole history before it.
LONGEST = timedelta(hours=24)


def _live(now: datetime | BindParameter[datetime]):  # type: ignore[no-untyped-def]
    """Active, and not a hold that has already expired."""
    return and_(
        Appointment.status.in_(_ACTIVE),
        not_(and_(Appointment.status.in_(_LAPSING), Appointment.hold_expires_at <= now)),
    )


_GET = select(Appointment).where(
    Appointment.practice_id == bindparam("practice_id"), Appointment.id == bindparam("id")
)
_GET_LOCKED = _GET.with_for_update()


async def get(
    s: AsyncSession, practice_id: int, appointment_id: int, *, lock: bool = False
) -> Appointment | None:
    q = _GET_LOCKED if lock else _GET
    return (await s.execute(q, {"practice_id": practice_id, "id": appointment_id})).scalar_one_or_none()


# An appointment as callers see it: its columns and the names beside them, as one plain row.
Named = Row[*tuple[Any, ...]]


def _directory(
    model: type[Datebook] | type[Provider] | type[Service], practice_id: int | BindParameter[int], *cols: Any
) -> Any:
    """One practice's rows of a small directory table, computed once per query (MATERIALIZED): the
    planner underestimates a day's appointments (correlated range predicates) and would otherwise
    scan the whole table, every practice's rows, once per appointment."""
    q = select(model.id, *cols).where(model.practice_id == practice_id)
    return q.cte(f"{model.__tablename__}_of_practice").prefix_with("MATERIALIZED")


def with_names(
    practice_id: int | BindParameter[int], *where: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    """One practice's appointments with their datebook, provider, patient and service names in one
    query, as plain rows: a day's list costs one round trip and no entity loading."""
    a = Appointment
    books = _directory(Datebook, practice_id, Datebook.name, Datebook.timezone)
    provs = _directory(Provider, practice_id, Provider.name)
    servs = _directory(Service, practice_id, Service.name)
    return (
        select(
            a.id,
            a.datebook_id,
            books.c.name.label("datebook_name"),
            books.c.timezone,
            a.provider_id,
            provs.c.name.label("provider_name"),
            a.patient_id,
            Patient.first_name,
            Patient.last_name,
            a.service_id,
            servs.c.name.label("service_name"),
            a.starts_at,
            a.ends_at,
            a.status,
            a.notes,
            a.hold_expires_at,
            a.allow_overlap,
        )
        .join(books, books.c.id == a.datebook_id)
        .join(provs, provs.c.id == a.provider_id)
        .join(Patient, and_(Patient.practice_id == a.practice_id, Patient.id == a.patient_id))
        .outerjoin(servs, servs.c.id == a.service_id)
        .where(a.practice_id == practice_id, *where)
    )


# The hot queries, built once with bound parameters (a fresh statement's cache key costs more to
# compute than the query takes to run).
_PID: BindParameter[int] = bindparam("practice_id")
_NOW: BindParameter[datetime] = bindparam("now")
_START: BindParameter[datetime] = bindparam("start")
_END: BindParameter[datetime] = bindparam("end")
_AFTER: BindParameter[datetime] = bindparam("after")  # start - LONGEST, computed by the caller
_NAMED = with_names(_PID, Appointment.id == bindparam("id"))
_RANGE = [Appointment.starts_at < _END, Appointment.starts_at > _AFTER, Appointment.ends_at > _START]
_IN_RANGE: dict[tuple[bool, bool], Select[*tuple[Any, ...]]] = {}


def _in_range_query(by_datebook: bool, by_provider: bool) -> Select[*tuple[Any, ...]]:
    q = _IN_RANGE.get((by_datebook, by_provider))
    if q is None:
        q = with_names(
            _PID,
            *_RANGE,
            # An expired hold is history nobody needs to see.
            not_(and_(Appointment.status.in_(_LAPSING), Appointment.hold_expires_at <= _NOW)),
        )
        if by_datebook:
            q = q.where(Appointment.datebook_id == bindparam("datebook_id"))
        if by_provider:
            q = q.where(Appointment.provider_id == bindparam("provider_id"))
        q = q.order_by(Appointment.starts_at, Appointment.id).limit(bindparam("limit"))
        _IN_RANGE[(by_datebook, by_provider)] = q
    return q


async def named(s: AsyncSession, practice_id: int, appointment_id: int) -> Named | None:
    row: Named | None = (
        await s.execute(_NAMED, {"practice_id": practice_id, "id": appointment_id})
    ).one_or_none()
    return row


async def in_range(
    s: AsyncSession,
    practice_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    datebook_id: int | None = None,
    provider_id: int | None = None,
    limit: int = 500,
) -> Sequence[Named]:
    q = _in_range_query(datebook_id is not None, provider_id is not None)
    params: dict[str, Any] = {
        "practice_id": practice_id,
        "start": start,
        "after": start - LONGEST,
        "end": end,
        "now": now,
        "limit": limit,
    }
    if datebook_id is not None:
        params["datebook_id"] = datebook_id
    if provider_id is not None:
        params["provider_id"] = provider_id
    rows: Sequence[Named] = (await s.execute(q, params)).all()
    return rows


_T = Appointment.__table__.c
# Table columns, not entity attributes: the rows come back as plain tuples without the ORM's loading.
_BUSY = (
    select(_T.provider_id, _T.service_id, _T.starts_at, _T.ends_at)
    .where(
        _T.practice_id == _PID,
        _T.provider_id.in_(bindparam("provider_ids", expanding=True)),
        _T.starts_at < _END,
        _T.starts_at > _AFTER,
        _T.ends_at > _START,
        _T.status.in_(_ACTIVE),
        not_(and_(_T.status.in_(_LAPSING), _T.hold_expires_at <= _NOW)),
    )
    .order_by(_T.starts_at)
)


async def busy_for(
    s: AsyncSession,
    practice_id: int,
    provider_ids: Sequence[int],
    start: datetime,
    end: datetime,
    now: datetime,
) -> Sequence[Row[int, int | None, datetime, datetime]]:
    """(provider_id, service_id, starts_at, ends_at) of live appointments touching [start, end), any
    datebook. Plain rows, not entities: slot search reads thousands of them and needs four columns."""
    params = {
        "practice_id": practice_id,
        "provider_ids": list(provider_ids),
        "start": start,
        "after": start - LONGEST,
        "end": end,
        "now": now,
    }
    return (await s.execute(_BUSY, params)).all()


_OVERLAPPING = select(Appointment).where(
    Appointment.practice_id == _PID,
    Appointment.provider_id == bindparam("provider_id"),
    *_RANGE,
    _live(_NOW),
)
_OVERLAPPING_OTHERS = _OVERLAPPING.where(Appointment.id != bindparam("exclude_id"))


async def overlapping(
    s: AsyncSession,
    practice_id: int,
    provider_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    exclude_id: int | None = None,
) -> Sequence[Appointment]:
    params: dict[str, Any] = {
        "practice_id": practice_id,
        "provider_id": provider_id,
        "start": start,
        "after": start - LONGEST,
        "end": end,
        "now": now,
    }
    if exclude_id is None:
        return (await s.execute(_OVERLAPPING, params)).scalars().all()
    params["exclude_id"] = exclude_id
    return (await s.execute(_OVERLAPPING_OTHERS, params)).scalars().all()


async def lock_providers(s: AsyncSession, practice_id: int, provider_ids: Sequence[int]) -> None:
    """Serialise bookings per provider on PostgreSQL, held to the end of the transaction.

    Two transactions inserting overlapping rows would otherwise each wait for the other inside the
    exclusion constraint (a deadlock PostgreSQL breaks by killing one); with this lock the second
    waits up front, then sees the first's row and reports a plain conflict. Different providers do
    not wait for each other. SQLite needs nothing: its writers are already serialised."""
    if s.get_bind().dialect.name != "postgresql":
        return
    for provider_id in sorted(set(provider_ids)):  # one order everywhere, so locks never cross
        await s.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:p AS integer), CAST(:v AS integer))"),
            {"p": practice_id, "v": provider_id},
        )


_EXPIRE_HOLDS = (
    update(Appointment)
    .where(
        # An UPDATE reserves bound names equal to column names (practice_id, provider_id) for SET.
        Appointment.practice_id == bindparam("b_practice_id"),
        Appointment.provider_id == bindparam("b_provider_id"),
        Appointment.status.in_(_LAPSING),
        Appointment.hold_expires_at <= bindparam("b_now"),
    )
    .values(
        status=AppointmentStatus.CANCELLED.value, cancel_reason="hold_expired", updated_at=bindparam("b_now")
    )
    # Callers hold no lapsed hold of this provider in their session (update() refuses to touch one
    # first), so there is nothing to synchronise; this also keeps the ORM from evaluating bound
    # parameters against loaded objects.
    .execution_options(synchronize_session=False)
)


_LAPSED = select(_T.id, _T.status).where(
    _T.practice_id == _PID,
    _T.provider_id == bindparam("provider_id"),
    _T.status.in_(_LAPSING),
    _T.hold_expires_at <= _NOW,
)


async def expire_holds(s: AsyncSession, practice_id: int, provider_id: int, now: datetime) -> None:
    """Release this provider's lapsed holds and unconfirmed public bookings, so the database
    constraint no longer counts them; each release is a recorded lifecycle transition (method auto)."""
    params = {"practice_id": practice_id, "provider_id": provider_id, "now": now}
    lapsed = (await s.execute(_LAPSED, params)).all()
    if not lapsed:
        return
    await s.execute(_EXPIRE_HOLDS, {"b_practice_id": practice_id, "b_provider_id": provider_id, "b_now": now})
    s.add_all(
        AppointmentTransition(
            practice_id=practice_id,
            appointment_id=appointment_id,
            from_status=status,
            to_status=AppointmentStatus.CANCELLED.value,
            at=now,
            by="system",
            method="auto",
            reason="hold_expired" if status == AppointmentStatus.HELD.value else "confirmation_expired",
        )
        for appointment_id, status in lapsed
    )
