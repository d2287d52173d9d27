"""The public booking tools (/mcp/public, no key): public_service_list, public_availability_get_slots,
public_booking_create, public_booking_confirm, public_booking_get, public_booking_cancel,
public_booking_reschedule, and Servicialo's scheduling_book / scheduling_confirm (credential mode).
Each takes the practice's orgSlug and optionally an agenda's agendaSlug. The caller is whoever sent
the request: its IP counts against the limits (services/booking/public.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services.booking.public import SLOTS_MAX
from frontdesk.services.booking.taken import said_publicly
from frontdesk.services.booking.tokens import TOKEN_MAX
from frontdesk.services.booking.views import (
    Identity,
    PublicBookingView,
    PublicContext,
    PublicCreated,
    PublicRequest,
)
from frontdesk.services.context import Principal
from frontdesk.services.operations import (
    CONFIRM,
    CREATE,
    READ,
    UPDATE,
    Call,
    Id,
    Input,
    Operation,
    OptionalId,
    Result,
)

PUBLIC = (access.PUBLIC_BOOKING,)
OrgSlug = Annotated[str, Field(min_length=1, max_length=63, description="The practice's slug")]
AgendaSlug = Annotated[
    str | None, Field(max_length=63, description="An agenda's slug (default: the practice's default agenda)")
]
When = Annotated[str, Field(max_length=40, description="ISO 8601; without an offset, the location's zone")]
OptionalWhen = Annotated[str | None, Field(max_length=40, description="ISO 8601 date or date-time")]
Token = Annotated[str, Field(min_length=1, max_length=TOKEN_MAX)]
Channel = Literal["web", "whatsapp", "email", "phone", "sms", "chat", "agent", "other"]


def context_of(p: Principal) -> PublicContext:
    """The request's context: the public caller's actor is public:<ip> (mcp/surfaces.py)."""
    return PublicContext(ip=p.actor.removeprefix("public:") or "unknown", via="mcp")


class Requester(Input):
    fullName: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str | None, Field(max_length=254)] = None
    phone: Annotated[str | None, Field(max_length=32, description="E.164, e.g. +56912345678")] = None


class Submission(Input):
    channel: Annotated[Channel, Field(description="Where the request came from")]
    agentAssisted: Annotated[bool, Field(description="Whether an AI agent made the request for the person")]


class Authorization(Input):
    humanIntentConfirmed: Annotated[
        bool, Field(description="Must be true: the person asked for this booking themselves")
    ]


class ServiceOut(BaseModel):
    serviceId: int
    name: str
    description: str | None
    category: str | None
    durationMinutes: int
    priceCents: int = Field(description="Minor units")
    currency: str


class ServicesOut(BaseModel):
    services: list[ServiceOut]
    count: int


class SlotOut(BaseModel):
    start: str
    end: str
    serviceId: int | None
    locationName: str
    providerId: int | None = Field(description="Hidden (null) where the provider is assigned at booking")
    providerName: str | None


class SlotsOut(BaseModel):
    slots: list[SlotOut]
    count: int


class BookingOut(BaseModel):
    status: str
    startsAt: str
    endsAt: str
    timezone: str
    serviceName: str | None
    locationName: str
    providerName: str | None
    fullName: str
    channel: str
    agentAssisted: bool
    confirmBy: str | None = Field(description="A pending booking not confirmed by then is released")
    penaltyCents: int | None
    penaltyCurrency: str | None


class CreatedOut(BaseModel):
    booking: BookingOut
    confirmationToken: str = Field(description="Confirms the booking (public_booking_confirm), 30 minutes")
    bookingToken: str = Field(description="Reaches this booking: get, cancel, reschedule. Keep it secret")
    confirmationExpiresAt: str


def _iso(at: datetime, tz: str) -> str:
    return to_local_iso(at, ZoneInfo(tz))


def booking_out(x: PublicBookingView) -> dict[str, object]:
    return {
        "status": x.status,
        "startsAt": _iso(x.starts_at, x.timezone),
        "endsAt": _iso(x.ends_at, x.timezone),
        "timezone": x.timezone,
        "serviceName": x.service_name,
        "locationName": x.location_name,
        "providerName": x.provider_name,
        "fullName": x.full_name,
        "channel": x.channel,
        "agentAssisted": x.agent_assisted,
        "confirmBy": _iso(x.confirm_by, x.timezone) if x.confirm_by else None,
        "penaltyCents": x.penalty_cents,
        "penaltyCurrency": x.penalty_currency,
    }


def created_out(x: PublicCreated) -> dict[str, object]:
    return {
        "booking": booking_out(x.booking),
        "confirmationToken": x.confirmation_token,
        "bookingToken": x.booking_token,
        "confirmationExpiresAt": _iso(x.confirmation_expires_at, x.booking.timezone),
    }


def _line(x: PublicBookingView) -> str:
    return (
        f"{x.status}: {x.service_name or 'session'} on {_iso(x.starts_at, x.timezone)} at {x.location_name}"
    )


# --- public_service_list / public_availability_get_slots ------------------------------------------


class ServicesIn(Input):
    orgSlug: OrgSlug
    agendaSlug: AgendaSlug = None


async def _services(call: Call[ServicesIn]) -> Result:
    a = call.args
    rows = await call.app.public_booking.services(context_of(call.p), a.orgSlug, a.agendaSlug)
    data = {
        "services": [
            {
                "serviceId": r.id,
                "name": r.name,
                "description": r.description,
                "category": r.category,
                "durationMinutes": r.duration_minutes,
                "priceCents": r.price_cents,
                "currency": r.currency,
            }
            for r in rows
        ],
        "count": len(rows),
    }
    text = "\n".join(f"{r.id} {r.name} ({r.duration_minutes} min)" for r in rows) or "Nothing to book here."
    return Result(data, text)


PUBLIC_SERVICE_LIST = Operation(
    name="public_service_list",
    title="Public Service List",
    description="List the services a practice takes public bookings for: active, discoverable, with "
    "an assigned provider (and linked to the agenda, where it links any). Does NOT require an API "
    "key. The first step of the public flow: public_service_list -> public_availability_get_slots -> "
    "public_booking_create -> public_booking_confirm.",
    scopes=PUBLIC,
    hints=READ,
    input=ServicesIn,
    output=ServicesOut,
    run=_services,
)


class SlotsIn(Input):
    orgSlug: OrgSlug
    agendaSlug: AgendaSlug = None
    serviceId: Annotated[OptionalId, Field(description="Only this service (from public_service_list)")] = None
    startDate: Annotated[OptionalWhen, Field(description="From; default now")] = None
    endDate: Annotated[OptionalWhen, Field(description="Until; default start + 7 days")] = None
    limit: Annotated[int, Field(ge=1, le=SLOTS_MAX)] = 50


async def _slots(call: Call[SlotsIn]) -> Result:
    a = call.args
    rows = await call.app.public_booking.slots(
        context_of(call.p),
        a.orgSlug,
        a.agendaSlug,
        service_id=a.serviceId,
        start=a.startDate,
        end=a.endDate,
        limit=a.limit,
    )
    slots = [
        {
            "start": _iso(x.start, x.timezone),
            "end": _iso(x.end, x.timezone),
            "serviceId": x.service_id,
            "locationName": x.location_name,
            "providerId": x.provider_id,
            "providerName": x.provider_name,
        }
        for x in rows
    ]
    text = "\n".join(f"{x['start']} service {x['serviceId']}" for x in slots) or "No free times then."
    return Result({"slots": slots, "count": len(slots)}, text)


PUBLIC_AVAILABILITY_GET_SLOTS = Operation(
    name="public_availability_get_slots",
    title="Public Availability Slots",
    description="Free times for public booking, earliest first, within the agenda's booking policy "
    "(minimum and maximum advance, same-day). Does NOT require an API key. Provider details are "
    "hidden where the agenda assigns the provider at booking time. Use after public_service_list.",
    scopes=PUBLIC,
    hints=READ,
    input=SlotsIn,
    output=SlotsOut,
    run=_slots,
)


# --- public_booking_create / scheduling_book ----------------------------------------------------------


class _Booking(Input):
    orgSlug: OrgSlug
    agendaSlug: AgendaSlug = None
    serviceId: Annotated[Id, Field(description="From public_service_list")]
    scheduledAt: When
    providerId: Annotated[
        OptionalId, Field(description="Only where the agenda lets the person choose (slots show it)")
    ] = None
    requester: Annotated[Requester, Field(description="fullName plus email or phone")]
    authorization: Authorization


class CreateIn(_Booking):
    submission: Annotated[Submission, Field(description="channel and agentAssisted")]


def _request(a: _Booking, sub: Submission) -> PublicRequest:
    r = a.requester
    return PublicRequest(
        service_id=a.serviceId,
        starts_at=a.scheduledAt,
        identity=Identity(r.fullName, r.email, r.phone),
        channel=sub.channel,
        agent_assisted=sub.agentAssisted,
        human_intent=a.authorization.humanIntentConfirmed,
        provider_id=a.providerId,
    )


async def _create(call: Call[CreateIn]) -> Result:
    a = call.args
    req = _request(a, a.submission)
    with said_publicly():
        x = await call.app.public_booking.create(context_of(call.p), a.orgSlug, req, a.agendaSlug)
    text = f"Requested {_line(x.booking)}; confirm with the confirmationToken within 30 minutes"
    return Result(created_out(x), text)


PUBLIC_BOOKING_CREATE = Operation(
    name="public_booking_create",
    title="Public Booking Create",
    description="Request a booking without an API key. Requires (1) the requester's identity: "
    "fullName plus email or phone (E.164), (2) the submission context: channel and agentAssisted, "
    "(3) authorization.humanIntentConfirmed: true. The booking is created as pending_confirmation and "
    "holds the slot; confirm it with public_booking_confirm and the returned confirmationToken within "
    "30 minutes, or it is released. The bookingToken reaches this one booking (get, cancel, "
    "reschedule). Rate-limited per IP and per practice; at most a few unconfirmed bookings per email "
    "or phone; every request is audited with a decision code.",
    scopes=PUBLIC,
    hints=CREATE,
    input=CreateIn,
    output=CreatedOut,
    run=_create,
)


class BookIn(_Booking):
    submission: Annotated[
        Submission | None, Field(description="Optional: channel and agentAssisted (default other, false)")
    ] = None


class BookOut(BaseModel):
    booking_id: str = Field(description="Opaque: the booking's credential for later calls (bookingToken)")
    confirmation_credential: str = Field(description="For scheduling_confirm, valid 30 minutes")
    status: str
    expires_at: str
    booking: BookingOut


async def _book(call: Call[BookIn]) -> Result:
    a = call.args
    sub = a.submission or Submission(channel="other", agentAssisted=False)
    req = _request(a, sub)
    with said_publicly():
        x = await call.app.public_booking.create(context_of(call.p), a.orgSlug, req, a.agendaSlug)
    data = {
        "booking_id": x.booking_token,
        "confirmation_credential": x.confirmation_token,
        "status": x.booking.status,
        "expires_at": _iso(x.confirmation_expires_at, x.booking.timezone),
        "booking": booking_out(x.booking),
    }
    return Result(data, f"Requested {_line(x.booking)}; finalize with scheduling_confirm")


SCHEDULING_BOOK = Operation(
    name="scheduling_book",
    title="Book Session",
    description="Book a session (Servicialo spec) without an API key: requester identity (fullName "
    "plus email or phone) and authorization.humanIntentConfirmed: true; submission context optional. "
    "Returns confirmation_credential (opaque, valid 30 minutes) and booking_id (this booking's opaque "
    "credential). Use scheduling_confirm with the credential to finalize.",
    scopes=PUBLIC,
    hints=CREATE,
    input=BookIn,
    output=BookOut,
    run=_book,
)


# --- confirm / get / cancel / reschedule ----------------------------------------------------------------


class ConfirmIn(Input):
    orgSlug: OrgSlug
    confirmationToken: Annotated[Token, Field(description="From public_booking_create")]


async def _confirm(call: Call[ConfirmIn]) -> Result:
    a = call.args
    x = await call.app.public_booking.confirm(context_of(call.p), a.orgSlug, a.confirmationToken)
    return Result(booking_out(x), "Confirmed: " + _line(x))


PUBLIC_BOOKING_CONFIRM = Operation(
    name="public_booking_confirm",
    title="Public Booking Confirm",
    description="Confirm a pending public booking with the confirmationToken from "
    "public_booking_create: pending_confirmation -> scheduled. The token works once and expires after "
    "30 minutes. Does NOT require an API key. Rate-limited.",
    scopes=PUBLIC,
    hints=CONFIRM,
    input=ConfirmIn,
    output=BookingOut,
    run=_confirm,
)


class CredentialIn(Input):
    orgSlug: OrgSlug
    credential: Annotated[Token, Field(description="confirmation_credential from scheduling_book")]


class ConfirmedOut(BaseModel):
    status: str
    confirmed_at: str
    booking: BookingOut


async def _credential(call: Call[CredentialIn]) -> Result:
    a = call.args
    x = await call.app.public_booking.confirm(context_of(call.p), a.orgSlug, a.credential, field="credential")
    at = call.app.public_booking.uc.clock()
    data = {"status": x.status, "confirmed_at": _iso(at, x.timezone), "booking": booking_out(x)}
    return Result(data, "Confirmed: " + _line(x))


SCHEDULING_CONFIRM = Operation(
    name="scheduling_confirm",
    title="Confirm Scheduling",
    description="Confirm a booking (Servicialo spec), credential mode: the confirmation_credential "
    "from scheduling_book, no API key. Returns the confirmed status with its timestamp. (The booking_id "
    "mode, with an API key, is the staff surface's, not this one.)",
    scopes=PUBLIC,
    hints=CONFIRM,
    input=CredentialIn,
    output=ConfirmedOut,
    run=_credential,
)


class TokenIn(Input):
    orgSlug: OrgSlug
    bookingToken: Annotated[Token, Field(description="From public_booking_create")]


async def _get(call: Call[TokenIn]) -> Result:
    a = call.args
    x = await call.app.public_booking.get(context_of(call.p), a.orgSlug, a.bookingToken)
    return Result(booking_out(x), _line(x))


PUBLIC_BOOKING_GET = Operation(
    name="public_booking_get",
    title="Public Booking Get",
    description="A public booking by its bookingToken: status, time, service, location and the "
    "requester's name as given. Public-safe fields only. Does NOT require an API key: the token is the "
    "credential, and it reaches this one booking only.",
    scopes=PUBLIC,
    hints=READ,
    input=TokenIn,
    output=BookingOut,
    run=_get,
)


class CancelIn(TokenIn):
    reason: Annotated[str | None, Field(max_length=200)] = None


async def _cancel(call: Call[CancelIn]) -> Result:
    a = call.args
    x = await call.app.public_booking.cancel(context_of(call.p), a.orgSlug, a.bookingToken, a.reason)
    text = "Cancelled: " + _line(x)
    if x.penalty_cents:
        text += f"; late-cancel penalty {x.penalty_cents} {x.penalty_currency} (minor units)"
    return Result(booking_out(x), text)


PUBLIC_BOOKING_CANCEL = Operation(
    name="public_booking_cancel",
    title="Public Booking Cancel",
    description="Cancel a public booking with its bookingToken. Only pending_confirmation, scheduled "
    "or confirmed bookings; the agenda's cancellation policy applies (after its deadline a cancel is "
    "refused or records a penalty). Optionally a reason. Does NOT require an API key.",
    scopes=PUBLIC,
    hints=UPDATE,
    input=CancelIn,
    output=BookingOut,
    run=_cancel,
)


class RescheduleIn(TokenIn):
    scheduledAt: Annotated[When, Field(description="The new time (from public_availability_get_slots)")]


async def _reschedule(call: Call[RescheduleIn]) -> Result:
    a = call.args
    with said_publicly():
        x = await call.app.public_booking.reschedule(
            context_of(call.p), a.orgSlug, a.bookingToken, a.scheduledAt
        )
    return Result(created_out(x), f"Moved: {_line(x.booking)}; confirm with the new confirmationToken")


PUBLIC_BOOKING_RESCHEDULE = Operation(
    name="public_booking_reschedule",
    title="Public Booking Reschedule",
    description="Reschedule a public booking with its bookingToken: the original is cancelled (under "
    "the agenda's cancellation policy) and a new pending_confirmation booking is made at scheduledAt; "
    "returns its new confirmationToken and bookingToken. Only pending_confirmation, scheduled or "
    "confirmed bookings. Does NOT require an API key.",
    scopes=PUBLIC,
    hints=UPDATE,
    input=RescheduleIn,
    output=CreatedOut,
    run=_reschedule,
)

OPERATIONS = (
    PUBLIC_SERVICE_LIST,
    PUBLIC_AVAILABILITY_GET_SLOTS,
    PUBLIC_BOOKING_CREATE,
    PUBLIC_BOOKING_CONFIRM,
    PUBLIC_BOOKING_GET,
    PUBLIC_BOOKING_CANCEL,
    PUBLIC_BOOKING_RESCHEDULE,
    SCHEDULING_BOOK,
    SCHEDULING_CONFIRM,
)
