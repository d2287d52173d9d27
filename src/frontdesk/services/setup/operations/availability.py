"""Weekly availability and its exceptions as operations: admin_set_availability (replace a
provider's week), availability_get_provider_schedule, MedCor's appointment slots (weekly blocks),
and manage_availability, all of it grouped under one tool for /mcp."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.operations import (
    CREATE,
    MANAGE,
    READ,
    UPDATE,
    Action,
    Call,
    Id,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.setup.exceptions import Closure
from frontdesk.services.setup.operations.fields import (
    BlockIn,
    Blocks,
    Day,
    LocationId,
    Moment,
    ProviderId,
    TenantId,
    Time,
    own_tenant,
)
from frontdesk.services.setup.schedules import Block
from frontdesk.services.setup.shapes import ScheduleOut

SETUP_READ = (access.APPOINTMENTS_READ, access.ADMIN)


def _blocks(items: list[BlockIn] | None) -> list[Block]:
    return [Block(day=b.day, start=b.start, end=b.end) for b in items or []]


def describe(s: ScheduleOut) -> str:
    lines = [f"{s.provider_name}:"] if s.provider_name else []
    for loc in s.locations:
        week = ", ".join(f"{b.day[:3]} {b.start}-{b.end}" for b in loc.blocks) or "no hours"
        pauses = ", ".join(f"{b.day[:3]} {b.start}-{b.end}" for b in loc.breaks)
        lines.append(
            f"{loc.location_name} ({loc.timezone}): {week}" + (f"; breaks {pauses}" if pauses else "")
        )
    for e in s.exceptions:
        when = e.day or e.start
        what = "closed" if e.closed else f"open {e.start}-{e.end}"
        lines.append(f"{e.id} {e.kind} {when}: {what}{' — ' + e.reason if e.reason else ''}")
    return "\n".join(lines) or "No weekly hours or exceptions."


class SetAvailabilityIn(Input):
    provider_id: Annotated[Id, Field(description="Provider id (from admin_list_providers)")]
    schedule: Annotated[
        list[BlockIn],
        Field(max_length=50, description="The whole week: blocks of day name and HH:MM start/end"),
    ]
    breaks: Blocks = None
    location_id: LocationId = None
    idempotency_key: IdempotencyKey = None


async def _set(call: Call[SetAvailabilityIn]) -> Result:
    a = call.args
    out = await call.app.setup.schedules.set_weekly(
        call.p, a.provider_id, _blocks(a.schedule), _blocks(a.breaks), a.location_id, call.idem
    )
    return Result(out, describe(out))


SET_AVAILABILITY = Operation(
    name="admin_set_availability",
    title="Set Availability (Admin)",
    description="Owners and admins: replace a provider's weekly schedule at a location (not additive: "
    "it overwrites every block there). Days are names (monday..sunday), times HH:MM in the location's "
    "time zone; breaks lie inside a day's blocks. An empty schedule clears it. Get the provider id "
    "from admin_list_providers.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=SetAvailabilityIn,
    output=ScheduleOut,
    run=_set,
)


class ScheduleIn(Input):
    provider_id: Annotated[Id, Field(description="Provider id (from admin_list_providers)")]
    tenant_id: TenantId = None


async def _get(call: Call[ScheduleIn]) -> Result:
    own_tenant(call)
    out = await call.app.setup.schedules.get(call.p, call.args.provider_id)
    return Result(out, describe(out))


GET_SCHEDULE = Operation(
    name="availability_get_provider_schedule",
    title="Get Provider Schedule",
    description="A provider's configured weekly schedule per location (blocks and breaks, not free "
    "slots) and the exceptions of the next 90 days: time off, one-day overrides, practice-wide "
    "closures. Use admin_set_availability to change it.",
    scopes=SETUP_READ,
    hints=READ,
    input=ScheduleIn,
    output=ScheduleOut,
    run=_get,
)


class AddBlockIn(Input):
    provider_id: Annotated[Id, Field(description="Doctor id (from list_doctors)")]
    day: Annotated[str, Field(min_length=3, max_length=9, description="Day of the week: monday .. sunday")]
    start: Time
    end: Time
    location_id: LocationId = None
    idempotency_key: IdempotencyKey = None


async def _add_block(call: Call[AddBlockIn]) -> Result:
    a = call.args
    out = await call.app.setup.schedules.add_block(
        call.p, a.provider_id, Block(day=a.day, start=a.start, end=a.end), a.location_id, call.idem
    )
    return Result(out, describe(out))


ADD_BLOCK = Operation(
    name="create_appointment_slot",
    title="Create appointment slot",
    description="Owners and admins: add one weekly block of bookable time to a doctor's schedule "
    "(every given day of the week, HH:MM start to end in the location's time zone). It adds to the "
    "schedule; a block overlapping an existing one that day is refused.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=AddBlockIn,
    output=ScheduleOut,
    run=_add_block,
)


class SlotsIn(Input):
    provider_id: Annotated[
        OptionalId, Field(description="Doctor id (from list_doctors); all doctors without")
    ] = None
    day: Annotated[Day, Field(description="Only the blocks of this date's weekday (YYYY-MM-DD)")] = None


class SlotsOut(BaseModel):
    schedules: list[ScheduleOut]
    count: int = Field(description="Weekly blocks listed")


async def _slots(call: Call[SlotsIn]) -> Result:
    a = call.args
    rows = await call.app.setup.schedules.weekly_blocks(call.p, a.provider_id, a.day)
    count = sum(len(loc.blocks) for r in rows for loc in r.locations)
    return Result(
        SlotsOut(schedules=rows, count=count), "\n".join(map(describe, rows)) or "No appointment slots."
    )


LIST_SLOTS = Operation(
    name="list_appointment_slots",
    title="List appointment slots",
    description="The doctors' weekly appointment slots (blocks of bookable time per day of the week, "
    "per location), for one doctor or all, optionally only a date's weekday. Free times for booking "
    "come from the booking tools.",
    scopes=SETUP_READ,
    hints=READ,
    input=SlotsIn,
    output=SlotsOut,
    run=_slots,
)


# --- manage_availability (/mcp) -----------------------------------------------------------------


class ManageAvailabilityIn(Input):
    action: Literal[
        "get_schedule",
        "set_weekly",
        "add_block",
        "add_time_off",
        "set_day_override",
        "add_closure",
        "list_exceptions",
        "remove_exception",
    ]
    provider_id: ProviderId = None
    location_id: LocationId = None
    schedule: Blocks = None
    breaks: Blocks = None
    weekday: Annotated[str | None, Field(max_length=9, description="(add_block) monday .. sunday")] = None
    day: Day = None
    last_day: Annotated[Day, Field(description="(add_closure) last day of a closure of several days")] = None
    start: Annotated[
        Moment, Field(description="ISO 8601 (time off, list_exceptions) or HH:MM (override, closure)")
    ] = None
    end: Moment = None
    open_only: Annotated[
        bool | None, Field(description="(add_closure) true: open only between start and end that day")
    ] = None
    reason: Annotated[str | None, Field(max_length=255)] = None
    exception_id: Annotated[
        str | None, Field(max_length=40, description="e.g. timeoff:3 (from list_exceptions)")
    ] = None
    idempotency_key: IdempotencyKey = None


class ManagedAvailability(ScheduleOut):
    action: str


def _managed(call: Call[ManageAvailabilityIn], out: ScheduleOut) -> Result:
    return Result(ManagedAvailability(action=call.args.action, **out.model_dump()), describe(out))


async def _m_get(call: Call[ManageAvailabilityIn]) -> Result:
    return _managed(call, await call.app.setup.schedules.get(call.p, call.args.provider_id or 0))


async def _m_set(call: Call[ManageAvailabilityIn]) -> Result:
    a = call.args
    week = None if a.schedule is None else _blocks(a.schedule)  # omitted: the practice's default hours
    out = await call.app.setup.schedules.set_weekly(
        call.p, a.provider_id or 0, week, _blocks(a.breaks), a.location_id, call.idem
    )
    return _managed(call, out)


async def _m_block(call: Call[ManageAvailabilityIn]) -> Result:
    a = call.args
    block = Block(day=a.weekday or "", start=a.start or "", end=a.end or "")
    out = await call.app.setup.schedules.add_block(
        call.p, a.provider_id or 0, block, a.location_id, call.idem
    )
    return _managed(call, out)


async def _m_off(call: Call[ManageAvailabilityIn]) -> Result:
    a = call.args
    out = await call.app.setup.exceptions.add_time_off(
        call.p, a.provider_id or 0, a.start or "", a.end or "", a.reason, call.idem
    )
    return _managed(call, out)


async def _m_override(call: Call[ManageAvailabilityIn]) -> Result:
    a = call.args
    out = await call.app.setup.exceptions.set_override(
        call.p, a.provider_id or 0, a.day or "", a.start, a.end, a.location_id, call.idem
    )
    return _managed(call, out)


async def _m_closure(call: Call[ManageAvailabilityIn]) -> Result:
    a = call.args
    c = Closure(
        day=a.day or "",
        last_day=a.last_day,
        location_id=a.location_id,
        start=a.start,
        end=a.end,
        open_only=bool(a.open_only),
        reason=a.reason,
    )
    return _managed(call, await call.app.setup.exceptions.add_closure(call.p, c, call.idem))


async def _m_list(call: Call[ManageAvailabilityIn]) -> Result:
    a = call.args
    return _managed(call, await call.app.setup.exceptions.exceptions(call.p, a.provider_id, a.start, a.end))


async def _m_remove(call: Call[ManageAvailabilityIn]) -> Result:
    out = await call.app.setup.exceptions.remove_exception(call.p, call.args.exception_id or "", call.idem)
    return _managed(call, out)


MANAGE_AVAILABILITY = Operation(
    name="manage_availability",
    title="Manage availability",
    description="Providers' weekly hours and their exceptions. Any staff may read (get_schedule, "
    "list_exceptions); owners and admins change them: set_weekly replaces a provider's week at a "
    "location (day names, HH:MM, breaks inside the blocks); add_block adds one weekly block; "
    "add_time_off blocks an ISO 8601 range for "
    "one provider; set_day_override gives one provider one day's hours (no times: off that day); "
    "add_closure is practice-wide (all locations, or location_id): a holiday with no times, a closed "
    "window with start/end, or open_only hours; remove_exception undoes one. Free slots honour all of it.",
    scopes=SETUP_READ,
    hints=MANAGE,
    input=ManageAvailabilityIn,
    output=ManagedAvailability,
    actions={
        "get_schedule": Action("a provider's week and coming exceptions", _m_get, ("provider_id",)),
        "set_weekly": Action(
            "replace a provider's week at a location (schedule omitted: the practice's default hours, "
            "settings chapter availability)",
            _m_set,
            ("provider_id",),
            ("schedule", "breaks", "location_id"),
        ),
        "add_block": Action(
            "one more weekly block (HH:MM start and end)",
            _m_block,
            ("provider_id", "weekday", "start", "end"),
            ("location_id",),
        ),
        "add_time_off": Action(
            "time off for a provider", _m_off, ("provider_id", "start", "end"), ("reason",)
        ),
        "set_day_override": Action(
            "one day's hours for a provider",
            _m_override,
            ("provider_id", "day"),
            ("start", "end", "location_id"),
        ),
        "add_closure": Action(
            "practice-wide holiday, closed window or open-only hours",
            _m_closure,
            ("day",),
            ("last_day", "location_id", "start", "end", "open_only", "reason"),
        ),
        "list_exceptions": Action(
            "time off, overrides and closures", _m_list, (), ("provider_id", "start", "end")
        ),
        "remove_exception": Action("remove one exception", _m_remove, ("exception_id",)),
    },
)
