"""review_patient_history; and, for the CharmHealth seed only, getPracticeInfo and manageAppointments
(thin over the directory and scheduling services: on Frontdesk's own surface list_datebooks,
list_doctors and the scheduling operations do their jobs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid
from frontdesk.domain.validation import NOTES_MAX
from frontdesk.services import dto
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.dto import History
from frontdesk.services.clinical.operations.common import Moment, PatientId, plain
from frontdesk.services.operations import (
    MANAGE,
    READ,
    Action,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.operations import Id as IdType
from frontdesk.services.scheduling import shapes as sched
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest


class HistoryIn(Input):
    patient_id: Annotated[IdType, Field(description="The patient's id (from find_patients)")]
    units: Annotated[Literal["metric", "us"] | None, Field(description="Vital signs' unit system")] = None
    encounters: Annotated[int, Field(ge=1, le=20, description="How many recent encounters")] = 5


def _history_text(h: History) -> str:
    lines = [f"{h.patient.full_name}, {h.patient.age if h.patient.age is not None else '?'} years"]
    lines.append("Problems: " + (", ".join(f"{d.code} {d.description}" for d in h.problems) or "none"))
    lines.append("Medications: " + (", ".join(m.drug_name for m in h.medications) or "none"))
    lines.append("Allergies: " + (", ".join(a.allergen for a in h.allergies) or "none recorded"))
    if h.latest_vitals:
        signs = h.latest_vitals.measurements
        lines.append("Latest vitals: " + ", ".join(f"{m.kind} {m.value:g} {m.unit}" for m in signs))
    if h.abnormal_labs:
        lines.append("Abnormal labs: " + ", ".join(f"{x.test_name} {x.value}" for x in h.abnormal_labs))
    if h.open_recalls:
        lines.append("Open recalls: " + ", ".join(f"{r.reason} due {r.due_date}" for r in h.open_recalls))
    return "\n".join(lines)


async def _history(call: Call[HistoryIn]) -> Result:
    a = call.args
    h = await call.app.history.review(call.p, a.patient_id, units=a.units, encounters=a.encounters)
    return Result(shapes.HistoryOut(**plain(h)), _history_text(h))


REVIEW_PATIENT_HISTORY = Operation(
    name="review_patient_history",
    title="Review patient history",
    description="Clinicians: the patient's picture in one call: demographics, active problems "
    "(ICD-10-CM), current medications, allergies, the last encounters, the latest vital signs with "
    "each sign's trend, abnormal lab results, open recalls and pinned notes. Use it before a visit "
    "or a decision.",
    scopes=(access.CLINICAL_READ,),
    hints=READ,
    input=HistoryIn,
    output=shapes.HistoryOut,
    run=_history,
)


class NoInput(Input):
    pass


async def _practice(call: Call[NoInput]) -> Result:
    o = await call.app.practice_info.overview(call.p)
    data = shapes.PracticeInfoOut(
        practice_name=o.practice.name,
        timezone=o.practice.timezone,
        facilities=[shapes.Facility(**plain(f)) for f in o.facilities],
        providers=[
            shapes.Provider(id=x.id, uid=x.uid, name=x.name, specialty=x.specialty) for x in o.providers
        ],
        vital_templates=[shapes.Template(**plain(t)) for t in o.templates],
    )
    text = "\n".join(
        [f"{o.practice.name} ({o.practice.timezone})"]
        + [f"facility {f.id}: {f.name} ({f.timezone})" for f in o.facilities]
        + [f"provider {x.id}: {x.name} — {x.specialty}" for x in o.providers]
        + [f"template {t.key}: {t.name}" for t in o.templates]
    )
    return Result(data, text)


GET_PRACTICE_INFO = Operation(
    name="get_practice_info",
    title="Get practice info",
    description="The practice's facilities (locations, with time zones), active providers and vital-sign "
    "templates. Use the ids as facility_id and provider_id in the other tools.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=NoInput,
    output=shapes.PracticeInfoOut,
    run=_practice,
)


class AppointmentsIn(Input):
    action: Literal["list", "find_slots", "add", "update", "cancel"]
    patient_id: PatientId = None
    appointment_id: Annotated[OptionalId, Field(description="The appointment's id")] = None
    facility_id: Annotated[OptionalId, Field(description="Facility (datebook) from get_practice_info")] = None
    provider_id: Annotated[OptionalId, Field(description="Provider from get_practice_info")] = None
    service_id: Annotated[OptionalId, Field(description="Visit type (sets the length)")] = None
    start: Annotated[Moment, Field(description="(list, find_slots) range start, ISO 8601")] = None
    end: Annotated[Moment, Field(description="(list, find_slots) range end, exclusive")] = None
    starts_at: Annotated[Moment, Field(description="(add, update) ISO 8601")] = None
    ends_at: Annotated[Moment, Field(description="(add, update) optional end")] = None
    duration_minutes: Annotated[int | None, Field(ge=5, le=720)] = None
    notes: Annotated[
        str | None, Field(max_length=NOTES_MAX, description=f"Reason for visit (max {NOTES_MAX})")
    ] = None
    status: Annotated[Literal["confirmed"] | None, Field(description="(update) confirm it")] = None
    allow_overlap: Annotated[bool | None, Field(description="Staff only: book over another (recorded)")] = (
        None
    )
    confirm: ConfirmFlag = None
    limit: Annotated[int | None, Field(ge=1, le=200)] = None
    idempotency_key: IdempotencyKey = None


class AppointmentsOut(BaseModel):
    action: str
    appointments: list[sched.AppointmentOut] = Field(default_factory=list)
    slots: list[sched.SlotOut] = Field(default_factory=list)
    count: int
    truncated: bool = False


def _listed(
    call: Call[AppointmentsIn], rows: Sequence[dto.AppointmentInfo], truncated: bool = False
) -> Result:
    out = [sched.appointment(a) for a in rows]
    data = AppointmentsOut(action=call.args.action, appointments=out, count=len(out), truncated=truncated)
    return Result(data, "\n".join(sched.line(a) for a in rows) or "No appointments.")


async def _list(call: Call[AppointmentsIn]) -> Result:
    a, app = call.args, call.app
    if a.patient_id is not None:
        rows = await app.patient_schedule.for_patient(call.p, a.patient_id, start=a.start, end=a.end)
        return _listed(call, [r for r in rows if a.provider_id is None or r.provider_id == a.provider_id])
    if a.facility_id is None or not a.start or not a.end:
        raise Invalid("list needs patient_id, or facility_id with start and end", field="patient_id")
    found, truncated = await app.appointments.in_range(
        call.p, start=a.start, end=a.end, datebook_id=a.facility_id, provider_id=a.provider_id
    )
    return _listed(call, found, truncated)


async def _slots(call: Call[AppointmentsIn]) -> Result:
    a = call.args
    found = await call.app.availability.find(
        call.p,
        start=a.start,
        end=a.end,
        datebook_id=a.facility_id,
        provider_id=a.provider_id,
        service_id=a.service_id,
        duration_minutes=a.duration_minutes,
        limit=a.limit or 50,
    )
    slots = [sched.slot(x) for x in found]
    text = "\n".join(f"{x.start} {x.doctor_name} at {x.datebook_name}" for x in slots)
    return Result(AppointmentsOut(action=a.action, slots=slots, count=len(slots)), text or "No free slots.")


async def _book(call: Call[AppointmentsIn]) -> Result:
    a = call.args
    request = BookingRequest(
        provider_id=a.provider_id or 0,
        starts_at=a.starts_at or "",
        ends_at=a.ends_at,
        datebook_id=a.facility_id,
        patient_id=a.patient_id,
        service_id=a.service_id,
        notes=a.notes,
        allow_overlap=bool(a.allow_overlap),
        idempotency=call.idem,
    )
    return _listed(call, [await call.app.appointments.book(call.p, request)])


def _change(call: Call[AppointmentsIn]) -> AppointmentChange:
    a = call.args
    return AppointmentChange(
        appointment_id=a.appointment_id or 0,
        provider_id=a.provider_id,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        notes=a.notes,
        status="cancelled" if a.action == "cancel" else a.status,
        allow_overlap=bool(a.allow_overlap),
        idempotency=call.idem,
    )


async def _update(call: Call[AppointmentsIn]) -> Result:
    return _listed(call, [await call.app.appointments.update(call.p, _change(call), call.consent)])


async def _ask_cancel(call: Call[AppointmentsIn]) -> str | None:
    return await call.app.appointments.question(call.p, _change(call))


MANAGE_APPOINTMENTS = Operation(
    name="manage_appointments",
    title="Manage appointments",
    description="The appointment lifecycle over Frontdesk's scheduler: list a facility's schedule or a "
    "patient's appointments, find free slots, book (inside working hours, never double-booked), "
    "reschedule or reassign, confirm, and cancel (asks the person first, or needs confirm: true once "
    "they agreed). Times are ISO 8601; without an offset they are read in the facility's time zone.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=MANAGE,
    input=AppointmentsIn,
    output=AppointmentsOut,
    actions={
        "list": Action(
            "a facility's schedule for [start, end) (facility_id, start, end), or a patient's "
            "appointments (patient_id, optionally start and end)",
            _list,
            optional=("facility_id", "patient_id", "provider_id", "start", "end"),
        ),
        "find_slots": Action(
            "free times (default: the next 7 days)",
            _slots,
            optional=(
                "facility_id",
                "provider_id",
                "service_id",
                "start",
                "end",
                "duration_minutes",
                "limit",
            ),
        ),
        "add": Action(
            "book inside working hours without overlap",
            _book,
            ("patient_id", "provider_id", "facility_id", "starts_at"),
            ("ends_at", "service_id", "notes", "allow_overlap"),
        ),
        "update": Action(
            "reschedule, reassign, change notes, or confirm",
            _update,
            ("appointment_id",),
            ("provider_id", "starts_at", "ends_at", "notes", "status", "allow_overlap"),
        ),
        "cancel": Action(
            "cancel (destructive: asks the person first)", _update, ("appointment_id",), ask=_ask_cancel
        ),
    },
)

OPERATIONS = (REVIEW_PATIENT_HISTORY, GET_PRACTICE_INFO, MANAGE_APPOINTMENTS)
