"""Which operations each surface serves, under which names and parameters.

`frontdesk` (`/mcp`) serves every operation once under Frontdesk's own names. A seed surface serves
exactly that seed's tools: its names, its parameters (Frontdesk's extras left out), its annotations;
where the seed's contract is that the client confirms a destructive tool with the person, that
binding says so (`client_confirms`)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context

from frontdesk.mcp.guard import ToolGuard
from frontdesk.mcp.principal import from_request
from frontdesk.mcp.registry import Binding, build_tool
from frontdesk.services.admin import operations as admin
from frontdesk.services.context import Principal
from frontdesk.services.scheduling import medapp
from frontdesk.services.scheduling import operations as sched

if TYPE_CHECKING:
    from mcp.server.context import ServerMiddleware

    from frontdesk.mcp.server import FrontdeskServer
    from frontdesk.services.app import Frontdesk

WIDGET_URI = "ui://widget/medical-app.html"  # ChatGPT (Apps SDK): text/html+skybridge
APP_URI = "ui://widget/medical-app.mcp-app.html"  # MCP Apps hosts: the same page as text/html;profile=mcp-app


def _frontdesk() -> tuple[Binding, ...]:
    ops = [*sched.OPERATIONS, *admin.OPERATIONS]
    # The Odonto.me name-only patient search is find_patients' job here.
    return tuple(Binding(op) for op in ops if op is not sched.SEARCH_PATIENTS)


def _odonto() -> tuple[Binding, ...]:
    """The Odonto.me seed (000): six tools, its parameters only."""
    return (
        Binding(sched.LIST_DATEBOOKS),
        Binding(sched.LIST_DOCTORS, omit=frozenset({"name", "specialty", "city"})),
        Binding(sched.LIST_APPOINTMENTS, omit=frozenset({"patient_id"})),
        Binding(sched.CREATE_APPOINTMENT, omit=frozenset({"service_id", "allow_overlap", "idempotency_key"})),
        Binding(
            sched.UPDATE_APPOINTMENT,
            omit=frozenset({"allow_overlap", "confirm", "idempotency_key"}),
            client_confirms=True,  # "update_appointment is destructive — it can cancel appointments"
        ),
        Binding(sched.SEARCH_PATIENTS),
    )


def _widget(invoking: str, invoked: str) -> dict[str, Any]:
    return {
        "openai/outputTemplate": WIDGET_URI,
        "openai/toolInvocation/invoking": invoking,
        "openai/toolInvocation/invoked": invoked,
        "openai/widgetAccessible": True,
        "ui": {"resourceUri": APP_URI},
    }


def _medapp() -> tuple[Binding, ...]:
    """The Medical Appointment Server seed (004): three tools with the widget's metadata."""
    return (
        Binding(medapp.SEARCH_DOCTORS, meta=_widget("Searching for doctors...", "Found doctors")),
        Binding(
            medapp.GET_AVAILABLE_SLOTS, meta=_widget("Checking availability...", "Found available times")
        ),
        Binding(medapp.SCHEDULE_APPOINTMENT, meta=_widget("Booking appointment...", "Appointment booked")),
    )


def _charm() -> tuple[Binding, ...]:
    return ()


BINDINGS: dict[str, Callable[[], tuple[Binding, ...]]] = {
    "frontdesk": _frontdesk,
    "odonto": _odonto,
    "medapp": _medapp,
    "charm": _charm,
}


def bindings(surface: str) -> tuple[Binding, ...]:
    return BINDINGS[surface]()


def caller(default: Principal | None) -> Callable[[Context[Any, Any]], Principal]:
    """The resolver that injects who is calling: the request's token over HTTP, else `default`."""

    def who(fd_context: Context[Any, Any]) -> Principal:
        return from_request(fd_context.request_context.request, default)

    return who


def install(
    server: FrontdeskServer,
    app: Frontdesk,
    default: Principal | None,
    middleware: list[ServerMiddleware[Any]],
) -> None:
    surface = server.surface.name
    bound = bindings(surface)
    who = caller(default)
    server.add_tools(
        [build_tool(b, app, who) for b in bound], {b.tool_name: b.operation.style for b in bound}
    )
    scopes = {b.tool_name: b.operation.scopes for b in bound}
    if surface in ("frontdesk", "charm"):
        from frontdesk.mcp.tools import clinical  # not yet declared as operations

        clinical.register(server, app, lambda ctx: who(ctx))
        scopes |= clinical.SCOPES
        server._styles.update(dict.fromkeys(clinical.SCOPES, "frontdesk"))
    middleware.append(ToolGuard(default, scopes))
    if surface == "medapp":
        widget = files("frontdesk.widgets").joinpath("medical-app.html").read_text(encoding="utf-8")

        for uri, mime in ((WIDGET_URI, "text/html+skybridge"), (APP_URI, "text/html;profile=mcp-app")):
            server.resource(
                uri,
                name="medical-app" if uri == WIDGET_URI else "medical-app-mcp-app",
                title="Appointment widget",
                description="Renders doctors, free times and booking confirmations from the tools' _meta.",
                mime_type=mime,
            )(lambda: widget)
