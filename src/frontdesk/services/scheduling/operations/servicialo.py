"""The Coordinalo seed's lifecycle tools (lifecycle_get_state, lifecycle_get_history,
lifecycle_transition: the seed names their parameters to_state, action, no_show_type, from_sequence,
limit), availability_get_slots and provider_get_stats."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services.operations import (
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
from frontdesk.services.scheduling import booking_shapes as bs
from frontdesk.services.scheduling.availability import MAX_SLOTS
from frontdesk.services.scheduling.lifecycle import HISTORY_MAX, TransitionRequest
from frontdesk.services.scheduling.operations.coordinalo import (
    FIELDS,
    NoShowType,
    OptionalWhen,
    Reason,
    SessionId,
    seed_fields,
)

LIFECYCLE_FIELDS = FIELDS | {"to_state": "to_state", "limit": "limit"}


class StateIn(Input):
    sessionId: SessionId


async def _state(call: Call[StateIn]) -> Result:
    x = await seed_fields(call.app.lifecycle.state(call.p, call.args.sessionId))
    allowed = ", ".join(x.available_transitions) or "none"
    return Result(bs.state(x), f"Session {x.appointment_id} is {x.current_state}; allowed now: {allowed}")


LIFECYCLE_GET_STATE = Operation(
    name="lifecycle_get_state",
    title="Get Lifecycle State",
    description="Get the current lifecycle state of a session (Servicialo states: requested, "
    "pending_confirmation, scheduled, confirmed, in_progress, completed, documented; cancelled, "
    "no_show; plus held, checked_in, entered_in_error), the transitions available now (action -> "
    "state), no-show side, rescheduling links, provenance, penalty, and the recent transition "
    "history with from/to/at/by/method fields.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=StateIn,
    output=bs.StateOut,
    run=_state,
)


class HistoryIn(Input):
    sessionId: SessionId
    from_sequence: Annotated[
        int | None, Field(ge=0, le=2**63 - 1, description="Cursor: events after this sequence")
    ] = None
    limit: Annotated[int, Field(ge=1, le=HISTORY_MAX, description="Events per page (max 500)")] = 50


async def _history(call: Call[HistoryIn]) -> Result:
    a = call.args
    h = await seed_fields(
        call.app.lifecycle.history(call.p, a.sessionId, cursor=a.from_sequence, limit=a.limit)
    )
    text = "\n".join(
        f"{t.at.isoformat()} {t.from_state} -> {t.to_state} by {t.by} ({t.method})" for t in h.transitions
    )
    return Result(bs.history(h), text or "No transitions.")


LIFECYCLE_GET_HISTORY = Operation(
    name="lifecycle_get_history",
    title="Get Lifecycle History",
    description="Get every recorded transition of a session, oldest first: from, to, at, by, method "
    "(manual, agent, auto) and reason. Paged: from_sequence (the previous page's next_cursor) and limit "
    "(default 50, max 500).",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=HistoryIn,
    output=bs.HistoryOut,
    run=_history,
)

ToState = Literal[
    "pending_confirmation",
    "scheduled",
    "confirmed",
    "checked_in",
    "in_progress",
    "completed",
    "documented",
    "cancelled",
    "no_show",
    "entered_in_error",
]
Verb = Literal[
    "request_confirmation",
    "schedule",
    "confirm",
    "check_in",
    "start",
    "complete",
    "document",
    "cancel",
    "no_show",
    "mark_error",
]


class TransitionIn(Input):
    sessionId: SessionId
    to_state: Annotated[ToState | None, Field(description="Target state (or give action)")] = None
    action: Annotated[Verb | None, Field(description="Semantic verb (or give to_state)")] = None
    no_show_type: NoShowType = None
    reason: Reason = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def _request(call: Call[TransitionIn]) -> TransitionRequest:
    a = call.args
    return TransitionRequest(
        a.sessionId, a.to_state, a.action, a.no_show_type, a.reason, idempotency=call.idem
    )


async def _transition(call: Call[TransitionIn]) -> Result:
    x = await seed_fields(call.app.lifecycle.transition(call.p, _request(call), call.consent))
    last = x.recent[-1] if x.recent else None
    text = f"Session {x.appointment_id} is now {x.current_state}"
    if last is not None:
        text += f" ({last.from_state} -> {last.to_state}, {last.method})"
    return Result(bs.state(x), text)


async def _ask_transition(call: Call[TransitionIn]) -> str | None:
    a = call.args
    if a.action != "cancel" and a.to_state != "cancelled":
        return None
    return f"Cancel session {a.sessionId}? The cancellation policy applies."


LIFECYCLE_TRANSITION = Operation(
    name="lifecycle_transition",
    title="Lifecycle Transition",
    description="Execute a state transition on a session: to_state (confirmed, in_progress, "
    "completed, documented, cancelled, no_show ...) or action (confirm, check_in, start, complete, "
    "document, cancel, no_show). With no_show, no_show_type (client or provider) is required. Only "
    "transitions of the lifecycle table are allowed (no skipping; lifecycle_get_state lists them). "
    "deliver is not available via MCP. Cancelling applies the cancellation policy and requires "
    "confirm: true. Returns the new state with the transition record (from, to, at, by, method).",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=TransitionIn,
    output=bs.StateOut,
    run=_transition,
    ask=_ask_transition,
)


# --- availability_get_slots ---------------------------------------------------------------------


class SlotOut(BaseModel):
    slotId: str
    start: str
    end: str
    providerId: int | None = Field(description="Hidden (null) when the slot is auto-assigned at booking")
    providerName: str | None
    locationId: int
    locationName: str
    serviceId: int | None


class SlotsOut(BaseModel):
    mode: str = Field(description="service, provider, location, client (titular) or all")
    slots: list[SlotOut]
    count: int


class SlotsIn(Input):
    serviceId: Annotated[OptionalId, Field(description="Slots of every provider who can do it")] = None
    providerId: Annotated[OptionalId, Field(description="Slots of this provider")] = None
    locationId: Annotated[OptionalId, Field(description="Slots at this location")] = None
    clientId: Annotated[
        OptionalId, Field(description="The client's titular provider's slots (else everyone's)")
    ] = None
    startDate: Annotated[OptionalWhen, Field(description="From; default now")] = None
    endDate: Annotated[OptionalWhen, Field(description="Until; default start + 7 days")] = None
    limit: Annotated[int, Field(ge=1, le=MAX_SLOTS)] = 50


async def _slots(call: Call[SlotsIn]) -> Result:
    a = call.args
    provider_id, mode = a.providerId, "all"
    if provider_id is not None:
        mode = "provider"
    elif a.clientId is not None:
        provider_id = await seed_fields(call.app.bookings.titular(call.p, a.clientId))
        mode = "client" if provider_id is not None else "all"
    elif a.serviceId is not None:
        mode = "service"
    elif a.locationId is not None:
        mode = "location"
    rows = await seed_fields(
        call.app.availability.find(
            call.p,
            start=a.startDate,
            end=a.endDate,
            datebook_id=a.locationId,
            provider_id=provider_id,
            service_id=a.serviceId,
            limit=a.limit,
        )
    )
    # Without a provider asked for, the provider is assigned at booking: hidden, as the seed does.
    hide = mode in ("all", "location")
    slots = [
        {
            "slotId": x.slot_id,
            "start": to_local_iso(x.starts_at, ZoneInfo(x.timezone)),
            "end": to_local_iso(x.ends_at, ZoneInfo(x.timezone)),
            "providerId": None if hide else x.provider_id,
            "providerName": None if hide else x.provider_name,
            "locationId": x.datebook_id,
            "locationName": x.datebook_name,
            "serviceId": x.service_id,
        }
        for x in rows
    ]
    text = "\n".join(f"{x['start']} at {x['locationName']}" for x in slots) or "No free slots then."
    return Result({"mode": mode, "slots": slots, "count": len(slots)}, text)


AVAILABILITY_GET_SLOTS = Operation(
    name="availability_get_slots",
    title="Get Available Slots",
    description="Query free time slots within a date range (default the next 7 days). Modes: "
    "serviceId: slots of every provider who can do that service; providerId: one provider's; "
    "locationId: slots at that location, provider assigned at booking (hidden); clientId: the "
    "client's titular provider's slots (falls back to everyone's). Use before booking_create.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=SlotsIn,
    output=SlotsOut,
    run=_slots,
)


# --- provider_get_stats --------------------------------------------------------------------------


class ProviderStatsIn(Input):
    providerId: Annotated[OptionalId, Field(description="The provider (omitted: every provider)")] = None
    startDate: Annotated[OptionalWhen, Field(description="Range start (default 30 days ago)")] = None
    endDate: Annotated[OptionalWhen, Field(description="Range end, exclusive (default now)")] = None


def default_range(call: Call[Any], start: str | None, end: str | None) -> tuple[str, str]:
    now = call.app.bookings.uc.clock()
    hi = end or now.isoformat()
    lo = start or (now - timedelta(days=30)).isoformat()
    if start and not end:
        raise Invalid("give endDate with startDate", field="endDate")
    return lo, hi


async def _provider_stats(call: Call[ProviderStatsIn]) -> Result:
    a = call.args
    lo, hi = default_range(call, a.startDate, a.endDate)
    rows = await seed_fields(
        call.app.bookings.stats(call.p, by="provider", start=lo, end=hi, provider_id=a.providerId)
    )
    data = {"start": lo, "end": hi, "rows": [bs.stats(r) for r in rows]}
    text = "\n".join(
        f"{r.name}: {r.sessions} sessions, {r.delivered} delivered, no-show rate {r.no_show_rate:.0%}, "
        f"occupancy {(r.occupancy or 0):.0%}, revenue {r.revenue_cents} {r.currency} (minor units)"
        for r in rows
    )
    return Result(data, text or "No sessions in that range.")


PROVIDER_GET_STATS = Operation(
    name="provider_get_stats",
    title="Get Provider Stats",
    description="Performance metrics for a provider (or every provider) over a date range: sessions, "
    "delivered, no-shows and no-show rate, booked and working minutes, occupancy, and revenue (service "
    "prices of delivered sessions, minor units). Default range: the last 30 days.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=ProviderStatsIn,
    output=bs.StatsList,
    run=_provider_stats,
)

OPERATIONS = (
    LIFECYCLE_GET_STATE,
    LIFECYCLE_GET_HISTORY,
    LIFECYCLE_TRANSITION,
    AVAILABILITY_GET_SLOTS,
    PROVIDER_GET_STATS,
)
