"""The MedCor seed's appointment tools (001): snake_case, `tenant_id` accepted where the seed has it
(the caller's own practice id; any other is "not found", like a record of another practice)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.errors import NotFound
from frontdesk.domain.validation import NOTES_MAX
from frontdesk.services.currencies import plain
from frontdesk.services.operations import (
    CREATE,
    READ,
    UPDATE,
    Call,
    Id,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.scheduling import booking_shapes as bs
from frontdesk.services.scheduling import shapes
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.scheduling.bookings import PAGE_MAX, BookingQuery, Stats
from frontdesk.services.scheduling.lifecycle import TransitionRequest
from frontdesk.services.scheduling.operations.coordinalo import Status, seed_fields

TenantId = Annotated[OptionalId, Field(description="Tenant (hospital or clinic) ID: your own practice")]
STATS_DAYS = 365
# A refusal names MedCor's parameter.
FIELDS = {
    "starts_at": "appointment_time",
    "provider_id": "doctor_id",
    "service_id": "treatment_id",
    "to_state": "status",
}


def check_tenant(call: Call[Input], tenant_id: int | None) -> None:
    """Only the caller's own practice exists here."""
    if tenant_id is not None and tenant_id != call.p.practice_id:
        raise NotFound(f"no tenant with id {tenant_id}; leave tenant_id out for your own", field="tenant_id")


class ListIn(Input):
    tenant_id: TenantId = None
    status: Annotated[Status | None, Field(description="Only appointments in this status")] = None


async def _list(call: Call[ListIn]) -> Result:
    a = call.args
    check_tenant(call, a.tenant_id)
    q = BookingQuery(statuses=(a.status,) if a.status else (), limit=PAGE_MAX, newest_first=True)
    page = await call.app.bookings.page(call.p, q)
    rows = page.bookings
    more = len(rows) == PAGE_MAX
    text = "\n".join(shapes.line(x) for x in rows) or "No appointments."
    return Result(shapes.appointment_list(rows, more), text)


LIST_APPOINTMENTS = Operation(
    name="list_appointments",
    title="List appointments",
    description=f"List appointments, newest first (at most {PAGE_MAX}; truncated=true says there were "
    "more), optionally only those in one status (scheduled, confirmed, checked_in, in_progress, "
    "completed, documented, cancelled, no_show ...).",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=ListIn,
    output=shapes.AppointmentList,
    run=_list,
)


class DetailsIn(Input):
    appointment_id: Annotated[Id, Field(description="The appointment's ID (from list_appointments)")]


async def _details(call: Call[DetailsIn]) -> Result:
    info = await call.app.bookings.get(call.p, call.args.appointment_id)
    return Result(bs.booking(info), shapes.line(info.appointment))


GET_APPOINTMENT_DETAILS = Operation(
    name="get_appointment_details",
    title="Get appointment details",
    description="Get one appointment: patient, doctor, treatment, location, time, status (and its "
    "FHIR status), price, a late cancel's penalty, provenance and rescheduling links.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=DetailsIn,
    output=bs.BookingOut,
    run=_details,
)


class CreateIn(Input):
    patient_id: Annotated[Id, Field(description="The patient (from list_patients)")]
    doctor_id: Annotated[Id, Field(description="The doctor (from list_doctors)")]
    treatment_id: Annotated[Id, Field(description="The treatment (from list_treatments)")]
    appointment_date: Annotated[str, Field(max_length=10, description="Date, YYYY-MM-DD")]
    appointment_time: Annotated[str, Field(max_length=8, description="Local time, HH:MM")]
    notes: Annotated[str | None, Field(max_length=NOTES_MAX)] = None
    tenant_id: TenantId = None


async def _create(call: Call[CreateIn]) -> Result:
    a = call.args
    check_tenant(call, a.tenant_id)
    req = BookingRequest(
        provider_id=a.doctor_id,
        starts_at=f"{a.appointment_date.strip()}T{a.appointment_time.strip()}",
        patient_id=a.patient_id,
        service_id=a.treatment_id,
        notes=a.notes,
        any_datebook=True,
    )
    booked = await seed_fields(call.app.appointments.book(call.p, req), FIELDS)
    info = await call.app.bookings.get(call.p, booked.id)
    return Result(bs.booking(info), "Booked " + shapes.line(booked))


CREATE_APPOINTMENT = Operation(
    name="create_appointment",
    title="Create appointment",
    description="Book a patient with a doctor for a treatment at a date and local time (the "
    "treatment sets the length). The time must be inside the doctor's working hours and free: double "
    "bookings are refused. Not idempotent.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CREATE,
    input=CreateIn,
    output=bs.BookingOut,
    run=_create,
)


class StatusIn(Input):
    appointment_id: Annotated[Id, Field(description="The appointment's ID")]
    status: Annotated[
        Literal["confirmed", "checked_in", "in_progress", "completed", "cancelled", "no_show"],
        Field(description="The new status; only lifecycle steps are allowed (no_show: the patient's)"),
    ]


async def _status(call: Call[StatusIn]) -> Result:
    a = call.args
    side = "client" if a.status == "no_show" else None
    req = TransitionRequest(a.appointment_id, to_state=a.status, no_show_type=side)
    await seed_fields(call.app.lifecycle.transition(call.p, req, call.consent), FIELDS)
    info = await call.app.bookings.get(call.p, a.appointment_id)
    return Result(bs.booking(info), "Now " + shapes.line(info.appointment))


async def _ask_status(call: Call[StatusIn]) -> str | None:
    if call.args.status != "cancelled":
        return None
    info = await call.app.bookings.get(call.p, call.args.appointment_id)
    return f"Cancel {shapes.line(info.appointment)}?"


UPDATE_APPOINTMENT_STATUS = Operation(
    name="update_appointment_status",
    title="Update appointment status",
    description="Move an appointment along its lifecycle: confirmed, checked_in, in_progress, "
    "completed, cancelled (the cancellation policy applies) or no_show (counts toward the patient's "
    "no-show block). Steps outside the lifecycle are refused, naming those allowed.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=StatusIn,
    output=bs.BookingOut,
    run=_status,
    ask=_ask_status,
)


class TreatmentStat(BaseModel):
    treatment_id: int | None
    treatment_name: str | None
    sessions: int
    completed: int
    no_shows: int
    cancelled: int
    no_show_rate: float
    revenue: str = Field(description="Decimal amount of completed sessions' prices")
    revenue_cents: int
    currency: str


class TreatmentStatsOut(BaseModel):
    period_start: str
    period_end: str
    treatments: list[TreatmentStat]


class TreatmentStatsIn(Input):
    tenant_id: TenantId = None


def _row(r: Stats) -> dict[str, object]:
    return {
        "treatment_id": r.key,
        "treatment_name": r.name,
        "sessions": r.sessions,
        "completed": r.delivered,
        "no_shows": r.no_shows,
        "cancelled": r.cancelled,
        "no_show_rate": r.no_show_rate,
        "revenue": plain(r.revenue_cents, r.currency).split(" ")[0],
        "revenue_cents": r.revenue_cents,
        "currency": r.currency,
    }


async def _treatment_stats(call: Call[TreatmentStatsIn]) -> Result:
    check_tenant(call, call.args.tenant_id)
    now = call.app.bookings.uc.clock()
    lo, hi = (now - timedelta(days=STATS_DAYS)).isoformat(), now.isoformat()
    rows = await call.app.bookings.stats(call.p, by="service", start=lo, end=hi)
    data = {"period_start": lo, "period_end": hi, "treatments": [_row(r) for r in rows]}
    text = "\n".join(
        f"{r.name or 'no treatment'}: {r.sessions} sessions, {r.delivered} completed, "
        f"revenue {plain(r.revenue_cents, r.currency)}"
        for r in rows
    )
    return Result(data, text or "No appointments in the last year.")


GET_TREATMENT_STATS = Operation(
    name="get_treatment_stats",
    title="Get treatment statistics",
    description="Statistics per treatment over the last 365 days: sessions, completed, no-shows and "
    "no-show rate, cancelled, and revenue (the treatment's price of each completed session).",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=TreatmentStatsIn,
    output=TreatmentStatsOut,
    run=_treatment_stats,
)

OPERATIONS = (
    LIST_APPOINTMENTS,
    GET_APPOINTMENT_DETAILS,
    CREATE_APPOINTMENT,
    UPDATE_APPOINTMENT_STATUS,
    GET_TREATMENT_STATS,
)
