"""The Coordinalo / Servicialo seed's client tools (client_list, client_get, client_create,
client_update): camelCase parameters and answers over the clients use cases. The seed gives no
parameter lists; the names follow its description and its other tools (clientId, providerId)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.domain.validation import NAME_MAX
from frontdesk.services.clients import shapes
from frontdesk.services.clients.dto import Changes, Client, Draft
from frontdesk.services.clients.naming import fields_as
from frontdesk.services.clients.service import LIST_MAX, SEARCH_MAX
from frontdesk.services.dto import AppointmentInfo
from frontdesk.services.operations import CREATE, READ, UPDATE, Call, Id, Input, Operation, OptionalId, Result

# Frontdesk's field names in the services' refusals -> this seed's.
NAMES = {
    "patient_id": "clientId",
    "client_id": "clientId",
    "provider_id": "providerId",
    "first_name": "firstName",
    "last_name": "lastName",
    "titular_provider_id": "titularProviderId",
    "clear_titular_provider": "clearTitularProvider",
}
# The tools the services' texts point to, as this surface calls them.
WORDS = {"find_patients": "client_list"}

Name = Annotated[str | None, Field(max_length=NAME_MAX)]
Phone = Annotated[
    str | None,
    Field(max_length=32, description="Any format; stored in E.164 (without +code: the org's defaultRegion)"),
]
Email = Annotated[str | None, Field(max_length=254)]
Titular = Annotated[
    OptionalId, Field(description="The client's titular provider: preferred when a booking names none")
]


def client_out(c: Client) -> shapes.ClientOut:
    return shapes.ClientOut(
        id=c.id,
        uid=c.uid,
        firstName=c.first_name,
        lastName=c.last_name,
        email=c.email,
        phone=c.phone,
        dateOfBirth=c.date_of_birth.isoformat() if c.date_of_birth else None,
        status=c.status,
        titularProviderId=c.titular_provider_id,
        createdAt=c.created_at.isoformat(timespec="seconds"),
    )


def session_out(a: AppointmentInfo) -> shapes.SessionOut:
    tz = ZoneInfo(a.timezone)
    return shapes.SessionOut(
        id=a.id,
        scheduledAt=to_local_iso(a.starts_at, tz),
        endsAt=to_local_iso(a.ends_at, tz),
        status=a.status,
        providerId=a.provider_id,
        providerName=a.provider_name,
        serviceId=a.service_id,
        serviceName=a.service_name,
    )


def line(c: Client) -> str:
    return f"{c.id}: {c.full_name} <{c.email or 'no email'}> {c.phone or ''}".rstrip()


# --- client_list -------------------------------------------------------------------------------


class ListIn(Input):
    search: Annotated[
        str | None, Field(max_length=SEARCH_MAX, description="Part of the name, email or phone number")
    ] = None
    providerId: Annotated[
        OptionalId, Field(description="That provider's clients: titular provider or sessions with them")
    ] = None
    cursor: Annotated[str | None, Field(max_length=400, description="nextCursor of the previous page")] = None
    limit: Annotated[int, Field(ge=1, le=LIST_MAX, description=f"Clients per page (at most {LIST_MAX})")] = 25


async def _list(call: Call[ListIn]) -> Result:
    a = call.args
    async with fields_as(NAMES):
        page = await call.app.client_records.list(
            call.p, search=a.search, provider_id=a.providerId, cursor=a.cursor, limit=a.limit
        )
    rows = [client_out(c) for c in page.clients]
    data = shapes.ClientListOut(clients=rows, count=len(rows), nextCursor=page.next_cursor)
    text = "\n".join(line(c) for c in page.clients) or "No client matches."
    return Result(data, text + ("\n(more: pass nextCursor as cursor)" if page.next_cursor else ""))


CLIENT_LIST = Operation(
    name="client_list",
    title="List Clients",
    description="List clients of an organization with search and pagination. search matches part of the "
    "name (accents and case ignored), the email or the phone number; providerId keeps that provider's "
    "clients (whose titular provider they are, or who had sessions with them). Pages of up to "
    f"{LIST_MAX} (limit) in name order: pass nextCursor as cursor for the next one.",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=ListIn,
    output=shapes.ClientListOut,
    run=_list,
)


# --- client_get --------------------------------------------------------------------------------


class GetIn(Input):
    clientId: Annotated[Id, Field(description="The client's id (from client_list)")]


async def _get(call: Call[GetIn]) -> Result:
    async with fields_as(NAMES):
        d = await call.app.client_records.get(call.p, call.args.clientId)
    sessions = [session_out(a) for a in d.recent_sessions]
    data = shapes.ClientGetOut(client=client_out(d.client), recentSessions=sessions)
    recent = "; ".join(f"{s.scheduledAt} {s.providerName} ({s.status})" for s in sessions)
    return Result(data, line(d.client) + ("\nRecent sessions: " + recent if recent else "\nNo sessions yet."))


CLIENT_GET = Operation(
    name="client_get",
    title="Get Client",
    description="Get complete details of a client including their titular provider and recent sessions "
    "(the latest ten, newest first).",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=GetIn,
    output=shapes.ClientGetOut,
    run=_get,
)


# --- client_create -----------------------------------------------------------------------------


class CreateIn(Input):
    firstName: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    lastName: Name = None
    email: Annotated[
        Email, Field(description="Identifies the person: a client with this email is linked")
    ] = None
    phone: Phone = None
    titularProviderId: Titular = None


async def _create(call: Call[CreateIn]) -> Result:
    a = call.args
    draft = Draft(a.firstName, a.lastName, a.email, a.phone, a.titularProviderId)
    async with fields_as(NAMES):
        done = await call.app.client_records.create(call.p, draft)
    data = shapes.ClientCreateOut(client=client_out(done.client), linked=done.linked)
    if done.linked:
        text = f"Linked: a client with this email already exists ({line(done.client)}); nothing was created"
        return Result(data, text + " or changed (use client_update to change details).")
    return Result(data, "Created " + line(done.client))


CLIENT_CREATE = Operation(
    name="client_create",
    title="Create Client",
    description="Create a new client in the organization. If a Person with the same email exists, it will "
    "be linked (not duplicated): that client is returned with linked: true and is not changed. Emails "
    "are compared ignoring case; phone numbers are stored in E.164 (a number without +code is read in "
    "the org's basics.defaultRegion). titularProviderId sets the client's titular provider.",
    scopes=(access.PATIENTS_WRITE,),
    hints=CREATE,
    input=CreateIn,
    output=shapes.ClientCreateOut,
    run=_create,
)


# --- client_update -----------------------------------------------------------------------------


class UpdateIn(Input):
    clientId: Annotated[Id, Field(description="The client's id (from client_list)")]
    firstName: Name = None
    lastName: Name = None
    email: Annotated[
        Email, Field(description="Cannot be changed via MCP: only the current address is accepted")
    ] = None
    phone: Annotated[Phone, Field(description='Any format; stored in E.164; "" clears it')] = None
    titularProviderId: Titular = None
    clearTitularProvider: Annotated[
        bool | None, Field(description="true: the client no longer has a titular provider")
    ] = None


async def _update(call: Call[UpdateIn]) -> Result:
    a = call.args
    changes = Changes(
        first_name=a.firstName,
        last_name=a.lastName,
        email=a.email,
        phone=a.phone,
        titular_provider_id=a.titularProviderId,
        clear_titular_provider=bool(a.clearTitularProvider),
    )
    async with fields_as(NAMES):
        c = await call.app.client_records.update(call.p, a.clientId, changes)
    return Result(shapes.ClientUpdateOut(client=client_out(c)), "Updated " + line(c))


CLIENT_UPDATE = Operation(
    name="client_update",
    title="Update Client",
    description="Update an existing client's personal data: firstName, lastName, phone (stored in E.164; "
    '"" clears it), the titular provider (titularProviderId, or clearTitularProvider: true). Email cannot '
    "be changed via MCP: a different email is refused.",
    scopes=(access.PATIENTS_WRITE,),
    hints=UPDATE,
    input=UpdateIn,
    output=shapes.ClientUpdateOut,
    run=_update,
)

OPERATIONS = (CLIENT_LIST, CLIENT_GET, CLIENT_CREATE, CLIENT_UPDATE)
