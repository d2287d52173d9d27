"""The public booking requests: public_booking_create and Servicialo's scheduling_book, one service
call (services/booking/public.py) behind both."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.services.booking.operations.public_shapes import (
    PUBLIC,
    AgendaSlug,
    Authorization,
    BookingOut,
    CreatedOut,
    OrgSlug,
    Requester,
    Submission,
    When,
    booking_out,
    context_of,
    created_out,
    iso,
    line,
)
from frontdesk.services.booking.taken import said_publicly
from frontdesk.services.booking.views import Identity, PublicCreated, PublicRequest
from frontdesk.services.operations import CREATE, Call, Id, Input, Operation, OptionalId, Result


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
    text = f"Requested {line(x.booking)}; confirm with the confirmationToken within 30 minutes"
    return Result(created_out(x), text + sent(x))


def sent(x: PublicCreated) -> str:
    """What the result's text adds when the confirmation link went to the person."""
    if x.confirmation_sent_to is None:
        return ""
    return f" (a confirmation link was sent to the person by {x.confirmation_sent_to})"


PUBLIC_BOOKING_CREATE = Operation(
    name="public_booking_create",
    title="Public Booking Create",
    description="Request a booking without an API key. Requires (1) the requester's identity: "
    "fullName plus email or phone (E.164), (2) the submission context: channel and agentAssisted, "
    "(3) authorization.humanIntentConfirmed: true. The booking is created as pending_confirmation and "
    "holds the slot; confirm it with public_booking_confirm and the returned confirmationToken within "
    "30 minutes, or it is released. The bookingToken reaches this one booking (get, cancel, "
    "reschedule). Rate-limited per IP and per practice; at most a few unconfirmed bookings per email "
    "or phone; every request is audited with a decision code. Where the practice sends messages on a "
    "channel the requester gave an address for (email), a confirmation link is also sent to them "
    "(confirmationSentTo names the channel); the confirmationToken is returned either way.",
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
    confirmation_sent_to: Literal["email", "whatsapp", "sms"] | None = Field(
        description="The channel the confirmation link was sent to, or null (nothing was sent)"
    )
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
        "expires_at": iso(x.confirmation_expires_at, x.booking.timezone),
        "confirmation_sent_to": x.confirmation_sent_to,
        "booking": booking_out(x.booking),
    }
    return Result(data, f"Requested {line(x.booking)}; finalize with scheduling_confirm" + sent(x))


SCHEDULING_BOOK = Operation(
    name="scheduling_book",
    title="Book Session",
    description="Book a session (Servicialo spec) without an API key: requester identity (fullName "
    "plus email or phone) and authorization.humanIntentConfirmed: true; submission context optional. "
    "Returns confirmation_credential (opaque, valid 30 minutes) and booking_id (this booking's opaque "
    "credential). Use scheduling_confirm with the credential to finalize. Where the practice sends "
    "messages on a channel the requester gave an address for, a confirmation link is also sent to "
    "them (confirmation_sent_to).",
    scopes=PUBLIC,
    hints=CREATE,
    input=BookIn,
    output=BookOut,
    run=_book,
)
