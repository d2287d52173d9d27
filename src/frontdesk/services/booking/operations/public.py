"""The public booking tools (/mcp/public, no key): public_service_list, public_availability_get_slots,
public_booking_create, public_booking_confirm, public_booking_get, public_booking_cancel,
public_booking_reschedule, and Servicialo's scheduling_book / scheduling_confirm (credential mode).
Each takes the practice's orgSlug and optionally an agenda's agendaSlug. The caller is whoever sent
the request: its IP counts against the limits (services/booking/public.py).
Shared shapes in public_shapes.py, the requests in public_requests.py, the token tools in
public_tokens.py."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from frontdesk.services.booking.operations.public_requests import PUBLIC_BOOKING_CREATE, SCHEDULING_BOOK
from frontdesk.services.booking.operations.public_shapes import (
    PUBLIC,
    AgendaSlug,
    OptionalWhen,
    OrgSlug,
    booking_out,
    context_of,
    created_out,
    iso,
)
from frontdesk.services.booking.operations.public_tokens import (
    PUBLIC_BOOKING_CANCEL,
    PUBLIC_BOOKING_CONFIRM,
    PUBLIC_BOOKING_GET,
    PUBLIC_BOOKING_RESCHEDULE,
    SCHEDULING_CONFIRM,
)
from frontdesk.services.booking.slots import SLOTS_MAX
from frontdesk.services.operations import READ, Call, Input, Operation, OptionalId, Result

__all__ = ["OPERATIONS", "booking_out", "context_of", "created_out"]


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
            "start": iso(x.start, x.timezone),
            "end": iso(x.end, x.timezone),
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
