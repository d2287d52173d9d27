"""The schedule and free slots."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.operations import (
    READ,
    Call,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.scheduling import shapes
from frontdesk.services.scheduling.availability import MAX_SLOTS
from frontdesk.services.scheduling.operations.fields import (
    DatebookId,
    DatebookName,
    OptionalWhen,
    When,
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
