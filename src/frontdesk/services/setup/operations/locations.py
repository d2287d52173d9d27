"""manage_locations: the practice's locations (datebooks), listed by any staff and created or changed
by owners and admins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.operations import MANAGE, Action, Call, IdempotencyKey, Input, Operation, Result
from frontdesk.services.setup.locations import LocationFields
from frontdesk.services.setup.operations.fields import Flag, LocationId, Name, Place
from frontdesk.services.setup.shapes import LocationOut

FIELDS = ("name", "timezone", "address", "city", "state", "active")


class ManageLocationsIn(Input):
    action: Literal["list", "create", "update"]
    location_id: LocationId = None
    name: Name = None
    timezone: Annotated[str | None, Field(max_length=64, description="IANA zone, e.g. America/New_York")] = (
        None
    )
    address: Annotated[str | None, Field(max_length=200)] = None
    city: Place = None
    state: Place = None
    active: Flag = None
    include_inactive: Annotated[bool | None, Field(description="(list) inactive locations too")] = None
    idempotency_key: IdempotencyKey = None


class ManagedLocations(BaseModel):
    action: str
    locations: list[LocationOut]
    count: int


def _managed(call: Call[ManageLocationsIn], rows: Sequence[LocationOut]) -> Result:
    data = ManagedLocations(action=call.args.action, locations=list(rows), count=len(rows))
    text = "\n".join(f"{r.id}: {r.name} ({r.timezone}){'' if r.active else ' (inactive)'}" for r in rows)
    return Result(data, text or "No locations.")


def _fields(a: ManageLocationsIn) -> LocationFields:
    return LocationFields(**{f: getattr(a, f) for f in FIELDS})


async def _list(call: Call[ManageLocationsIn]) -> Result:
    rows = await call.app.setup.locations.find(call.p, include_inactive=bool(call.args.include_inactive))
    return _managed(call, rows)


async def _create(call: Call[ManageLocationsIn]) -> Result:
    return _managed(call, [await call.app.setup.locations.create(call.p, _fields(call.args), call.idem)])


async def _update(call: Call[ManageLocationsIn]) -> Result:
    a = call.args
    return _managed(
        call, [await call.app.setup.locations.update(call.p, a.location_id or 0, _fields(a), call.idem)]
    )


MANAGE_LOCATIONS = Operation(
    name="manage_locations",
    title="Manage locations",
    description="The practice's locations (datebooks: one calendar per clinic site, each with its own "
    "time zone). List them (any staff); create or change them (owners and admins): name, address, "
    "city, state, IANA time zone, active. Bookings and weekly hours belong to a location.",
    scopes=(access.APPOINTMENTS_READ, access.ADMIN),
    hints=MANAGE,
    input=ManageLocationsIn,
    output=ManagedLocations,
    actions={
        "list": Action("locations (active; all with include_inactive)", _list, (), ("include_inactive",)),
        "create": Action(
            "a new location", _create, ("name", "timezone"), ("address", "city", "state", "active")
        ),
        "update": Action("change a location", _update, ("location_id",), FIELDS),
    },
)
