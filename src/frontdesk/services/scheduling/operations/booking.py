"""Booking, hold-then-confirm, and changing or cancelling an appointment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.validation import NAME_MAX
from frontdesk.services.operations import (
    CONFIRM,
    CREATE,
    UPDATE,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.operations import Id as IdType
from frontdesk.services.scheduling import shapes
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest
from frontdesk.services.scheduling.operations.fields import (
    AllowOverlap,
    DatebookId,
    DatebookName,
    Notes,
    OptionalWhen,
    When,
)

# --- booking ----------------------------------------------------------------------------------


class BookIn(Input):
    doctor_id: Annotated[IdType, Field(description="Doctor who will see the patient (from list_doctors)")]
    starts_at: When
    datebook_id: DatebookId = None
    datebook_name: DatebookName = None
    patient_id: Annotated[OptionalId, Field(description="Existing patient ID (from find_patients)")] = None
    patient_name: Annotated[
        str | None, Field(max_length=NAME_MAX, description="Full name, creates a new patient")
    ] = None
    ends_at: Annotated[OptionalWhen, Field(description="End time, ISO 8601 (optional)")] = None
    service_id: Annotated[OptionalId, Field(description="Service (from list_services)")] = None
    notes: Notes = None
    idempotency_key: IdempotencyKey = None


class CreateIn(BookIn):
    allow_overlap: AllowOverlap = False
    retroactive: Annotated[
        bool,
        Field(
            description="Record a past visit (at most 365 days back): no slot check, completed, self_declared"
        ),
    ] = False
    override_no_show_block: Annotated[
        bool, Field(description="Staff: book a patient blocked for no-shows (policies.noShow*; audited)")
    ] = False


def _request(call: Call[BookIn], *, hold: bool = False, allow_overlap: bool = False) -> BookingRequest:
    a = call.args
    extra = a if isinstance(a, CreateIn) else None
    return BookingRequest(
        provider_id=a.doctor_id,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        datebook_id=a.datebook_id,
        datebook_name=a.datebook_name,
        patient_id=a.patient_id,
        patient_name=a.patient_name,
        service_id=a.service_id,
        notes=a.notes,
        allow_overlap=allow_overlap,
        hold=hold,
        retroactive=extra.retroactive if extra else False,
        override_no_show_block=extra.override_no_show_block if extra else False,
        idempotency=call.idem,
    )


async def _create(call: Call[CreateIn]) -> Result:
    booked = await call.app.appointments.book(call.p, _request(call, allow_overlap=call.args.allow_overlap))
    return Result(shapes.appointment(booked), "Booked " + shapes.line(booked))


CREATE_APPOINTMENT = Operation(
    name="create_appointment",
    title="Create appointment",
    description="Book a patient appointment. Reference an existing patient by patient_id (call "
    "find_patients first) or give patient_name to create a new patient record. If ends_at is "
    "omitted it defaults to the service's duration, or 60 minutes. The time must fall within the "
    "doctor's working hours at that datebook and must be free: Frontdesk refuses double bookings "
    "(check with find_available_slots). Not idempotent: calling it twice books twice.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CREATE,
    input=CreateIn,
    output=shapes.AppointmentOut,
    run=_create,
)


async def _hold(call: Call[BookIn]) -> Result:
    held = await call.app.appointments.book(call.p, _request(call, hold=True))
    out = shapes.appointment(held)
    return Result(out, f"Held {shapes.line(held)} until {out.hold_expires_at}; call confirm_appointment")


HOLD_SLOT = Operation(
    name="hold_slot",
    title="Hold slot",
    description="Hold a time for a few minutes (5 by default) while the patient decides: the slot "
    "is busy for everyone else until it is confirmed with confirm_appointment or the hold "
    "expires. Same parameters and checks as create_appointment. Returns the held appointment "
    "with hold_expires_at.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CREATE,
    input=BookIn,
    output=shapes.AppointmentOut,
    run=_hold,
)


class ConfirmIn(Input):
    appointment_id: Annotated[IdType, Field(description="The held or scheduled appointment's ID")]
    idempotency_key: IdempotencyKey = None


async def _confirm(call: Call[ConfirmIn]) -> Result:
    done = await call.app.appointments.confirm(call.p, call.args.appointment_id, call.idem)
    return Result(shapes.appointment(done), "Confirmed " + shapes.line(done))


CONFIRM_APPOINTMENT = Operation(
    name="confirm_appointment",
    title="Confirm appointment",
    description="Turn a held slot (from hold_slot) into a booked appointment, or mark a scheduled "
    "appointment as confirmed by the patient. Fails if the hold has already expired.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CONFIRM,
    input=ConfirmIn,
    output=shapes.AppointmentOut,
    run=_confirm,
)


class UpdateIn(Input):
    appointment_id: Annotated[IdType, Field(description="Appointment ID to update")]
    doctor_id: Annotated[OptionalId, Field(description="Reassign to this doctor")] = None
    starts_at: Annotated[OptionalWhen, Field(description="New start time, ISO 8601")] = None
    ends_at: Annotated[OptionalWhen, Field(description="New end time, ISO 8601")] = None
    notes: Notes = None
    status: Annotated[
        Literal["confirmed", "cancelled"] | None, Field(description="confirmed or cancelled")
    ] = None
    allow_overlap: AllowOverlap = False
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def _change(call: Call[UpdateIn]) -> AppointmentChange:
    a = call.args
    return AppointmentChange(
        appointment_id=a.appointment_id,
        provider_id=a.doctor_id,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        notes=a.notes,
        status=a.status,
        allow_overlap=a.allow_overlap,
        idempotency=call.idem,
    )


async def _update(call: Call[UpdateIn]) -> Result:
    done = await call.app.appointments.update(call.p, _change(call), call.consent)
    return Result(shapes.appointment(done), "Updated " + shapes.line(done))


async def _ask_update(call: Call[UpdateIn]) -> str | None:
    return await call.app.appointments.question(call.p, _change(call))


UPDATE_APPOINTMENT = Operation(
    name="update_appointment",
    title="Update appointment",
    description="Modify an existing appointment: reschedule (starts_at/ends_at; ends_at keeps the "
    "length when omitted), reassign to another doctor, update notes, or set status to confirmed or "
    "cancelled. Call list_appointments first to get the appointment_id. A new time is checked "
    "against working hours and other bookings like a new appointment. Destructive: it can cancel, "
    "which asks the person first (or needs confirm: true once they agreed).",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=UpdateIn,
    output=shapes.AppointmentOut,
    run=_update,
    ask=_ask_update,
)
