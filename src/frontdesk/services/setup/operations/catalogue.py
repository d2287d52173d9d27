"""Services (the catalogue) as operations: create, list, get, update, assign a provider; and
manage_services, the same grouped under one tool for /mcp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.currencies import plain
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
    Result,
)
from frontdesk.services.setup.catalogue import ServiceFields, ServiceFilter
from frontdesk.services.setup.operations.fields import (
    Currency,
    Flag,
    Minutes,
    Name,
    PriceCents,
    ProviderId,
    ProviderIds,
    Search,
    ServiceId,
    TenantId,
    own_tenant,
)
from frontdesk.services.setup.shapes import ServiceOut

SETUP_READ = (access.APPOINTMENTS_READ, access.ADMIN)
Category = Annotated[str | None, Field(max_length=80, description="e.g. Hygiene, Surgery")]
Description = Annotated[str | None, Field(max_length=1000)]
Duration = Annotated[int | None, Field(ge=5, le=720, description="Length in minutes")]
FIELDS = (
    "name",
    "category",
    "description",
    "duration_minutes",
    "price_cents",
    "currency",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "active",
    "discoverable",
)


class ServiceList(BaseModel):
    services: list[ServiceOut]
    count: int


def _line(s: ServiceOut) -> str:
    who = ", ".join(map(str, s.provider_ids)) or "no provider: cannot be booked"
    state = "" if s.active else " (inactive)"
    price = plain(s.price_cents, s.currency)
    return f"{s.id}: {s.name}{state}, {s.duration_minutes} min, {price}; providers {who}"


def _fields(a: Any) -> ServiceFields:
    return ServiceFields(**{f: getattr(a, f, None) for f in FIELDS})


def _one(s: ServiceOut, verb: str) -> Result:
    return Result(s, f"{verb} {_line(s)}")


def _many(rows: Sequence[ServiceOut]) -> Result:
    return Result(
        ServiceList(services=list(rows), count=len(rows)), "\n".join(map(_line, rows)) or "No services."
    )


# --- single operations (the seeds' tools) -------------------------------------------------------


class ServiceCreateIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    duration_minutes: Annotated[int, Field(ge=5, le=720, description="Length in minutes")]
    category: Category = None
    description: Description = None
    price_cents: PriceCents = None
    currency: Currency = None
    buffer_before_minutes: Minutes = None
    buffer_after_minutes: Minutes = None
    active: Flag = None
    discoverable: Annotated[bool | None, Field(description="Listed for public booking (default true)")] = None
    provider_ids: ProviderIds = None
    idempotency_key: IdempotencyKey = None


async def _create(call: Call[ServiceCreateIn]) -> Result:
    a = call.args
    row = await call.app.setup.catalogue.create(call.p, _fields(a), a.provider_ids, call.idem)
    return _one(row, "Created")


SERVICE_CREATE = Operation(
    name="service_create",
    title="Create Service",
    description="Owners and admins: add a bookable service (name, duration, price in minor units with "
    "an ISO 4217 currency, buffers, category, description). Give provider_ids to say who delivers it; "
    "with exactly one active provider it is assigned to them. A service with no provider cannot be "
    "booked: use service_assign_provider.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=ServiceCreateIn,
    output=ServiceOut,
    run=_create,
)


class ServiceListIn(Input):
    active: Annotated[bool | None, Field(description="Only active (true) or inactive (false) ones")] = None
    discoverable: Flag = None
    category: Category = None
    search: Search = None
    tenant_id: TenantId = None


async def _list(call: Call[ServiceListIn]) -> Result:
    own_tenant(call)
    a = call.args
    flt = ServiceFilter(active=a.active, discoverable=a.discoverable, category=a.category, search=a.search)
    return _many(await call.app.setup.catalogue.find(call.p, flt))


SERVICE_LIST = Operation(
    name="service_list",
    title="List Services",
    description="The practice's services with duration, price, buffers and the providers who deliver "
    "each (one with none cannot be booked). Filter by active status, discoverability, category or "
    "words in the name or description.",
    scopes=SETUP_READ,
    hints=READ,
    input=ServiceListIn,
    output=ServiceList,
    run=_list,
)


class ServiceGetIn(Input):
    service_id: Annotated[Id, Field(description="Service id (from service_list)")]
    tenant_id: TenantId = None


async def _get(call: Call[ServiceGetIn]) -> Result:
    own_tenant(call)
    return _one(await call.app.setup.catalogue.get(call.p, call.args.service_id), "Service")


SERVICE_GET = Operation(
    name="service_get",
    title="Get Service",
    description="One service with its providers and its price history (every price change, when and "
    "by whom).",
    scopes=SETUP_READ,
    hints=READ,
    input=ServiceGetIn,
    output=ServiceOut,
    run=_get,
)


class ServiceUpdateIn(Input):
    service_id: Annotated[Id, Field(description="Service id (from service_list)")]
    name: Name = None
    category: Category = None
    description: Description = None
    duration_minutes: Duration = None
    price_cents: PriceCents = None
    currency: Currency = None
    buffer_before_minutes: Minutes = None
    buffer_after_minutes: Minutes = None
    active: Flag = None
    discoverable: Flag = None
    idempotency_key: IdempotencyKey = None


async def _update(call: Call[ServiceUpdateIn]) -> Result:
    a = call.args
    row = await call.app.setup.catalogue.update(call.p, a.service_id, _fields(a), call.idem)
    return _one(row, "Updated")


SERVICE_UPDATE = Operation(
    name="service_update",
    title="Update Service",
    description="Owners and admins: change a service (price, duration, buffers, status, ...); only the "
    "fields given change. A price change is kept in the price history.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=ServiceUpdateIn,
    output=ServiceOut,
    run=_update,
)


class AssignIn(Input):
    service_id: Annotated[Id, Field(description="Service id (from service_list)")]
    provider_id: Annotated[Id, Field(description="Provider id (from admin_list_providers)")]
    assigned: Annotated[bool, Field(description="true: assign (the default); false: unassign")] = True
    idempotency_key: IdempotencyKey = None


async def _assign(call: Call[AssignIn]) -> Result:
    a = call.args
    row = await call.app.setup.catalogue.assign(
        call.p, a.service_id, a.provider_id, assigned=a.assigned, idem=call.idem
    )
    return _one(row, "Assigned:" if a.assigned else "Unassigned:")


SERVICE_ASSIGN_PROVIDER = Operation(
    name="service_assign_provider",
    title="Assign Provider to Service",
    description="Owners and admins: assign a provider to a service, or unassign one (assigned: false). "
    "Controls which providers can deliver which services; a service with no provider cannot be booked.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=AssignIn,
    output=ServiceOut,
    run=_assign,
)


# --- manage_services (/mcp) -----------------------------------------------------------------------


class ManageServicesIn(Input):
    action: Literal["list", "get", "create", "update", "assign_provider", "unassign_provider"]
    service_id: ServiceId = None
    provider_id: ProviderId = None
    provider_ids: ProviderIds = None
    name: Name = None
    category: Category = None
    description: Description = None
    duration_minutes: Duration = None
    price_cents: PriceCents = None
    currency: Currency = None
    buffer_before_minutes: Minutes = None
    buffer_after_minutes: Minutes = None
    active: Flag = None
    discoverable: Flag = None
    search: Search = None
    idempotency_key: IdempotencyKey = None


class ManagedServices(BaseModel):
    action: str
    services: list[ServiceOut]
    count: int


def _managed(call: Call[ManageServicesIn], rows: Sequence[ServiceOut]) -> Result:
    data = ManagedServices(action=call.args.action, services=list(rows), count=len(rows))
    return Result(data, "\n".join(map(_line, rows)) or "No services.")


async def _m_list(call: Call[ManageServicesIn]) -> Result:
    a = call.args
    flt = ServiceFilter(active=a.active, discoverable=a.discoverable, category=a.category, search=a.search)
    return _managed(call, await call.app.setup.catalogue.find(call.p, flt))


async def _m_get(call: Call[ManageServicesIn]) -> Result:
    return _managed(call, [await call.app.setup.catalogue.get(call.p, call.args.service_id or 0)])


async def _m_create(call: Call[ManageServicesIn]) -> Result:
    a = call.args
    return _managed(
        call, [await call.app.setup.catalogue.create(call.p, _fields(a), a.provider_ids, call.idem)]
    )


async def _m_update(call: Call[ManageServicesIn]) -> Result:
    a = call.args
    return _managed(
        call, [await call.app.setup.catalogue.update(call.p, a.service_id or 0, _fields(a), call.idem)]
    )


async def _m_assign(call: Call[ManageServicesIn]) -> Result:
    a = call.args
    row = await call.app.setup.catalogue.assign(
        call.p, a.service_id or 0, a.provider_id or 0, assigned=a.action == "assign_provider", idem=call.idem
    )
    return _managed(call, [row])


_EDIT = tuple(f for f in FIELDS if f not in ("name", "duration_minutes"))
MANAGE_SERVICES = Operation(
    name="manage_services",
    title="Manage services",
    description="The catalogue of services (visit types): list and read them (any staff); create, "
    "change, and assign or unassign the providers who deliver them (owners and admins). Prices are "
    "integer minor units with an ISO 4217 currency; a price change is kept in the price history. A "
    "service with no provider cannot be booked.",
    scopes=SETUP_READ,
    hints=MANAGE,
    input=ManageServicesIn,
    output=ManagedServices,
    actions={
        "list": Action("services, filtered", _m_list, (), ("active", "discoverable", "category", "search")),
        "get": Action("one service with its price history", _m_get, ("service_id",)),
        "create": Action("a new service", _m_create, ("name", "duration_minutes"), (*_EDIT, "provider_ids")),
        "update": Action("change a service", _m_update, ("service_id",), FIELDS),
        "assign_provider": Action("a provider delivers it", _m_assign, ("service_id", "provider_id")),
        "unassign_provider": Action("a provider no longer does", _m_assign, ("service_id", "provider_id")),
    },
)
