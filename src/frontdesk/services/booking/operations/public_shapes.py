"""What the public booking tools share: the practice's and agenda's slugs, the requester's identity
and submission context, a booking's public view and a created booking's tokens (see public.py for
the tools)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services.booking.tokens import TOKEN_MAX
from frontdesk.services.booking.views import PublicBookingView, PublicContext, PublicCreated
from frontdesk.services.context import Principal
from frontdesk.services.operations import Input

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
    confirmationSentTo: Literal["email", "whatsapp", "sms"] | None = Field(
        description="The channel the confirmation link was sent to (the person may confirm from it; "
        "the confirmationToken still works), or null: nothing was sent, confirm with the token"
    )


def iso(at: datetime, tz: str) -> str:
    return to_local_iso(at, ZoneInfo(tz))


def booking_out(x: PublicBookingView) -> dict[str, object]:
    return {
        "status": x.status,
        "startsAt": iso(x.starts_at, x.timezone),
        "endsAt": iso(x.ends_at, x.timezone),
        "timezone": x.timezone,
        "serviceName": x.service_name,
        "locationName": x.location_name,
        "providerName": x.provider_name,
        "fullName": x.full_name,
        "channel": x.channel,
        "agentAssisted": x.agent_assisted,
        "confirmBy": iso(x.confirm_by, x.timezone) if x.confirm_by else None,
        "penaltyCents": x.penalty_cents,
        "penaltyCurrency": x.penalty_currency,
    }


def created_out(x: PublicCreated) -> dict[str, object]:
    return {
        "booking": booking_out(x.booking),
        "confirmationToken": x.confirmation_token,
        "bookingToken": x.booking_token,
        "confirmationExpiresAt": iso(x.confirmation_expires_at, x.booking.timezone),
        "confirmationSentTo": x.confirmation_sent_to,
    }


def line(x: PublicBookingView) -> str:
    return f"{x.status}: {x.service_name or 'session'} on {iso(x.starts_at, x.timezone)} at {x.location_name}"
