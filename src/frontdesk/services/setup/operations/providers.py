"""Providers as operations: list (admin_list_providers, MedCor's list_doctors), get, create, update;
MedCor's list_nurses; and manage_providers, the same grouped under one tool for /mcp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
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
from frontdesk.services.setup.operations.fields import (
    Areas,
    Flag,
    Name,
    Place,
    ProviderId,
    Search,
    TenantId,
    Url,
    own_tenant,
)
from frontdesk.services.setup.providers import ProviderFields
from frontdesk.services.setup.shapes import ProviderOut, StaffOut

SETUP_READ = (access.APPOINTMENTS_READ, access.ADMIN)
Email = Annotated[str | None, Field(max_length=254)]
Phone = Annotated[str | None, Field(max_length=32)]
Uid = Annotated[str | None, Field(max_length=36, description="Your own identifier (default: a new UUID)")]
Commission = Annotated[int | None, Field(ge=0, le=100, description="Commission, percent (0-100)")]
FIELDS = (
    "name",
    "uid",
    "email",
    "phone",
    "specialty",
    "active",
    "commission_percent",
    "image_url",
    "city",
    "state",
    "coverage_areas",
)


class ProviderList(BaseModel):
    providers: list[ProviderOut]
    count: int


class NurseList(BaseModel):
    nurses: list[StaffOut]
    count: int


def line(p: ProviderOut) -> str:
    hours = "" if p.has_hours else "; no weekly hours yet"
    state = "" if p.active else " (inactive)"
    return f"{p.id}: {p.name}{state} — {p.specialty}; services {p.service_ids or 'none'}{hours}"


def _fields(a: Any) -> ProviderFields:
    return ProviderFields(**{f: getattr(a, f, None) for f in FIELDS})


def _many(rows: Sequence[ProviderOut]) -> Result:
    return Result(
        ProviderList(providers=list(rows), count=len(rows)), "\n".join(map(line, rows)) or "No providers."
    )


class ProviderListIn(Input):
    include_inactive: Annotated[bool, Field(description="Inactive providers too")] = False
    search: Search = None
    tenant_id: TenantId = None


async def _list(call: Call[ProviderListIn]) -> Result:
    own_tenant(call)
    a = call.args
    return _many(
        await call.app.setup.providers.find(call.p, include_inactive=a.include_inactive, query=a.search)
    )


PROVIDER_LIST = Operation(
    name="admin_list_providers",
    title="List Providers (Admin)",
    description="The practice's active providers (professionals) with their services and whether "
    "their weekly hours are set. Use the id as providerId for admin_set_availability and "
    "service_assign_provider.",
    scopes=SETUP_READ,
    hints=READ,
    input=ProviderListIn,
    output=ProviderList,
    run=_list,
)


class ProviderGetIn(Input):
    provider_id: Annotated[Id, Field(description="Provider id (from admin_list_providers)")]
    tenant_id: TenantId = None


async def _get(call: Call[ProviderGetIn]) -> Result:
    own_tenant(call)
    row = await call.app.setup.providers.get(call.p, call.args.provider_id)
    return Result(row, line(row))


PROVIDER_GET = Operation(
    name="provider_get",
    title="Get Provider",
    description="One provider: contact, specialty, commission, coverage areas, the services they "
    "deliver and whether weekly hours are set (availability_get_provider_schedule shows them).",
    scopes=SETUP_READ,
    hints=READ,
    input=ProviderGetIn,
    output=ProviderOut,
    run=_get,
)


class ProviderCreateIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    specialty: Name = None
    uid: Uid = None
    email: Email = None
    phone: Phone = None
    active: Flag = None
    commission_percent: Commission = None
    image_url: Url = None
    city: Place = None
    state: Place = None
    coverage_areas: Areas = None
    idempotency_key: IdempotencyKey = None


async def _create(call: Call[ProviderCreateIn]) -> Result:
    row = await call.app.setup.providers.create(call.p, _fields(call.args), call.idem)
    return Result(row, "Created " + line(row))


PROVIDER_CREATE = Operation(
    name="provider_create",
    title="Create Provider",
    description="Owners and admins: add a provider (professional). Then assign services "
    "(service_assign_provider) and set weekly hours (admin_set_availability): until both are done "
    "nobody can book them.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=ProviderCreateIn,
    output=ProviderOut,
    run=_create,
)


class ProviderUpdateIn(Input):
    provider_id: Annotated[Id, Field(description="Provider id (from admin_list_providers)")]
    name: Name = None
    specialty: Name = None
    uid: Uid = None
    email: Email = None
    phone: Phone = None
    active: Annotated[bool | None, Field(description="false: no longer bookable")] = None
    commission_percent: Commission = None
    image_url: Url = None
    city: Place = None
    state: Place = None
    coverage_areas: Annotated[Areas, Field(description="Replaces the list; [] clears it")] = None
    idempotency_key: IdempotencyKey = None


async def _update(call: Call[ProviderUpdateIn]) -> Result:
    a = call.args
    row = await call.app.setup.providers.update(call.p, a.provider_id, _fields(a), call.idem)
    return Result(row, "Updated " + line(row))


PROVIDER_UPDATE = Operation(
    name="provider_update",
    title="Update Provider",
    description="Owners and admins: change a provider's data: status (active), commission, coverage "
    "areas, contact, specialty; only the fields given change.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=ProviderUpdateIn,
    output=ProviderOut,
    run=_update,
)


class NursesIn(Input):
    tenant_id: TenantId = None


async def _nurses(call: Call[NursesIn]) -> Result:
    own_tenant(call)
    rows = await call.app.setup.providers.nurses(call.p)
    text = "\n".join(f"{r.id}: {r.name} <{r.email}>" for r in rows) or "No nurses."
    return Result(NurseList(nurses=rows, count=len(rows)), text)


LIST_NURSES = Operation(
    name="list_nurses",
    title="List nurses",
    description="The practice's staff accounts with the nurse role (name and email). Add one with "
    "`frontdesk users create --role nurse`.",
    scopes=SETUP_READ,
    hints=READ,
    input=NursesIn,
    output=NurseList,
    run=_nurses,
)


# --- manage_providers (/mcp) ----------------------------------------------------------------------


class ManageProvidersIn(Input):
    action: Literal["list", "get", "create", "update", "list_nurses"]
    provider_id: ProviderId = None
    name: Name = None
    specialty: Name = None
    uid: Uid = None
    email: Email = None
    phone: Phone = None
    active: Flag = None
    commission_percent: Commission = None
    image_url: Url = None
    city: Place = None
    state: Place = None
    coverage_areas: Areas = None
    include_inactive: Annotated[bool | None, Field(description="(list) inactive providers too")] = None
    search: Search = None
    idempotency_key: IdempotencyKey = None


class ManagedProviders(BaseModel):
    action: str
    providers: list[ProviderOut] = Field(default_factory=list)
    nurses: list[StaffOut] | None = None
    count: int


def _managed(call: Call[ManageProvidersIn], rows: Sequence[ProviderOut]) -> Result:
    data = ManagedProviders(action=call.args.action, providers=list(rows), count=len(rows))
    return Result(data, "\n".join(map(line, rows)) or "No providers.")


async def _m_list(call: Call[ManageProvidersIn]) -> Result:
    a = call.args
    rows = await call.app.setup.providers.find(
        call.p, include_inactive=bool(a.include_inactive), query=a.search
    )
    return _managed(call, rows)


async def _m_get(call: Call[ManageProvidersIn]) -> Result:
    return _managed(call, [await call.app.setup.providers.get(call.p, call.args.provider_id or 0)])


async def _m_create(call: Call[ManageProvidersIn]) -> Result:
    return _managed(call, [await call.app.setup.providers.create(call.p, _fields(call.args), call.idem)])


async def _m_update(call: Call[ManageProvidersIn]) -> Result:
    a = call.args
    return _managed(
        call, [await call.app.setup.providers.update(call.p, a.provider_id or 0, _fields(a), call.idem)]
    )


async def _m_nurses(call: Call[ManageProvidersIn]) -> Result:
    rows = await call.app.setup.providers.nurses(call.p)
    text = "\n".join(f"{r.id}: {r.name} <{r.email}>" for r in rows) or "No nurses."
    return Result(ManagedProviders(action="list_nurses", nurses=rows, count=len(rows)), text)


MANAGE_PROVIDERS = Operation(
    name="manage_providers",
    title="Manage providers",
    description="The practice's providers (doctors, professionals): list and read them (any staff); "
    "create and change them (owners and admins): contact, specialty, status, commission percent, "
    "coverage areas. list_nurses lists the staff with the nurse role. A new provider needs services "
    "(manage_services assign_provider) and weekly hours (manage_availability set_weekly) to be bookable.",
    scopes=SETUP_READ,
    hints=MANAGE,
    input=ManageProvidersIn,
    output=ManagedProviders,
    actions={
        "list": Action(
            "providers (active; all with include_inactive)", _m_list, (), ("include_inactive", "search")
        ),
        "get": Action("one provider", _m_get, ("provider_id",)),
        "create": Action("a new provider", _m_create, ("name",), tuple(f for f in FIELDS if f != "name")),
        "update": Action("change a provider", _m_update, ("provider_id",), FIELDS),
        "list_nurses": Action("staff with the nurse role", _m_nurses),
    },
)
