"""/mcp's manage_agendas: the Coordinalo seed's agenda tools (agendas.py) as one tool with actions
list, get, create, update, delete (the person's consent or confirm: true) and toggle_discoverable,
bound to the same runners. The fields are the agenda tools' own (camelCase); the /mcp binding names
them in snake_case (mcp/bindings/agendas.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.booking.operations import agendas as ag
from frontdesk.services.operations import (
    MANAGE,
    Action,
    Call,
    ConfirmFlag,
    Operation,
    OptionalId,
    Result,
    Runner,
)

# Every setting a create or update may change (an update also the slug).
SETTINGS = (*(f for f in ag.FIELD_MAP if f != "title"), "serviceIds")


class ManageAgendasIn(ag.Settings):
    action: Literal["list", "get", "create", "update", "delete", "toggle_discoverable"]
    agendaId: Annotated[OptionalId, Field(description="The agenda's ID (from list)")] = None
    slug: Annotated[
        str | None,
        Field(min_length=1, max_length=63, description="Unique in the practice: /{orgSlug}/agenda/{slug}"),
    ] = None
    discoverable: Annotated[bool | None, Field(description="(toggle_discoverable) true: flags on")] = None
    confirm: ConfirmFlag = None


class ManagedAgendas(BaseModel):
    action: str
    agendas: list[ag.AgendaOut]
    count: int
    deleted: ag.DeletedOut | None = Field(None, description="(delete) what the deletion did")


def _run(op: Operation) -> Runner:
    assert op.run is not None  # the agenda tools are single calls
    return op.run


def _wrapped(run: Runner) -> Runner:
    """An agenda tool's result in manage_agendas' one output shape."""

    async def wrapped(call: Call[Any]) -> Result:
        done = await run(call)
        data: Any = done.data
        name = str(call.args.action)
        if name == "delete":
            out = {"action": name, "agendas": [], "count": 0, "deleted": data}
        else:
            rows = data["agendas"] if name == "list" else [data]
            out = {"action": name, "agendas": rows, "count": len(rows)}
        return Result(ManagedAgendas.model_validate(out), done.text)

    return wrapped


MANAGE_AGENDAS = Operation(
    name="manage_agendas",
    title="Manage public agendas",
    description="Public agendas, the shareable booking pages where clients book themselves "
    "(/{orgSlug}/agenda/{slug}; the default agenda at /{orgSlug}/book): list and get them (staff); "
    "create, update (only the fields given), delete (its active sessions are cancelled; asks the "
    "person or needs confirm: true) and toggle_discoverable (isPublic and published flags only) "
    "(owners and admins). An agenda links a provider (their services too) and/or services, and sets "
    "its booking flow, selection modes, assignment strategy, booking and cancellation policies and "
    "privacy flags. The first agenda becomes the default.",
    scopes=(access.APPOINTMENTS_READ, access.ADMIN),
    hints=MANAGE,
    input=ManageAgendasIn,
    output=ManagedAgendas,
    actions={
        "list": Action("every agenda with its session count", _wrapped(_run(ag.AGENDAS_LIST))),
        "get": Action("every setting of one agenda", _wrapped(_run(ag.AGENDAS_GET)), ("agendaId",)),
        "create": Action("a new agenda", _wrapped(_run(ag.AGENDAS_CREATE)), ("slug", "title"), SETTINGS),
        "update": Action(
            "change the fields given",
            _wrapped(_run(ag.AGENDAS_UPDATE)),
            ("agendaId",),
            ("slug", "title", *SETTINGS),
        ),
        "delete": Action(
            "permanently, cancelling its active sessions",
            _wrapped(_run(ag.AGENDAS_DELETE)),
            ("agendaId",),
            ask=ag.AGENDAS_DELETE.ask,
        ),
        "toggle_discoverable": Action(
            "set isPublic and published (the default agenda unless agendaId)",
            _wrapped(_run(ag.ADMIN_TOGGLE_DISCOVERABLE)),
            ("discoverable",),
            ("agendaId",),
        ),
    },
)
