"""The Coordinalo / Servicialo seed's booking tools (002): its names, camelCase parameters, sessions
as it shapes them, `confirm: true` for cancelling and rescheduling.

Where the seed gives no parameter list the names are derived from its descriptions: sessionId (a
session's id, as in its REST paths), serviceId, clientId, providerId, locationId (Coordinalo has no
locations; ours are datebooks), scheduledAt, startDate/endDate, cursor/limit."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.validation import NOTES_MAX
from frontdesk.services.operations import (
    CREATE,
    READ,
    UPDATE,
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
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.scheduling.bookings import PAGE_MAX, BookingQuery
from frontdesk.services.scheduling.lifecycle import TransitionRequest

# Our services name fields their own way; an error on this surface names the seed's parameter.
FIELDS = {
    "starts_at": "scheduledAt",
    "ends_at": "scheduledAt",
    "provider_id": "providerId",
    "doctor_id": "providerId",
    "patient_id": "clientId",
    "service_id": "serviceId",
    "datebook_id": "locationId",
    "appointment_id": "sessionId",
    "start": "startDate",
    "end": "endDate",
}

T = TypeVar("T")


async def seed_fields(run: Awaitable[T], names: Mapping[str, str] = FIELDS) -> T:
    """`run`, with a refusal's field renamed to this surface's parameter."""
    try:
        return await run
    except FrontdeskError as exc:
        if exc.field is not None and exc.field in names:
            exc.field = names[exc.field]
        raise


SessionId = Annotated[Id, Field(description="The session's ID (from booking_list or booking_create)")]
When = Annotated[
    str, Field(max_length=40, description="ISO 8601; without an offset it is read in the location's zone")
]
OptionalWhen = Annotated[str | None, Field(max_length=40, description="ISO 8601 date or date-time")]
Reason = Annotated[str | None, Field(max_length=200, description="Why (kept with the transition)")]
NoShowType = Annotated[
    Literal["client", "provider"] | None, Field(description="Whose no-show it was (required for no_show)")
]


# --- booking_create ------------------------------------------------------------------------------


class CreateIn(Input):
    serviceId: Annotated[Id, Field(description="The service to book (must be active)")]
    clientId: Annotated[Id, Field(description="The client (must exist)")]
    scheduledAt: When
    providerId: Annotated[
        OptionalId, Field(description="Optional: omitted, the strategy assigns one (titular preferred)")
    ] = None
    locationId: Annotated[OptionalId, Field(description="Optional: the location (datebook)")] = None
    notes: Annotated[str | None, Field(max_length=NOTES_MAX)] = None
    retroactive: Annotated[
        bool | None,
        Field(description="Register a past session (at most 365 days back): no slot check, completed"),
    ] = None
    overrideNoShowBlock: Annotated[
        bool,
        Field(description="Staff only: book a client blocked for no-shows (audited)"),
    ] = False
    idempotency_key: IdempotencyKey = None


async def _create(call: Call[CreateIn]) -> Result:
    a = call.args
    req = BookingRequest(
        provider_id=a.providerId,
        starts_at=a.scheduledAt,
        datebook_id=a.locationId,
        patient_id=a.clientId,
        service_id=a.serviceId,
        notes=a.notes,
        any_datebook=True,
        retroactive=bool(a.retroactive),
        infer_retroactive=a.retroactive is None,
        override_no_show_block=a.overrideNoShowBlock,
        idempotency=call.idem,
    )
    booked = await seed_fields(call.app.appointments.book(call.p, req))
    info = await call.app.bookings.get(call.p, booked.id)
    return Result(bs.session(info), "Booked " + shapes.line(booked))


BOOKING_CREATE = Operation(
    name="booking_create",
    title="Create Booking",
    description="Create a new session/appointment for a client. providerId is optional: if omitted, "
    "a provider who can do the service then is assigned by the practice's strategy "
    "(availability.assignmentStrategy: round_robin, least_booked, most_available, priority, random); "
    "the client's titular provider is preferred when free. Preconditions: the service exists and is "
    "active, the client exists. Use availability_get_slots first. retroactive: true registers a past "
    "session (at most 365 days back): no slot check, status completed, provenance self_declared; a "
    "past scheduledAt is treated as retroactive. A client blocked for no-shows "
    "(policies.noShowMaxStrikes) cannot book unless staff set overrideNoShowBlock.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CREATE,
    input=CreateIn,
    output=bs.SessionOut,
    run=_create,
)


# --- booking_get / booking_list -----------------------------------------------------------------


class GetIn(Input):
    sessionId: SessionId


async def _get(call: Call[GetIn]) -> Result:
    info = await seed_fields(call.app.bookings.get(call.p, call.args.sessionId))
    return Result(bs.session(info), shapes.line(info.appointment))


BOOKING_GET = Operation(
    name="booking_get",
    title="Get Booking",
    description="Get complete details of a session/appointment by its ID: client, provider, service, "
    "location, lifecycle state, price, a late cancel's penalty, provenance and rescheduling links.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=GetIn,
    output=bs.SessionOut,
    run=_get,
)

# Every lifecycle state by name, for the list filters of both seeds (domain/scheduling/status.py).
Status = Literal[
    "requested",
    "pending_confirmation",
    "held",
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


class ListIn(Input):
    providerId: Annotated[OptionalId, Field(description="Only this provider's sessions")] = None
    clientId: Annotated[OptionalId, Field(description="Only this client's sessions")] = None
    serviceId: Annotated[OptionalId, Field(description="Only this service's sessions")] = None
    locationId: Annotated[OptionalId, Field(description="Only this location's sessions")] = None
    status: Annotated[Status | None, Field(description="Only sessions in this state")] = None
    startDate: Annotated[OptionalWhen, Field(description="Sessions starting at or after (ISO 8601)")] = None
    endDate: Annotated[OptionalWhen, Field(description="Sessions starting before (ISO 8601)")] = None
    cursor: Annotated[str | None, Field(max_length=80, description="nextCursor of the previous page")] = None
    limit: Annotated[int, Field(ge=1, le=PAGE_MAX, description="Sessions per page")] = 50


async def _list(call: Call[ListIn]) -> Result:
    a = call.args
    q = BookingQuery(
        provider_id=a.providerId,
        patient_id=a.clientId,
        service_id=a.serviceId,
        datebook_id=a.locationId,
        statuses=(a.status,) if a.status else (),
        start=a.startDate,
        end=a.endDate,
        cursor=a.cursor,
        limit=a.limit,
    )
    page = await seed_fields(call.app.bookings.page(call.p, q))
    data = {
        "sessions": [bs.session_brief(x) for x in page.bookings],
        "count": len(page.bookings),
        "nextCursor": page.next_cursor,
    }
    text = "\n".join(shapes.line(x) for x in page.bookings) or "No sessions match."
    return Result(data, text + ("\n(more: pass nextCursor)" if page.next_cursor else ""))


BOOKING_LIST = Operation(
    name="booking_list",
    title="List Bookings",
    description="List sessions with filters by provider, client, service, location, status and date "
    "range, earliest first. Cursor-based pagination: pass nextCursor as cursor for the next page (stable "
    "while sessions are being booked).",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=ListIn,
    output=bs.SessionList,
    run=_list,
)


# --- booking_cancel / booking_reschedule ------------------------------------------------------------


class CancelIn(Input):
    sessionId: SessionId
    reason: Reason = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


async def _cancel(call: Call[CancelIn]) -> Result:
    a = call.args
    done = await seed_fields(
        call.app.bookings.cancel(call.p, a.sessionId, reason=a.reason, consent=call.consent, idem=call.idem)
    )
    text = "Cancelled " + shapes.line(done.appointment)
    if done.penalty_cents:
        text += f"; late-cancel penalty {done.penalty_cents} {done.penalty_currency} (minor units)"
    return Result(bs.session(done), text)


async def _ask_cancel(call: Call[Any]) -> str:
    info = await call.app.bookings.get(call.p, call.args.sessionId)
    return f"Cancel {shapes.line(info.appointment)}? The cancellation policy applies."


BOOKING_CANCEL = Operation(
    name="booking_cancel",
    title="Cancel Booking",
    description="Cancel a session, applying the cancellation policy (policies.cancellationType, "
    "cancellationDeadlineHours, cancellationPenaltyKind/Value): a cancel later than the deadline "
    "records the penalty on the session for billing, or is refused when the policy is block. "
    "Requires confirm: true.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=CancelIn,
    output=bs.SessionOut,
    run=_cancel,
    ask=_ask_cancel,
)


class RescheduleIn(Input):
    sessionId: SessionId
    scheduledAt: Annotated[When, Field(description="The new time (ISO 8601)")]
    providerId: Annotated[OptionalId, Field(description="Optional: another provider")] = None
    reason: Reason = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


async def _reschedule(call: Call[RescheduleIn]) -> Result:
    a = call.args
    done = await seed_fields(
        call.app.bookings.reschedule(
            call.p,
            a.sessionId,
            a.scheduledAt,
            provider_id=a.providerId,
            reason=a.reason,
            consent=call.consent,
            idem=call.idem,
        )
    )
    data = {"cancelled": bs.session(done.cancelled), "booked": bs.session(done.booked)}
    return Result(data, f"Rescheduled to {shapes.line(done.booked.appointment)}")


async def _ask_reschedule(call: Call[Any]) -> str:
    info = await call.app.bookings.get(call.p, call.args.sessionId)
    return f"Move {shapes.line(info.appointment)} to {call.args.scheduledAt}? The original is cancelled."


BOOKING_RESCHEDULE = Operation(
    name="booking_reschedule",
    title="Reschedule Booking",
    description="Reschedule a session to a new time: the original is cancelled and a new session is "
    "booked (same client, service and location; same provider unless providerId is given), each "
    "pointing at the other (rescheduledToId, rescheduledFromId). The new time is checked like a new "
    "booking. Requires confirm: true.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=RescheduleIn,
    output=bs.Rescheduled,
    run=_reschedule,
    ask=_ask_reschedule,
)


# --- booking_update_status ----------------------------------------------------------------------


class StatusIn(Input):
    sessionId: SessionId
    action: Annotated[
        Literal["confirm", "start", "complete", "no_show"],
        Field(description="confirm, start, complete or no_show (deliver is not available via MCP)"),
    ]
    noShowType: NoShowType = None
    reason: Reason = None
    idempotency_key: IdempotencyKey = None


async def _status(call: Call[StatusIn]) -> Result:
    a = call.args
    req = TransitionRequest(
        a.sessionId, action=a.action, no_show_type=a.noShowType, reason=a.reason, idempotency=call.idem
    )
    await seed_fields(call.app.lifecycle.transition(call.p, req), FIELDS | {"no_show_type": "noShowType"})
    info = await call.app.bookings.get(call.p, a.sessionId)
    return Result(bs.session(info), f"{a.action}: " + shapes.line(info.appointment))


BOOKING_UPDATE_STATUS = Operation(
    name="booking_update_status",
    title="Update Booking Status",
    description="Advance a session through the Servicialo lifecycle: confirm, start, complete, or mark "
    "as no-show (noShowType client or provider; a client's no-shows count toward the no-show block). "
    "The deliver action is not available via MCP. Transitions outside the lifecycle are refused; "
    "lifecycle_get_state lists those allowed now.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=UPDATE,
    input=StatusIn,
    output=bs.SessionOut,
    run=_status,
)

OPERATIONS = (
    BOOKING_CREATE,
    BOOKING_GET,
    BOOKING_LIST,
    BOOKING_CANCEL,
    BOOKING_RESCHEDULE,
    BOOKING_UPDATE_STATUS,
)
