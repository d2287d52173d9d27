"""Build the MCP server: the same tools over stdio, Streamable HTTP and in-process."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from frontdesk import __version__
from frontdesk.mcp.errors import invalid_arguments, tool_error
from frontdesk.mcp.guard import ToolGuard
from frontdesk.mcp.principal import resolver
from frontdesk.mcp.tools import admin, clinical, medapp, scheduling
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
                style = "medapp" if name in medapp.TOOL_NAMES else "frontdesk"
                return tool_error(invalid_arguments(exc.__cause__), style=style)
            raise


def build_server(app: Frontdesk, *, default_principal: Principal | None = None) -> MCPServer[Any]:
    server = FrontdeskServer(
        "frontdesk",
        title="Frontdesk",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://github.com/frontdesk-health/frontdesk",
    )
    server.middleware.append(ToolGuard(default_principal))
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

    return server
