"""Build an MCP server for one surface: the same operations over stdio, Streamable HTTP and in-process.

A surface is a set of tools under one vocabulary: `frontdesk` is Frontdesk's own (served at `/mcp`),
the others serve one seed's exact tools (names, parameters, annotations) at `/mcp/<name>`, so a client
written for that system works unchanged. Which operations each serves is in `frontdesk.mcp.surfaces`.

Two steps, so that `frontdesk stdio` can answer `initialize` before the rest has loaded:
`new_server()` is the server alone (identity, instructions and every protocol handler, hence every
capability) and imports only the SDK; `install()` adds the guard, the tools and any resources,
importing the services. `build_server()` does both."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool, ToolManager
from mcp_types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from frontdesk import __version__
from frontdesk.domain.errors import FrontdeskError, Internal
from frontdesk.mcp import protocol
from frontdesk.mcp.errors import Style, invalid_arguments, tool_error

if TYPE_CHECKING:
    from mcp.server.context import ServerMiddleware

    from frontdesk.composition import Frontdesk
    from frontdesk.services.context import Principal

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SurfaceInfo:
    """What a surface answers before its tools are loaded."""

    name: str
    path: str
    title: str
    instructions: str
    # Served over HTTP without a token (the public booking surface): no OAuth resource, no stdio.
    anonymous: bool = False


FRONTDESK_INSTRUCTIONS = """Frontdesk runs a practice's schedule and chart. Typical flows:
- Today's schedule: list_datebooks, then list_appointments for today's range.
- Booking: find_patients (or give patient_name for a new patient), list_doctors, find_available_slots,
  then create_appointment; or hold_slot while the patient decides, then confirm_appointment.
- Changes: list_appointments to find the appointment, then update_appointment.
Times are ISO 8601; without an offset they are read in the datebook's time zone. Frontdesk refuses
double bookings and times outside working hours, and says why. Cancelling and deleting ask the person
first (or need confirm: true once they agreed).
The chart (clinicians): find_patients, then review_patient_history for the picture; document_encounter
for a visit's note; manage_patient_drugs checks allergies and duplicate therapy before prescribing."""

SURFACES: Mapping[str, SurfaceInfo] = {
    s.name: s
    for s in (
        SurfaceInfo("frontdesk", "/mcp", "Frontdesk", FRONTDESK_INSTRUCTIONS),
        SurfaceInfo(
            "odonto",
            "/mcp/odonto",
            "Frontdesk (Odonto.me tools)",
            "Dental appointments: list_datebooks, list_doctors, search_patients, list_appointments, "
            "create_appointment, update_appointment. Times are ISO 8601 in the datebook's time zone.",
        ),
        SurfaceInfo(
            "medapp",
            "/mcp/medapp",
            "Frontdesk (Medical Appointment tools)",
            "Find a doctor with search_doctors, their open times with get_available_slots, and book with "
            "schedule_appointment (patient name and phone). The widget ui://widget/medical-app.html "
            "renders each result.",
        ),
        SurfaceInfo(
            "coordinalo",
            "/mcp/coordinalo",
            "Frontdesk (Coordinalo / Servicialo tools)",
            "Professional-services scheduling: services, providers, availability, clients, bookings "
            "through the Servicialo lifecycle, settings and reports. Parameters are camelCase; "
            "cancelling and rescheduling need confirm: true.",
        ),
        SurfaceInfo(
            "medcor",
            "/mcp/medcor",
            "Frontdesk (MedCor tools)",
            "Hospital and clinic scheduling: doctors, nurses, patients, treatments, appointment slots "
            "and appointments of the caller's own tenant.",
        ),
        SurfaceInfo(
            "public",
            "/mcp/public",
            "Frontdesk (public booking, no key)",
            "Book with a practice without an account: public_service_list, then "
            "public_availability_get_slots, then public_booking_create (the person's identity, the "
            "channel, and authorization.humanIntentConfirmed: true), then public_booking_confirm with "
            "the confirmationToken within 30 minutes. The bookingToken reaches that one booking: "
            "public_booking_get, public_booking_cancel, public_booking_reschedule. Every tool takes the "
            "practice's orgSlug.",
            anonymous=True,
        ),
        SurfaceInfo(
            "charm",
            "/mcp/charm",
            "Frontdesk (CharmHealth EHR tools)",
            "The chart: findPatients first, then reviewPatientHistory; documentEncounter for a visit's "
            "SOAP note; managePatientDrugs checks allergies before prescribing; getPracticeInfo for "
            "facilities and providers; manageAppointments for the schedule.",
        ),
    )
}


class FrontdeskServer(MCPServer[Any]):
    """MCPServer for one surface, whose every tool failure reads like every other Frontdesk error."""

    def __init__(self, surface: SurfaceInfo) -> None:
        super().__init__(
            "frontdesk",
            title=surface.title,
            version=__version__,
            instructions=surface.instructions,
            website_url="https://github.com/frontdesk-health/frontdesk",
            # The SDK configures the root logger when nothing has (basicConfig): at WARNING, as
            # frontdesk.logs does, not the SDK's INFO (a line per tool call nobody asked for).
            log_level="WARNING",
        )
        self.surface = surface
        self._styles: dict[str, Style] = {}
        self._words: dict[str, Mapping[str, str]] = {}
        self._takes: dict[str, list[str]] = {}
        self._fields: dict[str, Mapping[str, str]] = {}

    def add_tools(
        self,
        tools: Sequence[Tool],
        styles: Mapping[str, Style],
        words: Mapping[str, Mapping[str, str]],
        fields: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Serve declared tools (the SDK takes `tools=` at construction; stdio adds them after the
        handshake, into a manager built the same way)."""
        self._tool_manager = ToolManager(tools=[*self._tool_manager.list_tools(), *tools])
        self._styles.update(styles)
        self._words.update(words)
        self._fields.update(fields or {})
        for tool in tools:
            self._takes[tool.name] = list(tool.parameters.get("properties", {}))

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            style = self._styles.get(name)
            if style is None:  # not one of ours (an unknown tool): the SDK's own answer
                raise
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                return tool_error(invalid_arguments(cause, self._takes.get(name, ())), style=style)
            if isinstance(cause, FrontdeskError):  # raised by a resolver (the caller, a question)
                return tool_error(
                    cause, style=style, words=self._words.get(name), fields=self._fields.get(name)
                )
            if not isinstance(exc, UnexpectedToolError):
                raise
            return tool_error(incident(name, cause or exc), style=style)


def incident(tool: str, exc: BaseException) -> Internal:
    """Log an unexpected failure under a fresh id, and what the caller is told: only that id."""
    ref = secrets.token_hex(6)
    logger.error("incident %s: tool %s failed", ref, tool, exc_info=(type(exc), exc, exc.__traceback__))
    return Internal(
        f"Frontdesk could not complete this request because of an internal error (incident {ref}). "
        "Check whether it took effect before trying again; the practice's administrator can look the "
        "incident up in the server log."
    )


def new_server(surface: str = "frontdesk") -> FrontdeskServer:
    """The server without tools: what it answers to `initialize` is already final (the capabilities
    come from the SDK's protocol handlers, all present from construction; tests compare them)."""
    server = FrontdeskServer(SURFACES[surface])
    protocol.declare(server)  # logging, prompts (Frontdesk's own surface), completions
    return server


def install(
    server: FrontdeskServer,
    app: Frontdesk,
    *,
    default_principal: Principal | None = None,
    middleware: list[ServerMiddleware[Any]] | None = None,
) -> None:
    """Everything but the bare server: the tool guard (appended to `middleware`, by default the
    server's own chain), the surface's tools and its resources."""
    from frontdesk.mcp import surfaces
    from frontdesk.mcp.telemetry import ToolCalls

    chain = server.middleware if middleware is None else middleware
    chain.append(ToolCalls(server, default_principal))  # outside the guard: it sees every outcome
    surfaces.install(server, app, default_principal, chain)
    protocol.install(server, app, default_principal)


def build_server(
    app: Frontdesk, *, surface: str = "frontdesk", default_principal: Principal | None = None
) -> FrontdeskServer:
    server = new_server(surface)
    install(server, app, default_principal=default_principal)
    return server
