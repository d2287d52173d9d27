"""The waitlist: join, list, leave, accept an offered slot. Single operations (the Coordinalo
surface binds them under its names) and one manage operation grouping them on /mcp."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid
from frontdesk.domain.scheduling.waitlist import PRIORITY_MAX, PRIORITY_MIN
from frontdesk.services.operations import (
    CONFIRM,
    CREATE,
    MANAGE,
    READ,
    UPDATE,
    Action,
    Call,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.operations import Id as IdType
from frontdesk.services.scheduling.operations.fields import DatebookId, Notes
from frontdesk.services.scheduling.series_shapes import (
    WaitlistAcceptOut,
    WaitlistEntryOut,
    WaitlistOut,
)
from frontdesk.services.scheduling.shapes import AppointmentOut
from frontdesk.services.scheduling.waitlist_service import JoinRequest

Day = Annotated[str | None, Field(max_length=10, description="ISO 8601 date (YYYY-MM-DD), local")]
HHMM = Annotated[str | None, Field(max_length=5, pattern=r"^\d\d:\d\d$", description="Local HH:MM")]
TimeOfDay = Annotated[
    Literal["morning", "afternoon", "evening"] | None,
    Field(
        description="morning (before 12:00), afternoon (12:00-17:00) or evening (after 17:00); "
        "or give from_time/to_time"
    ),
]
Priority = Annotated[
    int,
    Field(
        ge=PRIORITY_MIN, le=PRIORITY_MAX, description="Higher is served first (default 0); ties by arrival"
    ),
]
EntryId = Annotated[IdType, Field(description="The waitlist entry's id")]
Status = Annotated[
    Literal["waiting", "offered", "booked", "left"] | None,
    Field(description="Only entries in this state (default: waiting and offered)"),
]


class JoinIn(Input):
    patient_id: Annotated[IdType, Field(description="The patient (client) who waits")]
    service_id: Annotated[IdType, Field(description="The service wanted (its duration is the slot's)")]
    doctor_id: Annotated[OptionalId, Field(description="Only this doctor (default: any)")] = None
    datebook_id: DatebookId = None
    from_date: Day = None
    to_date: Day = None
    time_of_day: TimeOfDay = None
    from_time: HHMM = None
    to_time: HHMM = None
    priority: Priority = 0
    notes: Notes = None
    idempotency_key: IdempotencyKey = None


class ListIn(Input):
    patient_id: Annotated[OptionalId, Field(description="Only this patient's entries")] = None
    service_id: Annotated[OptionalId, Field(description="Only entries for this service")] = None
    status: Status = None


class EntryIn(Input):
    entry_id: EntryId
    idempotency_key: IdempotencyKey = None


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be an ISO 8601 date (YYYY-MM-DD)", field=field) from None


def _join_request(call: Call[JoinIn] | Call[ManageWaitlistIn]) -> JoinRequest:
    a = call.args
    return JoinRequest(
        patient_id=a.patient_id or 0,
        service_id=a.service_id or 0,
        provider_id=a.doctor_id,
        datebook_id=a.datebook_id,
        from_date=_day(a.from_date, "from_date"),
        to_date=_day(a.to_date, "to_date"),
        time_of_day=a.time_of_day,
        from_time=a.from_time,
        to_time=a.to_time,
        priority=a.priority,
        notes=a.notes,
        idempotency=call.idem,
    )


def _line(e: WaitlistEntryOut) -> str:
    offer = f"; held {e.offer.start} until {e.offer.expires_at}" if e.offer else ""
    return f"#{e.id} patient {e.patient_id} service {e.service_id} priority {e.priority}: {e.status}{offer}"


async def join(call: Call[JoinIn]) -> Result:
    out = await call.app.waitlist.join(call.p, _join_request(call))
    return Result(out, "On the waitlist: " + _line(out))


async def list_(call: Call[ListIn]) -> Result:
    a = call.args
    out = await call.app.waitlist.list(
        call.p, patient_id=a.patient_id, service_id=a.service_id, status=a.status
    )
    return Result(out, "\n".join(map(_line, out.entries)) or "Nobody is on the waitlist.")


async def leave(call: Call[EntryIn]) -> Result:
    out = await call.app.waitlist.leave(call.p, call.args.entry_id, call.idem)
    return Result(out, "Left the waitlist: " + _line(out))


async def accept(call: Call[EntryIn]) -> Result:
    out = await call.app.waitlist.accept(call.p, call.args.entry_id, call.idem)
    return Result(out, f"Booked {out.appointment.start} for waitlist entry {out.entry.id}")


_WHO = (access.APPOINTMENTS_WRITE,)
_JOIN_TEXT = (
    "Put a patient on the waitlist for a service, optionally a doctor, datebook, date window "
    "(from_date/to_date) and time of day (morning/afternoon/evening or from_time/to_time), with a "
    "priority. When a matching slot frees (a cancellation, an appointment moved away), the first matching "
    "entry by priority, then arrival, gets it held for policies.waitlistHoldMinutes and an offer is recorded."
)

WAITLIST_JOIN = Operation(
    name="waitlist_join",
    title="Join waitlist",
    description=_JOIN_TEXT,
    scopes=_WHO,
    hints=CREATE,
    input=JoinIn,
    output=WaitlistEntryOut,
    run=join,
)
WAITLIST_LIST = Operation(
    name="waitlist_list",
    title="List waitlist",
    description="The waitlist in serving order (priority, then arrival), each entry with the slot held "
    "for it if one was offered. Lapsed offers are passed on first.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=ListIn,
    output=WaitlistOut,
    run=list_,
)
WAITLIST_LEAVE = Operation(
    name="waitlist_leave",
    title="Leave waitlist",
    description="Take an entry off the waitlist; a slot held for it goes to the next matching entry.",
    scopes=_WHO,
    hints=UPDATE,
    input=EntryIn,
    output=WaitlistEntryOut,
    run=leave,
)
WAITLIST_ACCEPT = Operation(
    name="waitlist_accept",
    title="Accept waitlist offer",
    description="The patient takes the slot held for their waitlist entry: the hold becomes a booked "
    "appointment. Fails once the offer lapsed (the slot then went to the next entry).",
    scopes=_WHO,
    hints=CONFIRM,
    input=EntryIn,
    output=WaitlistAcceptOut,
    run=accept,
)


# --- /mcp: one manage tool ----------------------------------------------------------------------


class ManageWaitlistIn(Input):
    action: Literal["join", "list", "leave", "accept"]
    entry_id: Annotated[OptionalId, Field(description="(leave, accept) the entry's id")] = None
    patient_id: Annotated[OptionalId, Field(description="The patient (join; list filter)")] = None
    service_id: Annotated[OptionalId, Field(description="The service (join; list filter)")] = None
    doctor_id: Annotated[OptionalId, Field(description="(join) only this doctor")] = None
    datebook_id: DatebookId = None
    from_date: Day = None
    to_date: Day = None
    time_of_day: TimeOfDay = None
    from_time: HHMM = None
    to_time: HHMM = None
    priority: Priority = 0
    notes: Notes = None
    status: Status = None
    idempotency_key: IdempotencyKey = None


class ManageWaitlistOut(BaseModel):
    action: str
    entries: list[WaitlistEntryOut]
    count: int
    appointment: AppointmentOut | None = Field(default=None, description="(accept) the booked appointment")


async def _m_join(call: Call[ManageWaitlistIn]) -> Result:
    out = await call.app.waitlist.join(call.p, _join_request(call))
    return Result(ManageWaitlistOut(action="join", entries=[out], count=1), "On the waitlist: " + _line(out))


async def _m_list(call: Call[ManageWaitlistIn]) -> Result:
    a = call.args
    out = await call.app.waitlist.list(
        call.p, patient_id=a.patient_id, service_id=a.service_id, status=a.status
    )
    data = ManageWaitlistOut(action="list", entries=out.entries, count=out.count)
    return Result(data, "\n".join(map(_line, out.entries)) or "Nobody is on the waitlist.")


async def _m_leave(call: Call[ManageWaitlistIn]) -> Result:
    out = await call.app.waitlist.leave(call.p, call.args.entry_id or 0, call.idem)
    return Result(
        ManageWaitlistOut(action="leave", entries=[out], count=1), "Left the waitlist: " + _line(out)
    )


async def _m_accept(call: Call[ManageWaitlistIn]) -> Result:
    out = await call.app.waitlist.accept(call.p, call.args.entry_id or 0, call.idem)
    data = ManageWaitlistOut(action="accept", entries=[out.entry], count=1, appointment=out.appointment)
    return Result(data, f"Booked {out.appointment.start} for waitlist entry {out.entry.id}")


_JOIN_FIELDS = (
    "doctor_id",
    "datebook_id",
    "from_date",
    "to_date",
    "time_of_day",
    "from_time",
    "to_time",
    "priority",
    "notes",
)

MANAGE_WAITLIST = Operation(
    name="manage_waitlist",
    title="Manage waitlist",
    description=_JOIN_TEXT + " join: add an entry. list: the waitlist in serving order with held offers. "
    "leave: take an entry off (its held slot passes on). accept: the patient takes the held slot, which "
    "becomes a booked appointment.",
    scopes=(access.APPOINTMENTS_READ, access.APPOINTMENTS_WRITE),
    hints=MANAGE,
    input=ManageWaitlistIn,
    output=ManageWaitlistOut,
    actions={
        "join": Action("join the waitlist", _m_join, ("patient_id", "service_id"), _JOIN_FIELDS),
        "list": Action("list it in serving order", _m_list, (), ("patient_id", "service_id", "status")),
        "leave": Action("leave it", _m_leave, ("entry_id",)),
        "accept": Action("accept the held slot", _m_accept, ("entry_id",)),
    },
)
