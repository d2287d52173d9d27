"""Which operations each surface serves, under which names and parameters.

`frontdesk` (`/mcp`) serves every operation once under Frontdesk's own names. A seed surface serves
exactly that seed's tools: its names, its parameters (Frontdesk's extras left out), its annotations;
where the seed's contract is that the client confirms a destructive tool with the person, that
binding says so (`client_confirms`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from importlib import resources
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context

from frontdesk.mcp.bindings import (
    agendas,
    bookings,
    campaigns,
    clients,
    email_domains,
    feeds,
    messaging,
    public,
    series,
    setup,
)
from frontdesk.mcp.guard import ToolGuard
from frontdesk.mcp.principal import from_request
from frontdesk.mcp.registry import Binding, build_tool
from frontdesk.mcp.resources import serve_patient_files
from frontdesk.services.admin import operations as admin
from frontdesk.services.clinical.operations import (
    drugs,
    encounters,
    files,
    measures,
    overview,
    patients,
    problems,
)
from frontdesk.services.context import Principal
from frontdesk.services.scheduling import medapp
from frontdesk.services.scheduling import operations as sched

if TYPE_CHECKING:
    from mcp.server.context import ServerMiddleware

    from frontdesk.composition import Frontdesk
    from frontdesk.mcp.server import FrontdeskServer

WIDGET_URI = "ui://widget/medical-app.html"  # ChatGPT (Apps SDK): text/html+skybridge
APP_URI = "ui://widget/medical-app.mcp-app.html"  # MCP Apps hosts: the same page as text/html;profile=mcp-app


CHART = (
    *patients.OPERATIONS,
    *overview.OPERATIONS,
    *encounters.OPERATIONS,
    *drugs.OPERATIONS,
    *problems.OPERATIONS,
    *measures.OPERATIONS,
    *files.OPERATIONS,
)
# On /mcp these would do list_datebooks', list_doctors' and the scheduling tools' jobs a second time.
CHARM_ONLY = frozenset({overview.GET_PRACTICE_INFO.name, overview.MANAGE_APPOINTMENTS.name})


def _frontdesk() -> tuple[Binding, ...]:
    ops = [*sched.OPERATIONS, *admin.OPERATIONS, *(op for op in CHART if op.name not in CHARM_ONLY)]
    # The Odonto.me name-only patient search is find_patients' job here.
    own = tuple(Binding(op) for op in ops if op is not sched.SEARCH_PATIENTS)
    return _worded(own + tuple(b for feature in FEATURES for b in feature.FRONTDESK), setup.FRONTDESK_WORDS)


def _worded(bound: tuple[Binding, ...], words: dict[str, str]) -> tuple[Binding, ...]:
    """Surface-wide names for the tools messages point to (any tool's message may name, say, the
    provider list); a binding's own words win."""
    return tuple(replace(b, words={**words, **b.words}) for b in bound)


# How Frontdesk's tool names in texts read on the Odonto.me surface (it has no slot search: its
# seed checks the schedule with list_appointments).
ODONTO_WORDS = {"find_patients": "search_patients", "find_available_slots": "list_appointments"}


def _odonto() -> tuple[Binding, ...]:
    """The Odonto.me seed (000): six tools, its parameters only."""
    bound = (
        Binding(sched.LIST_DATEBOOKS),
        Binding(sched.LIST_DOCTORS, omit=frozenset({"name", "specialty", "city"})),
        Binding(
            sched.LIST_APPOINTMENTS,
            omit=frozenset({"patient_id"}),
            description="Query the schedule for a date range. Use this to check availability, see who is "
            "coming in today, or review upcoming appointments. Times are ISO 8601 in the datebook's time "
            "zone unless they carry an offset. Limits: the range may span at most 90 days and at most 500 "
            "appointments are returned (truncated=true says there were more).",
        ),
        Binding(
            sched.CREATE_APPOINTMENT,
            omit=frozenset(
                {"service_id", "allow_overlap", "idempotency_key", "retroactive", "override_no_show_block"}
            ),
        ),
        Binding(
            sched.UPDATE_APPOINTMENT,
            omit=frozenset({"allow_overlap", "confirm", "idempotency_key"}),
            client_confirms=True,  # "update_appointment is destructive — it can cancel appointments"
        ),
        Binding(sched.SEARCH_PATIENTS),
    )
    return tuple(replace(b, words=ODONTO_WORDS) for b in bound)


def _widget(invoking: str, invoked: str) -> dict[str, Any]:
    return {
        "openai/outputTemplate": WIDGET_URI,
        "openai/toolInvocation/invoking": invoking,
        "openai/toolInvocation/invoked": invoked,
        "openai/widgetAccessible": True,
        "ui": {"resourceUri": APP_URI},
    }


MEDAPP_WORDS = {"find_available_slots": "get_available_slots", "list_doctors": "search_doctors"}


def _medapp() -> tuple[Binding, ...]:
    """The Medical Appointment Server seed (004): three tools with the widget's metadata."""
    return (
        Binding(medapp.SEARCH_DOCTORS, meta=_widget("Searching for doctors...", "Found doctors")),
        Binding(
            medapp.GET_AVAILABLE_SLOTS, meta=_widget("Checking availability...", "Found available times")
        ),
        Binding(
            medapp.SCHEDULE_APPOINTMENT,
            meta=_widget("Booking appointment...", "Appointment booked"),
            words=MEDAPP_WORDS,  # e.g. "already booked ...; pick another time (call get_available_slots)"
        ),
    )


# The CharmHealth seed's (003) fourteen tool names, by operation.
CHARM_NAMES = {
    patients.FIND_PATIENTS.name: "findPatients",
    patients.MANAGE_PATIENT.name: "managePatient",
    overview.REVIEW_PATIENT_HISTORY.name: "reviewPatientHistory",
    overview.GET_PRACTICE_INFO.name: "getPracticeInfo",
    overview.MANAGE_APPOINTMENTS.name: "manageAppointments",
    encounters.DOCUMENT_ENCOUNTER.name: "documentEncounter",
    drugs.MANAGE_PATIENT_DRUGS.name: "managePatientDrugs",
    drugs.MANAGE_PATIENT_ALLERGIES.name: "managePatientAllergies",
    problems.MANAGE_PATIENT_DIAGNOSES.name: "managePatientDiagnoses",
    problems.MANAGE_PATIENT_NOTES.name: "managePatientNotes",
    problems.MANAGE_PATIENT_RECALLS.name: "managePatientRecalls",
    measures.MANAGE_PATIENT_VITALS.name: "managePatientVitals",
    measures.MANAGE_PATIENT_LABS.name: "managePatientLabs",
    files.MANAGE_PATIENT_FILES.name: "managePatientFiles",
}
# How the texts' tool names read there: getPracticeInfo lists the facilities and providers.
CHARM_WORDS = {
    **CHARM_NAMES,
    "list_datebooks": "getPracticeInfo",
    "list_doctors": "getPracticeInfo",
    "list_appointments": "manageAppointments",  # its action list
}


def _charm() -> tuple[Binding, ...]:
    """The CharmHealth EHR seed (003): its fourteen tools under its names (no FHIR export, no UID
    search: the seed has neither)."""
    seed = {
        patients.FIND_PATIENTS.name: Binding(
            patients.FIND_PATIENTS,
            omit=frozenset({"uid", "provider_id"}),
            description=patients.FIND_PATIENTS_WITHOUT_UID,
        ),
        patients.MANAGE_PATIENT.name: Binding(
            patients.MANAGE_PATIENT,
            omit=patients.WITHOUT_TITULAR,
            description=patients.MANAGE_PATIENT_WITHOUT_TITULAR,
        ),
    }
    ops = [op for op in CHART if op.name in CHARM_NAMES]
    return tuple(
        replace(seed.get(op.name, Binding(op)), name=CHARM_NAMES[op.name], words=CHARM_WORDS) for op in ops
    )


# The features issue 12 adds, each with its own bindings module (mcp/bindings/).
FEATURES = (setup, bookings, clients, series, agendas, public, messaging, campaigns, email_domains, feeds)


# Coordinalo's tools for the jobs Frontdesk's messages name (report_organization_summary lists the
# locations with their ids: the seed has no location list).
COORDINALO_WORDS = {
    "list_doctors": "admin_list_providers",
    "list_services": "service_list",
    "list_datebooks": "report_organization_summary",
    "find_patients": "client_list",
}


def _coordinalo() -> tuple[Binding, ...]:
    """The Coordinalo / Servicialo seed (002): its names, camelCase parameters, confirm: true."""
    return _worded(tuple(b for feature in FEATURES for b in feature.COORDINALO), COORDINALO_WORDS)


def _medcor() -> tuple[Binding, ...]:
    """The MedCor seed (001): its scheduling, people and treatment tools (tenant_id accepted)."""
    return tuple(b for feature in FEATURES for b in feature.MEDCOR)


def _public() -> tuple[Binding, ...]:
    """The public booking surface (issue 13): the public flow's tools only."""
    return public.PUBLIC


BINDINGS: dict[str, Callable[[], tuple[Binding, ...]]] = {
    "frontdesk": _frontdesk,
    "public": _public,
    "coordinalo": _coordinalo,
    "medcor": _medcor,
    "odonto": _odonto,
    "medapp": _medapp,
    "charm": _charm,
}


def bindings(surface: str) -> tuple[Binding, ...]:
    return BINDINGS[surface]()


def caller(default: Principal | None) -> Callable[[Context[Any, Any]], Awaitable[Principal]]:
    """The resolver that injects who is calling: the request's token over HTTP, else `default`.
    (Async: the SDK runs a plain function resolver in a worker thread, a hop each call.)"""

    async def who(fd_context: Context[Any, Any]) -> Principal:
        return from_request(fd_context.request_context.request, default)

    return who


async def public_caller(fd_context: Context[Any, Any]) -> Principal:
    """Whoever sent a /mcp/public request, token or not: an anonymous caller known by its IP, of no
    practice and with no scope (the public booking service scopes it to the orgSlug's practice)."""
    request = fd_context.request_context.request
    client = getattr(request, "client", None) if request is not None else None
    ip = getattr(client, "host", None) or "in-process"
    return Principal(practice_id=0, actor=f"public:{ip}", scopes=frozenset())


def install(
    server: FrontdeskServer,
    app: Frontdesk,
    default: Principal | None,
    middleware: list[ServerMiddleware[Any]],
) -> None:
    surface = server.surface.name
    bound = bindings(surface)
    anonymous = server.surface.anonymous
    who = public_caller if anonymous else caller(default)
    server.add_tools(
        [build_tool(b, app, who) for b in bound],
        {b.tool_name: b.operation.style for b in bound},
        {b.tool_name: b.error_words for b in bound},
        {b.tool_name: b.arguments for b in bound},
    )
    # The public surface lists its tools to anyone (they need no credential).
    scopes = {} if anonymous else {b.tool_name: b.operation.scopes for b in bound}
    middleware.append(ToolGuard(default, scopes))
    lister = next((b for b in bound if b.operation is files.MANAGE_PATIENT_FILES), None)
    if lister is not None:
        serve_patient_files(server, app, who, lister.tool_name)
    if surface == "medapp":
        widget = resources.files("frontdesk.widgets").joinpath("medical-app.html").read_text(encoding="utf-8")

        for uri, mime in ((WIDGET_URI, "text/html+skybridge"), (APP_URI, "text/html;profile=mcp-app")):
            server.resource(
                uri,
                name="medical-app" if uri == WIDGET_URI else "medical-app-mcp-app",
                title="Appointment widget",
                description="Renders doctors, free times and booking confirmations from the tools' _meta.",
                mime_type=mime,
            )(lambda: widget)
