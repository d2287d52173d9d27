"""The scheduling operations: datebooks, doctors, services, the schedule, free slots, booking,
hold-then-confirm; plus the Odonto.me seed's name-only patient search."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.validation import NAME_MAX, NOTES_MAX
from frontdesk.services.operations import (
    CONFIRM,
    CREATE,
    READ,
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
from frontdesk.services.scheduling.availability import MAX_SLOTS

DatebookId = Annotated[OptionalId, Field(description="Datebook ID (from list_datebooks)")]
DatebookName = Annotated[
    str | None, Field(max_length=NAME_MAX, description="Datebook name, alternative to datebook_id")
]
Notes = Annotated[
    str | None, Field(max_length=NOTES_MAX, description=f"Reason for visit (max {NOTES_MAX} characters)")
]
When = Annotated[
    str,
    Field(max_length=40, description="ISO 8601; without an offset it is read in the datebook's time zone"),
]
OptionalWhen = Annotated[str | None, Field(max_length=40)]
AllowOverlap = Annotated[
    bool,
    Field(description="Staff only: book even though the doctor already has an appointment then (recorded)"),
]
Filter = Annotated[str | None, Field(max_length=NAME_MAX)]


class NoInput(Input):
    pass


# --- the directory ----------------------------------------------------------------------------


async def _datebooks(call: Call[NoInput]) -> Result:
    rows = await call.app.directory.list_datebooks(call.p)
    data = shapes.DatebookList(
        datebooks=[shapes.DatebookOut(id=d.id, name=d.name, timezone=d.timezone) for d in rows]
    )
    return Result(data, "\n".join(f"{d.id}: {d.name} ({d.timezone})" for d in rows) or "No datebooks.")


LIST_DATEBOOKS = Operation(
    name="list_datebooks",
    title="List datebooks",
    description="List the practice's datebooks (appointment calendars, usually one per clinic location) "
    "with their time zones. Call this first: list_appointments, create_appointment and "
    "find_available_slots need a datebook_id or datebook_name.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=NoInput,
    output=shapes.DatebookList,
    run=_datebooks,
)


class DoctorsIn(Input):
    name: Annotated[Filter, Field(description="Part of the doctor's name (accents and case ignored)")] = None
    specialty: Annotated[Filter, Field(description="Specialty, e.g. Orthodontist")] = None
    city: Annotated[Filter, Field(description="City of practice")] = None


async def _doctors(call: Call[DoctorsIn]) -> Result:
    a = call.args
    if a.name or a.specialty or a.city:
        rows = await call.app.directory.search_providers(
            call.p, name=a.name, specialty=a.specialty, city=a.city
        )
    else:
        rows = await call.app.directory.list_providers(call.p)
    data = shapes.DoctorList(
        doctors=[shapes.DoctorOut(id=r.id, uid=r.uid, name=r.name, speciality=r.specialty) for r in rows]
    )
    return Result(data, "\n".join(f"{r.id}: {r.name} — {r.specialty}" for r in rows) or "No doctors.")


LIST_DOCTORS = Operation(
    name="list_doctors",
    title="List doctors",
    description="List all active dentists and specialists with their ID, UID and specialty, optionally "
    "only those matching a name, specialty or city. Use the id as doctor_id when listing, searching "
    "slots or booking.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=DoctorsIn,
    output=shapes.DoctorList,
    run=_doctors,
)


async def _services(call: Call[NoInput]) -> Result:
    rows = await call.app.directory.list_services(call.p)
    data = shapes.ServiceList(
        services=[
            shapes.ServiceOut(
                id=r.id,
                name=r.name,
                duration_minutes=r.duration_minutes,
                price=f"{r.price_cents / 100:.2f} {r.currency}",
                buffer_before_minutes=r.buffer_before_minutes,
                buffer_after_minutes=r.buffer_after_minutes,
            )
            for r in rows
        ]
    )
    text = "\n".join(f"{r.id}: {r.name} ({r.duration_minutes} min)" for r in rows) or "No services."
    return Result(data, text)


LIST_SERVICES = Operation(
    name="list_services",
    title="List services",
    description="List the services (visit types) with duration, price and buffers. Pass a service_id "
    "to find_available_slots or create_appointment so the right length is booked.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=NoInput,
    output=shapes.ServiceList,
    run=_services,
)


# --- the schedule -----------------------------------------------------------------------------


class AppointmentsIn(Input):
    start: Annotated[When, Field(description="Range start, ISO 8601 (a date alone means midnight)")]
    end: Annotated[When, Field(description="Range end (exclusive), ISO 8601")]
    datebook_id: DatebookId = None
    datebook_name: DatebookName = None
    doctor_id: Annotated[OptionalId, Field(description="Only this doctor's appointments")] = None
    patient_id: Annotated[
        OptionalId, Field(description="Only this patient's appointments (then the datebook is optional)")
    ] = None


async def _appointments(call: Call[AppointmentsIn]) -> Result:
    a = call.args
    truncated = False
    if a.patient_id is not None:
        rows = await call.app.patient_schedule.for_patient(call.p, a.patient_id, start=a.start, end=a.end)
        rows = [
            r
            for r in rows
            if (a.doctor_id is None or r.provider_id == a.doctor_id)
            and (a.datebook_id is None or r.datebook_id == a.datebook_id)
            and (not a.datebook_name or r.datebook_name.casefold() == a.datebook_name.strip().casefold())
        ]
    else:
        rows, truncated = await call.app.appointments.in_range(
            call.p,
            start=a.start,
            end=a.end,
            datebook_id=a.datebook_id,
            datebook_name=a.datebook_name,
            provider_id=a.doctor_id,
        )
    text = "\n".join(shapes.line(x) for x in rows) or "No appointments in that range."
    if truncated:
        text += f"\n(only the first {len(rows)} shown; narrow the range)"
    return Result(shapes.appointment_list(rows, truncated), text)


LIST_APPOINTMENTS = Operation(
    name="list_appointments",
    title="List appointments",
    description="Query a datebook's schedule for a date range: who is coming in today, what is booked "
    "next week; or, with patient_id and no datebook, one patient's appointments. Times are ISO 8601 in "
    "the datebook's time zone unless they carry an offset. Limits: the range may span at most 90 days "
    "and at most 500 appointments are returned (truncated=true says there were more). To find free "
    "time, use find_available_slots instead.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=AppointmentsIn,
    output=shapes.AppointmentList,
    run=_appointments,
)


class SlotsIn(Input):
    datebook_id: DatebookId = None
    datebook_name: DatebookName = None
    doctor_id: Annotated[OptionalId, Field(description="Only this doctor")] = None
    service_id: Annotated[OptionalId, Field(description="Service (sets duration and buffers)")] = None
    start: Annotated[OptionalWhen, Field(description="From (ISO 8601 date or date-time); default now")] = None
    end: Annotated[OptionalWhen, Field(description="Until (ISO 8601); default start + 7 days")] = None
    duration_minutes: Annotated[int | None, Field(ge=5, le=720, description="Length without service")] = None
    limit: Annotated[int, Field(ge=1, le=MAX_SLOTS, description="Maximum slots returned")] = 50


async def _slots(call: Call[SlotsIn]) -> Result:
    a = call.args
    rows = await call.app.availability.find(
        call.p,
        start=a.start,
        end=a.end,
        datebook_id=a.datebook_id,
        datebook_name=a.datebook_name,
        provider_id=a.doctor_id,
        service_id=a.service_id,
        duration_minutes=a.duration_minutes,
        limit=a.limit,
    )
    data = shapes.slot_list(rows)
    text = (
        "\n".join(f"{x['start']} {x['doctor_name']} at {x['datebook_name']}" for x in data["slots"])
        or "No free slots in that range."
    )
    return Result(data, text)


FIND_AVAILABLE_SLOTS = Operation(
    name="find_available_slots",
    title="Find available slots",
    description="Find free appointment slots: working hours minus breaks, time off and existing "
    "bookings (with service buffers), on a 15-minute grid, correct across daylight-saving changes. "
    "Filter by datebook, doctor and service (the service sets the length; otherwise "
    "duration_minutes, default 30). Range defaults to the next 7 days, at most 90 days; at most "
    "`limit` slots (max 200), earliest first. Then book with create_appointment, or hold_slot "
    "while the patient decides.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=SlotsIn,
    output=shapes.SlotList,
    run=_slots,
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


def _request(call: Call[BookIn], *, hold: bool = False, allow_overlap: bool = False) -> BookingRequest:
    a = call.args
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


# --- the Odonto.me patient search (names and ids only) -----------------------------------------


class SearchPatientsIn(Input):
    query: Annotated[
        str, Field(min_length=1, max_length=NAME_MAX, description="Patient name or UID to search for")
    ]


async def _search_patients(call: Call[SearchPatientsIn]) -> Result:
    rows = await call.app.patients.search(call.p, call.args.query)
    data = shapes.PatientList(
        patients=[
            shapes.PatientOut(id=r.id, uid=r.uid, firstname=r.first_name, lastname=r.last_name) for r in rows
        ],
        count=len(rows),
    )
    return Result(data, "\n".join(f"{r.id}: {r.full_name} ({r.uid})" for r in rows) or "No patient matches.")


SEARCH_PATIENTS = Operation(
    name="search_patients",
    title="Search patients",
    description="Search the patient directory by name (any part, accents and case ignored) or by "
    "patient UID. Use it to find the patient_id before booking. Returns at most 25 patients and "
    "only names and IDs, never contact or clinical details.",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=SearchPatientsIn,
    output=shapes.PatientList,
    run=_search_patients,
)

OPERATIONS = (
    LIST_DATEBOOKS,
    LIST_DOCTORS,
    LIST_SERVICES,
    LIST_APPOINTMENTS,
    FIND_AVAILABLE_SLOTS,
    CREATE_APPOINTMENT,
    UPDATE_APPOINTMENT,
    HOLD_SLOT,
    CONFIRM_APPOINTMENT,
    SEARCH_PATIENTS,
)
