"""Recurring series: created from a frequency or an RFC 5545 RRULE, read, cancelled one / this and
following / all. Single operations (the Coordinalo surface binds them under its names) and one
manage operation grouping them on /mcp."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.operations import (
    CREATE,
    MANAGE,
    UPDATE,
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
from frontdesk.services.scheduling.operations.fields import DatebookId, Notes, OptionalWhen, When
from frontdesk.services.scheduling.recurrence import MAX_INTERVAL, MAX_OCCURRENCES, RULE_MAX
from frontdesk.services.scheduling.series import SeriesCancel, SeriesRequest
from frontdesk.services.scheduling.series_shapes import SeriesCancelOut, SeriesOut

Frequency = Annotated[
    Literal["weekly", "biweekly", "monthly"] | None,
    Field(description="weekly, biweekly or monthly; or give rrule instead"),
]
Rrule = Annotated[
    str | None,
    Field(
        max_length=RULE_MAX,
        description="An RFC 5545 RRULE instead of frequency, e.g. FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10 "
        "(daily or less often; no DTSTART: the first occurrence is starts_at)",
    ),
]
Interval = Annotated[int | None, Field(ge=1, le=MAX_INTERVAL, description="Every n-th period (default 1)")]
Count = Annotated[
    int | None,
    Field(ge=1, le=MAX_OCCURRENCES, description=f"How many occurrences (at most {MAX_OCCURRENCES})"),
]
Until = Annotated[
    OptionalWhen,
    Field(description="Last day (ISO 8601 date, inclusive) or date-time; instead of count"),
]
OnConflict = Annotated[
    Literal["skip", "none"],
    Field(
        description="When some occurrences cannot be booked (busy, outside hours, time off, past): "
        "skip books the free ones and reports the others; none (default) books nothing and reports them all"
    ),
]
SeriesId = Annotated[IdType, Field(description="The series' id (from creating it)")]
Scope = Annotated[
    Literal["one", "following", "all"],
    Field(description="one: that occurrence; following: it and the later ones; all: every one not yet begun"),
]
OccurrenceId = Annotated[
    OptionalId, Field(description="The occurrence's appointment id (for scope one or following)")
]


class CreateSeriesIn(Input):
    patient_id: Annotated[IdType, Field(description="The patient (client) every occurrence is for")]
    doctor_id: Annotated[IdType, Field(description="The doctor (provider) of every occurrence")]
    starts_at: Annotated[
        When,
        Field(
            description="The first occurrence, ISO 8601; without an offset it is "
            "read in the datebook's time zone, and every occurrence keeps that "
            "local time of day"
        ),
    ]
    service_id: Annotated[OptionalId, Field(description="The service (its duration sets each length)")] = None
    datebook_id: DatebookId = None
    frequency: Frequency = None
    rrule: Rrule = None
    interval: Interval = None
    count: Count = None
    until: Until = None
    on_conflict: OnConflict = "none"
    notes: Notes = None
    idempotency_key: IdempotencyKey = None


class CancelSeriesIn(Input):
    series_id: SeriesId
    scope: Scope
    appointment_id: OccurrenceId = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def _request(call: Call[CreateSeriesIn]) -> SeriesRequest:
    a = call.args
    return SeriesRequest(
        patient_id=a.patient_id,
        provider_id=a.doctor_id,
        starts_at=a.starts_at,
        service_id=a.service_id,
        datebook_id=a.datebook_id,
        frequency=a.frequency,
        rrule=a.rrule,
        interval=a.interval,
        count=a.count,
        until=a.until,
        on_conflict=a.on_conflict,
        notes=a.notes,
        idempotency=call.idem,
    )


def _cancel_request(call: Call[CancelSeriesIn]) -> SeriesCancel:
    a = call.args
    return SeriesCancel(a.series_id, a.scope, a.appointment_id, call.idem)


def _summary(out: SeriesOut) -> str:
    head = f"Series {out.series_id} ({out.rule}, {out.timezone}): "
    lines = [head + f"{out.booked} booked, {out.conflicts} not booked"]
    lines += [
        f"#{o.position} {o.start} {o.status}" + (f" ({o.reason}: {o.message})" if o.reason else "")
        for o in out.occurrences
    ]
    return "\n".join(lines)


async def create(call: Call[CreateSeriesIn]) -> Result:
    out = await call.app.series.create(call.p, _request(call))
    return Result(out, _summary(out))


async def cancel(call: Call[CancelSeriesIn]) -> Result:
    out = await call.app.series.cancel(call.p, _cancel_request(call), call.consent)
    text = f"Cancelled {len(out.cancelled_appointment_ids)} appointment(s) of series {out.series_id}"
    return Result(out, text)


async def ask_cancel(call: Call[CancelSeriesIn]) -> str | None:
    return await call.app.series.question(call.p, _cancel_request(call))


# What every surface says about creating a series beyond its own first sentence.
CREATE_DETAILS = (
    "Give frequency (weekly, biweekly, monthly) with interval, or an RFC 5545 RRULE, and count or until. "
    "Occurrences are expanded in the datebook's local time, so 10:00 stays 10:00 across daylight-saving "
    "changes. Each is checked like a single booking (working hours, time off, no double booking); "
    "conflicts are reported per occurrence, and on_conflict chooses: skip books the free ones, none "
    "(default) books nothing."
)

CREATE_RECURRING = Operation(
    name="create_recurring_appointments",
    title="Create recurring appointments",
    description="Book a recurring series (e.g. weekly therapy): one series id, each occurrence its own "
    f"appointment, at most {MAX_OCCURRENCES}. " + CREATE_DETAILS,
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CREATE,
    input=CreateSeriesIn,
    output=SeriesOut,
    run=create,
)

CANCEL_RECURRING = Operation(
    name="cancel_recurring_appointments",
    title="Cancel recurring appointments",
    description="Cancel occurrences of a recurring series: one, this and the following ones, or all not "
    "yet begun. Destructive: asks the person first (or needs confirm: true once they agreed). Freed "
    "times go to the waitlist.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=CancelSeriesIn,
    output=SeriesCancelOut,
    run=cancel,
    ask=ask_cancel,
)


# --- /mcp: one manage tool ----------------------------------------------------------------------


class ManageSeriesIn(Input):
    action: Literal["create", "get", "cancel"]
    series_id: Annotated[OptionalId, Field(description="The series' id (get, cancel)")] = None
    patient_id: Annotated[OptionalId, Field(description="(create) the patient")] = None
    doctor_id: Annotated[OptionalId, Field(description="(create) the doctor (from list_doctors)")] = None
    starts_at: Annotated[
        OptionalWhen,
        Field(description="(create) the first occurrence, ISO 8601; its local time of day is kept"),
    ] = None
    service_id: Annotated[OptionalId, Field(description="(create) the service (from list_services)")] = None
    datebook_id: DatebookId = None
    frequency: Frequency = None
    rrule: Rrule = None
    interval: Interval = None
    count: Count = None
    until: Until = None
    on_conflict: OnConflict = "none"
    notes: Notes = None
    scope: Annotated[
        Literal["one", "following", "all"] | None,
        Field(description="(cancel) one, following (it and later ones) or all not yet begun"),
    ] = None
    appointment_id: OccurrenceId = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


class ManageSeriesOut(BaseModel):
    action: str
    series: SeriesOut
    cancelled_appointment_ids: list[int] | None = None


async def _m_create(call: Call[ManageSeriesIn]) -> Result:
    a = call.args
    inner = CreateSeriesIn.model_construct(
        **{f: getattr(a, f) for f in CreateSeriesIn.model_fields if f != "idempotency_key"},
        idempotency_key=a.idempotency_key,
    )
    out = await call.app.series.create(call.p, _request(_as(call, inner)))
    return Result(ManageSeriesOut(action="create", series=out), _summary(out))


async def _m_get(call: Call[ManageSeriesIn]) -> Result:
    out = await call.app.series.get(call.p, call.args.series_id or 0)
    return Result(ManageSeriesOut(action="get", series=out), _summary(out))


def _m_cancel_request(call: Call[ManageSeriesIn]) -> SeriesCancel:
    a = call.args
    return SeriesCancel(a.series_id or 0, a.scope or "one", a.appointment_id, call.idem)


async def _m_cancel(call: Call[ManageSeriesIn]) -> Result:
    out = await call.app.series.cancel(call.p, _m_cancel_request(call), call.consent)
    data = ManageSeriesOut(
        action="cancel", series=out.series, cancelled_appointment_ids=out.cancelled_appointment_ids
    )
    return Result(
        data, f"Cancelled {len(out.cancelled_appointment_ids)} appointment(s) of series {out.series_id}"
    )


async def _m_ask_cancel(call: Call[ManageSeriesIn]) -> str | None:
    return await call.app.series.question(call.p, _m_cancel_request(call))


def _as(call: Call[ManageSeriesIn], args: CreateSeriesIn) -> Call[CreateSeriesIn]:
    return Call(call.app, call.p, args, call.operation, call.action, call.consent)


_CREATE_FIELDS = (
    "datebook_id",
    "service_id",
    "frequency",
    "rrule",
    "interval",
    "count",
    "until",
    "on_conflict",
    "notes",
)

MANAGE_RECURRING = Operation(
    name="manage_recurring_appointments",
    title="Manage recurring appointments",
    description="Recurring series (e.g. weekly therapy), at most "
    f"{MAX_OCCURRENCES} occurrences, each its own appointment under one series id. create: from "
    "frequency (weekly, biweekly, monthly) and interval, or an RFC 5545 RRULE, with count or until; "
    "expanded in the datebook's local time (10:00 stays 10:00 across daylight-saving changes); each "
    "occurrence checked like create_appointment; conflicts reported per occurrence, on_conflict skip "
    "books the free ones, none (default) books nothing. get: the series and its appointments. cancel: "
    "one, following or all (destructive: asks the person, or confirm: true).",
    scopes=(access.APPOINTMENTS_READ, access.APPOINTMENTS_WRITE),
    hints=MANAGE,
    input=ManageSeriesIn,
    output=ManageSeriesOut,
    actions={
        "create": Action(
            "book a series", _m_create, ("patient_id", "doctor_id", "starts_at"), _CREATE_FIELDS
        ),
        "get": Action("read a series", _m_get, ("series_id",)),
        "cancel": Action(
            "cancel one, following or all",
            _m_cancel,
            ("series_id", "scope"),
            ("appointment_id",),
            ask=_m_ask_cancel,
        ),
    },
)
