"""The Coordinalo seed's agenda tools (002): agendas_list, agendas_create, agendas_get,
agendas_update (partial), agendas_delete (confirm: true) and admin_toggle_discoverable (flags only).
Parameter names are derived from the seed's descriptions, camelCase (see FIELD_MAP)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.booking.agendas import AgendaInfo
from frontdesk.services.operations import (
    CREATE,
    READ,
    UPDATE,
    Call,
    ConfirmFlag,
    Id,
    Input,
    Operation,
    OptionalId,
    Result,
)

# Tool argument -> agenda column.
FIELD_MAP = {
    "title": "title",
    "description": "description",
    "isPublic": "is_public",
    "isActive": "is_active",
    "isDefault": "is_default",
    "providerId": "provider_id",
    "bookingFlow": "booking_flow",
    "serviceSelectionMode": "service_mode",
    "providerSelectionMode": "provider_mode",
    "assignmentStrategy": "assignment_strategy",
    "minAdvanceMinutes": "min_advance_minutes",
    "maxAdvanceDays": "max_advance_days",
    "sameDayBooking": "same_day",
    "onDemand": "on_demand",
    "cancellationType": "cancellation_type",
    "cancellationDeadlineHours": "cancellation_deadline_hours",
    "cancellationPenaltyKind": "penalty_kind",
    "cancellationPenaltyValue": "penalty_value",
    "showSessions": "show_sessions",
    "showClientNames": "show_client_names",
    "showProviderUtilization": "show_provider_utilization",
    "showProviderList": "show_provider_list",
    "prepaymentRequired": "prepayment",
}
Flow = Literal["service_first", "provider_first", "auto"]
Mode = Literal["required", "optional", "auto", "hidden"]
Strategy = Literal["manual", "round_robin", "least_booked", "most_available", "priority", "random"]
AgendaId = Annotated[Id, Field(description="The agenda's ID (from agendas_list)")]
Flag = bool | None


class Settings(Input):
    """Every agenda field a create or update may set (an update changes only those given)."""

    title: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    isPublic: Annotated[Flag, Field(description="Listed for public booking")] = None
    isActive: Annotated[Flag, Field(description="Takes bookings")] = None
    isDefault: Annotated[Flag, Field(description="The practice's default agenda (only one is)")] = None
    providerId: Annotated[OptionalId, Field(description="Link a provider: their services are linked too")] = (
        None
    )
    serviceIds: Annotated[
        list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None,
        Field(max_length=200, description="The services offered (none linked: every bookable one)"),
    ] = None
    bookingFlow: Annotated[Flow | None, Field(description="service_first, provider_first or auto")] = None
    serviceSelectionMode: Annotated[Mode | None, Field(description="required, optional, auto, hidden")] = None
    providerSelectionMode: Annotated[
        Mode | None, Field(description="required, optional, auto, hidden (auto/hidden hide providers)")
    ] = None
    assignmentStrategy: Annotated[
        Strategy | None, Field(description="Overrides availability.assignmentStrategy; manual: chosen")
    ] = None
    minAdvanceMinutes: Annotated[int | None, Field(ge=0, le=525_600)] = None
    maxAdvanceDays: Annotated[int | None, Field(ge=1, le=730)] = None
    sameDayBooking: Flag = None
    onDemand: Annotated[Flag, Field(description="Any future time, ignoring the minimum advance")] = None
    cancellationType: Annotated[
        Literal["free", "penalty", "block"] | None,
        Field(description="Overrides policies.cancellationType for bookings made here"),
    ] = None
    cancellationDeadlineHours: Annotated[int | None, Field(ge=0, le=720)] = None
    cancellationPenaltyKind: Literal["amount", "percent"] | None = None
    cancellationPenaltyValue: Annotated[int | None, Field(ge=0, le=100_000_000)] = None
    showSessions: Flag = None
    showClientNames: Flag = None
    showProviderUtilization: Flag = None
    showProviderList: Flag = None
    prepaymentRequired: Annotated[
        Flag, Field(description="Recorded only: collecting money comes with finance")
    ] = None


def changes_of(args: Settings) -> dict[str, Any]:
    """The fields given (an omitted one arrives as null: it changes nothing)."""
    return {col: v for arg, col in FIELD_MAP.items() if (v := getattr(args, arg)) is not None}


class AgendaOut(BaseModel):
    id: int
    slug: str
    title: str
    description: str | None
    isPublic: bool
    isActive: bool
    isDefault: bool
    published: bool
    providerId: int | None
    serviceIds: list[int]
    bookingFlow: str
    serviceSelectionMode: str
    providerSelectionMode: str
    assignmentStrategy: str | None = Field(description="null: the practice's strategy")
    minAdvanceMinutes: int
    maxAdvanceDays: int
    sameDayBooking: bool
    onDemand: bool
    cancellationType: str | None = Field(description="null: the practice's policy")
    cancellationDeadlineHours: int | None
    cancellationPenaltyKind: str | None
    cancellationPenaltyValue: int | None
    showSessions: bool
    showClientNames: bool
    showProviderUtilization: bool
    showProviderList: bool
    prepaymentRequired: bool
    sessionCount: int
    createdAt: datetime
    updatedAt: datetime


class AgendaList(BaseModel):
    agendas: list[AgendaOut]
    count: int


def shape(x: AgendaInfo) -> dict[str, Any]:
    out: dict[str, Any] = {arg: x.values[col] for arg, col in FIELD_MAP.items()}
    out.update(
        id=x.id,
        slug=x.slug,
        serviceIds=x.service_ids,
        published=x.published,
        sessionCount=x.session_count,
        createdAt=x.created_at,
        updatedAt=x.updated_at,
    )
    return AgendaOut.model_validate(out).model_dump(mode="json")


def _line(x: AgendaInfo) -> str:
    flags = [f for f, on in (("default", x.values["is_default"]), ("public", x.values["is_public"])) if on]
    return (
        f"{x.id} {x.slug}: {x.values['title']} ({', '.join(flags) or 'private'}), {x.session_count} sessions"
    )


class ListIn(Input):
    pass


async def _list(call: Call[ListIn]) -> Result:
    rows = await call.app.agendas.all(call.p)
    return Result(
        {"agendas": [shape(x) for x in rows], "count": len(rows)},
        "\n".join(map(_line, rows)) or "No agendas yet.",
    )


AGENDAS_LIST = Operation(
    name="agendas_list",
    title="List Agendas",
    description="List the practice's public agendas with their linked provider, services and the "
    "number of sessions booked through each. One of them is the default (isDefault).",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=ListIn,
    output=AgendaList,
    run=_list,
)


class CreateIn(Settings):
    slug: Annotated[
        str,
        Field(min_length=1, max_length=63, description="Unique in the practice: /{orgSlug}/agenda/{slug}"),
    ]
    title: Annotated[str, Field(min_length=1, max_length=200)]


async def _create(call: Call[CreateIn]) -> Result:
    a = call.args
    x = await call.app.agendas.create(call.p, a.slug, changes_of(a), a.serviceIds)
    return Result(shape(x), "Created agenda " + _line(x))


AGENDAS_CREATE = Operation(
    name="agendas_create",
    title="Create Agenda",
    description="Create a public agenda: a shareable booking page where clients book themselves "
    "(/{orgSlug}/agenda/{slug}; the default agenda at /{orgSlug}/book). Links a provider (their "
    "services are linked too) and/or services. Sets the booking flow, selection modes, assignment "
    "strategy, booking policy (min/max advance, same-day, on-demand), cancellation policy (overrides "
    "the practice's for bookings made here), privacy flags and prepayment (recorded only). The first "
    "agenda becomes the default. Requires the admin scope.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=CreateIn,
    output=AgendaOut,
    run=_create,
)


class GetIn(Input):
    agendaId: AgendaId


async def _get(call: Call[GetIn]) -> Result:
    x = await call.app.agendas.get(call.p, call.args.agendaId)
    return Result(shape(x), _line(x))


AGENDAS_GET = Operation(
    name="agendas_get",
    title="Get Agenda",
    description="Get every setting of an agenda: booking flow, selection modes, assignment strategy, "
    "booking and cancellation policies, privacy flags, linked provider and services, session count. "
    "Use before agendas_update.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=GetIn,
    output=AgendaOut,
    run=_get,
)


class UpdateIn(Settings):
    agendaId: AgendaId
    slug: Annotated[str | None, Field(min_length=1, max_length=63)] = None


async def _update(call: Call[UpdateIn]) -> Result:
    a = call.args
    x = await call.app.agendas.update(call.p, a.agendaId, changes_of(a), a.serviceIds, slug=a.slug)
    return Result(shape(x), "Updated agenda " + _line(x))


AGENDAS_UPDATE = Operation(
    name="agendas_update",
    title="Update Agenda",
    description="Update an agenda: partial, only the fields given change. When a provider is "
    "assigned, their services are linked to the agenda. Making an agenda the default unmarks the "
    "previous one. Requires the admin scope.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=UpdateIn,
    output=AgendaOut,
    run=_update,
)


class DeleteIn(Input):
    agendaId: AgendaId
    confirm: ConfirmFlag = None


class DeletedOut(BaseModel):
    id: int
    slug: str
    deleted: bool
    cancelledSessionIds: list[int]
    unlinkedServices: int


async def _delete(call: Call[DeleteIn]) -> Result:
    x = await call.app.agendas.delete(call.p, call.args.agendaId, call.consent)
    data = {
        "id": x.id,
        "slug": x.slug,
        "deleted": True,
        "cancelledSessionIds": x.cancelled_session_ids,
        "unlinkedServices": x.unlinked_services,
    }
    return Result(data, f"Deleted agenda {x.slug}; cancelled {len(x.cancelled_session_ids)} sessions")


async def _ask_delete(call: Call[Any]) -> str:
    x = await call.app.agendas.get(call.p, call.args.agendaId)
    return f"Delete agenda {x.slug} permanently? Its {x.session_count} sessions' active ones are cancelled."


AGENDAS_DELETE = Operation(
    name="agendas_delete",
    title="Delete Agenda",
    description="Delete an agenda permanently. Cascades: the sessions booked through it that are still "
    "active are cancelled (each a recorded transition), its service links are removed, its past "
    "bookings keep their history without it; all recorded in the audit trail. Requires confirm: true. "
    "Cannot be undone.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=DeleteIn,
    output=DeletedOut,
    run=_delete,
    ask=_ask_delete,
)


class ToggleIn(Input):
    discoverable: Annotated[bool, Field(description="true: flags on; false: off")]
    agendaId: Annotated[OptionalId, Field(description="The agenda (default: the default agenda)")] = None


async def _toggle(call: Call[ToggleIn]) -> Result:
    a = call.args
    x = await call.app.agendas.toggle_discoverable(call.p, a.discoverable, a.agendaId)
    return Result(shape(x), f"Agenda {x.slug}: isPublic and published set to {a.discoverable}")


ADMIN_TOGGLE_DISCOVERABLE = Operation(
    name="admin_toggle_discoverable",
    title="Toggle Discoverable (Admin)",
    description="Toggle the lifecycle flags isPublic and published of an agenda (the default one "
    "unless agendaId is given). Flags only: Frontdesk has no registry to publish to, so nothing is "
    "published anywhere; the flags record the practice's choice (isPublic decides whether the public "
    "booking surface serves the agenda). Requires the admin scope.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=ToggleIn,
    output=AgendaOut,
    run=_toggle,
)

OPERATIONS = (
    AGENDAS_LIST,
    AGENDAS_CREATE,
    AGENDAS_GET,
    AGENDAS_UPDATE,
    AGENDAS_DELETE,
    ADMIN_TOGGLE_DISCOVERABLE,
)
