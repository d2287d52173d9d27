"""Frontdesk's own bookings tools on /mcp: one appointment with everything about it, its lifecycle
(state, history, transition: check-in for the front desk, start, complete, no-show, document ...)
as one manage tool, and the booking stats report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid
from frontdesk.services.operations import (
    MANAGE,
    READ,
    Action,
    Call,
    ConfirmFlag,
    Id,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)
from frontdesk.services.scheduling import booking_shapes as bs
from frontdesk.services.scheduling import shapes
from frontdesk.services.scheduling.lifecycle import HISTORY_MAX, TransitionRequest
from frontdesk.services.scheduling.operations.servicialo import ToState, Verb

AppointmentId = Annotated[Id, Field(description="The appointment's ID (from list_appointments)")]


class GetIn(Input):
    appointment_id: AppointmentId


async def _get(call: Call[GetIn]) -> Result:
    info = await call.app.bookings.get(call.p, call.args.appointment_id)
    return Result(bs.booking(info), shapes.line(info.appointment))


GET_APPOINTMENT = Operation(
    name="get_appointment",
    title="Get appointment",
    description="One appointment with everything about it: patient, doctor, service and price, "
    "datebook, time, lifecycle status (and FHIR status), whose no-show it was, a late cancel's "
    "penalty, provenance (self_declared for a retroactive session), rescheduling links, and how the "
    "doctor was assigned. appointment_lifecycle shows its transitions.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=GetIn,
    output=bs.BookingOut,
    run=_get,
)


class LifecycleIn(Input):
    action: Annotated[Literal["state", "history", "transition"], Field()]
    appointment_id: AppointmentId
    to_state: Annotated[ToState | None, Field(description="Target state (or give step)")] = None
    step: Annotated[Verb | None, Field(description="The lifecycle verb (or give to_state)")] = None
    no_show_type: Annotated[
        Literal["client", "provider"] | None, Field(description="Whose no-show (required for no_show)")
    ] = None
    reason: Annotated[str | None, Field(max_length=200, description="Why (kept with the transition)")] = None
    cursor: Annotated[int | None, Field(ge=0, le=2**63 - 1, description="next_cursor of the last page")] = (
        None
    )
    limit: Annotated[int, Field(ge=1, le=HISTORY_MAX, description="Transitions per page")] = 50
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


async def _state(call: Call[LifecycleIn]) -> Result:
    x = await call.app.lifecycle.state(call.p, call.args.appointment_id)
    allowed = ", ".join(f"{k} -> {v}" for k, v in x.available_transitions.items()) or "none"
    return Result(bs.state(x), f"#{x.appointment_id} is {x.current_state}; allowed now: {allowed}")


async def _history(call: Call[LifecycleIn]) -> Result:
    a = call.args
    h = await call.app.lifecycle.history(call.p, a.appointment_id, cursor=a.cursor, limit=a.limit)
    data = bs.history(h)
    text = "\n".join(
        f"{t['at']} {t['from']} -> {t['to']} by {t['by']} ({t['method']})" for t in data["events"]
    )
    return Result(data, text or "No transitions.")


def _request(call: Call[LifecycleIn]) -> TransitionRequest:
    a = call.args
    if a.to_state is None and a.step is None:
        raise Invalid("give to_state or step", field="to_state")
    return TransitionRequest(
        a.appointment_id, a.to_state, a.step, a.no_show_type, a.reason, idempotency=call.idem
    )


async def _transition(call: Call[LifecycleIn]) -> Result:
    x = await call.app.lifecycle.transition(call.p, _request(call), call.consent)
    return Result(bs.state(x), f"#{x.appointment_id} is now {x.current_state}")


async def _ask(call: Call[LifecycleIn]) -> str | None:
    a = call.args
    if a.step != "cancel" and a.to_state != "cancelled":
        return None
    info = await call.app.bookings.get(call.p, a.appointment_id)
    return f"Cancel {shapes.line(info.appointment)}? The cancellation policy applies."


APPOINTMENT_LIFECYCLE = Operation(
    name="appointment_lifecycle",
    title="Appointment lifecycle",
    description="An appointment's lifecycle (requested, pending_confirmation, held, scheduled, "
    "confirmed, checked_in, in_progress, completed, documented; cancelled, no_show, "
    "entered_in_error): its state and the steps allowed now, its recorded transitions (from, to, at, "
    "by, method manual/agent/auto, reason), or a transition: check the patient in at the front desk "
    "(step check_in), start, complete, no_show (no_show_type client or provider), document ... Steps "
    "outside the lifecycle are refused. Cancelling applies the cancellation policy and asks the person "
    "(or needs confirm: true).",
    scopes=(access.APPOINTMENTS_READ, access.APPOINTMENTS_WRITE),
    hints=MANAGE,
    input=LifecycleIn,
    output=bs.LifecycleOut,
    actions={
        "state": Action("the current state and the steps allowed now", _state, ("appointment_id",)),
        "history": Action(
            "the recorded transitions, oldest first", _history, ("appointment_id",), ("cursor", "limit")
        ),
        "transition": Action(
            "move along the lifecycle",
            _transition,
            ("appointment_id",),
            ("to_state", "step", "no_show_type", "reason"),
            ask=_ask,
        ),
    },
)


class StatsIn(Input):
    by: Annotated[Literal["provider", "service"], Field(description="One row per doctor or per service")]
    start: Annotated[str, Field(max_length=40, description="Range start, ISO 8601")]
    end: Annotated[str, Field(max_length=40, description="Range end (exclusive), ISO 8601; at most 366 days")]
    doctor_id: Annotated[OptionalId, Field(description="Only this doctor")] = None
    service_id: Annotated[OptionalId, Field(description="Only this service")] = None


async def _stats(call: Call[StatsIn]) -> Result:
    a = call.args
    rows = await call.app.bookings.stats(
        call.p, by=a.by, start=a.start, end=a.end, provider_id=a.doctor_id, service_id=a.service_id
    )
    data: dict[str, Any] = {"start": a.start, "end": a.end, "rows": [bs.stats(r) for r in rows]}
    text = "\n".join(
        f"{r.name or '-'}: {r.sessions} sessions, {r.delivered} delivered, no-shows {r.no_shows} "
        f"({r.no_show_rate:.0%}), revenue {r.revenue_cents} {r.currency} (minor units)"
        for r in rows
    )
    return Result(data, text or "No appointments in that range.")


BOOKING_STATS = Operation(
    name="booking_stats",
    title="Booking stats",
    description="A report per doctor or per service over a date range: sessions, delivered "
    "(completed or documented), no-shows and no-show rate, cancelled, booked minutes, working minutes "
    "and occupancy (per doctor), and revenue (service prices of delivered sessions, minor units).",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=StatsIn,
    output=bs.StatsList,
    run=_stats,
)

OPERATIONS = (GET_APPOINTMENT, APPOINTMENT_LIFECYCLE, BOOKING_STATS)
