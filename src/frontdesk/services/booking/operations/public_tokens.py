"""The public booking tools that take a token: confirm (public_booking_confirm, Servicialo's
scheduling_confirm in credential mode), get, cancel and reschedule."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from frontdesk.services.booking.operations.public_requests import sent
from frontdesk.services.booking.operations.public_shapes import (
    PUBLIC,
    BookingOut,
    CreatedOut,
    OrgSlug,
    Token,
    When,
    booking_out,
    context_of,
    created_out,
    iso,
    line,
)
from frontdesk.services.booking.taken import said_publicly
from frontdesk.services.operations import CONFIRM, READ, UPDATE, Call, Input, Operation, Result


class ConfirmIn(Input):
    orgSlug: OrgSlug
    confirmationToken: Annotated[Token, Field(description="From public_booking_create")]


async def _confirm(call: Call[ConfirmIn]) -> Result:
    a = call.args
    x = await call.app.public_booking.confirm(context_of(call.p), a.orgSlug, a.confirmationToken)
    return Result(booking_out(x), "Confirmed: " + line(x))


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
    data = {"status": x.status, "confirmed_at": iso(at, x.timezone), "booking": booking_out(x)}
    return Result(data, "Confirmed: " + line(x))


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
    return Result(booking_out(x), line(x))


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
    text = "Cancelled: " + line(x)
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
    text = f"Moved: {line(x.booking)}; confirm with the new confirmationToken"
    return Result(created_out(x), text + sent(x))


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
