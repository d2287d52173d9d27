"""Build the MCP server: the same tools over stdio, Streamable HTTP and in-process.

Two steps, so that `frontdesk stdio` can answer `initialize` before the rest has loaded:
`new_server()` is the server alone (identity, instructions and every protocol handler, hence every
capability) and imports only the SDK; `install()` adds the guard, the tools and the widget, importing
the services and the tools. `build_server()` does both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from frontdesk import __version__
from frontdesk.mcp.errors import invalid_arguments, tool_error

if TYPE_CHECKING:
    from mcp.server.context import ServerMiddleware

    from frontdesk.services.app import Frontdesk
    from frontdesk.services.context import Principal

INSTRUCTIONS = """Frontdesk runs a practice's schedule. Typical flows:
- Today's schedule: list_datebooks, then list_appointments for today's range.
- Booking: search_patients (or give patient_name for a new patient), list_doctors, find_available_slots,
  then create_appointment; or hold_slot while the patient decides, then confirm_appointment.
- Changes: list_appointments to find the appointment, then update_appointment.
Times are ISO 8601; without an offset they are read in the datebook's time zone. Frontdesk refuses
double bookings and times outside working hours, and says why.
The chart (clinicians): findPatients, then reviewPatientHistory for the picture; documentEncounter for a
visit's note; managePatientDrugs checks allergies and duplicate therapy before prescribing."""


class FrontdeskServer(MCPServer[Any]):
    """MCPServer whose argument-validation failures read like every other Frontdesk error."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                from frontdesk.mcp.tools import medapp  # loaded with the tools (install)

                style = "medapp" if name in medapp.TOOL_NAMES else "frontdesk"
                return tool_error(invalid_arguments(exc.__cause__), style=style)
            raise


def new_server() -> FrontdeskServer:
    """The server without tools: what it answers to `initialize` is already final (the capabilities
    come from the SDK's protocol handlers, all present from construction; tests compare them)."""
    return FrontdeskServer(
        "frontdesk",
        title="Frontdesk",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://github.com/frontdesk-health/frontdesk",
    )


def install(
    server: MCPServer[Any],
    app: Frontdesk,
    *,
    default_principal: Principal | None = None,
    middleware: list[ServerMiddleware[Any]] | None = None,
) -> None:
    """Everything but the bare server: the tool guard (appended to `middleware`, by default the
    server's own chain), the tools and the widget resource."""
    from importlib.resources import files

    from frontdesk.mcp.guard import ToolGuard
    from frontdesk.mcp.principal import resolver
    from frontdesk.mcp.telemetry import ToolCalls
    from frontdesk.mcp.tools import admin, clinical, medapp, scheduling

    (server.middleware if middleware is None else middleware).append(ToolCalls(server, default_principal))
    (server.middleware if middleware is None else middleware).append(ToolGuard(default_principal))
    resolve = resolver(default_principal)
    scheduling.register(server, app, resolve)
    medapp.register(server, app, resolve)
    admin.register(server, app, resolve)
    clinical.register(server, app, resolve)
    widget = files("frontdesk.widgets").joinpath("medical-app.html").read_text(encoding="utf-8")

    @server.resource(
        medapp.WIDGET_URI,
        name="medical-app",
        title="Appointment widget",
        description="Renders doctors, free times and booking confirmations from the tools' _meta.",
        mime_type="text/html+skybridge",
    )
    def medical_app_widget() -> str:
        return widget


def build_server(app: Frontdesk, *, default_principal: Principal | None = None) -> MCPServer[Any]:
    server = new_server()
    install(server, app, default_principal=default_principal)
    return server
