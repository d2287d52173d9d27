"""A client nobody here wrote: the TypeScript SDK's `Client` (tests/ts/probe.mjs) against a real
`frontdesk serve` (Streamable HTTP) and a real `frontdesk stdio`.

That client validates every tool result's structuredContent against the tool's outputSchema, error
results included, and throws when it does not match. So for every tool of a surface this drives one
business error (a missing record, a time outside working hours, a bad value, an unknown argument) and
requires the client to show Frontdesk's own message with isError: true: not a schema failure, not a
bare "Error executing tool". The calls follow tools/list, so a new tool without an entry in
ERROR_CASES fails here instead of being forgotten. One Node process per surface and transport."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from frontdesk.mcp.server import SURFACES as SERVED
from tests.e2e import flows
from tests.e2e.conftest import FRONTDESK, Server, cli_env, run_cli, running_server

pytestmark = pytest.mark.e2e

TS_DIR = Path(__file__).resolve().parents[1] / "ts"
PROBE = TS_DIR / "probe.mjs"
SDK_PACKAGE = TS_DIR / "node_modules" / "@modelcontextprotocol" / "sdk" / "package.json"
PROBE_SECONDS = 180

# (HTTP path, surface name): Frontdesk's own surface and each seed's.
SURFACES: list[tuple[str, str]] = [(s.path, s.name) for s in SERVED.values()]
DEFAULT_SURFACE = "frontdesk"  # what `frontdesk stdio` serves without --surface

# Phrases that mean the client never saw Frontdesk's answer.
NOT_A_MESSAGE = ("Structured content does not match", "Failed to validate structured content")


@dataclass(frozen=True)
class Case:
    """One error call: the arguments, and a fragment of the message Frontdesk itself writes for it."""

    arguments: dict[str, Any]
    expect: str
    label: str = ""


MISSING = 999999  # no record in the demo practice has this id
# A weekday, three in the morning in the datebook's own zone: outside every demo doctor's hours.
OFF_HOURS = f"{flows.next_weekday(flows.local_today(flows.NY) + timedelta(days=1)).isoformat()}T03:00:00"
# Tools without arguments have no other error to make than an argument they do not take.
UNKNOWN_ARGUMENT = Case({"no_such_argument": 1}, "no_such_argument", "unknown argument")

# tool name -> its error calls, for every surface serving a tool of that name (demo practice data).
ERROR_CASES: dict[str, list[Case]] = {
    # scheduling (Odonto.me names)
    "list_datebooks": [UNKNOWN_ARGUMENT],
    "list_doctors": [UNKNOWN_ARGUMENT],
    "list_services": [UNKNOWN_ARGUMENT],
    "list_appointments": [
        Case(
            {"datebook_id": MISSING, "start": OFF_HOURS[:10], "end": OFF_HOURS[:10] + "T23:00:00"},
            f"no datebook with id {MISSING}",
            "missing datebook",
        )
    ],
    "create_appointment": [
        Case(
            {"doctor_id": 1, "datebook_id": 1, "patient_id": 1, "starts_at": OFF_HOURS},
            "outside Dr. Ana Garcia's working hours",
            "outside working hours",
        )
    ],
    "update_appointment": [
        Case({"appointment_id": MISSING, "notes": "x"}, f"no appointment with id {MISSING}", "missing")
    ],
    "search_patients": [Case({"query": "x" * 121}, "query: String should have at most 120", "too long")],
    "find_available_slots": [
        Case({"datebook_id": MISSING}, f"no datebook with id {MISSING}", "missing datebook")
    ],
    "hold_slot": [
        Case(
            {"doctor_id": 1, "datebook_id": 1, "patient_id": 1, "starts_at": OFF_HOURS},
            "outside Dr. Ana Garcia's working hours",
            "outside working hours",
        )
    ],
    "confirm_appointment": [
        Case({"appointment_id": MISSING}, f"no appointment with id {MISSING}", "missing")
    ],
    # the ChatGPT-app tools (Medical Appointment seed)
    "search_doctors": [Case({"name": 5}, "name: Input should be a valid string", "wrong type")],
    "get_available_slots": [
        Case({"doctorName": "Nobody Here"}, "no active doctor matches 'Nobody Here'", "unknown doctor")
    ],
    "schedule_appointment": [
        Case(
            {
                "patientName": "Probe Person",
                "patientPhone": "+1 212 555 0100",
                "doctorName": "Nobody Here",
                "slotTime": "09:00",
            },
            "no active doctor matches 'Nobody Here'",
            "unknown doctor",
        )
    ],
    # administration
    "list_audit_events": [Case({"start": "not a date"}, "start must be an ISO 8601 date-time", "bad time")],
    # the chart (CharmHealth names)
    "findPatients": [
        Case({"date_of_birth": "not-a-date"}, "date_of_birth must be an ISO 8601 date", "bad date")
    ],
    "managePatient": [
        Case({"action": "get", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing"),
        Case(
            {"action": "get", "patient_id": 1, "first_name": "X"},
            "first_name is not used by action get",
            "field of another action",
        ),
    ],
    "export_patient_fhir": [Case({"patient_id": MISSING}, f"no patient with id {MISSING}", "missing")],
    "reviewPatientHistory": [Case({"patient_id": MISSING}, f"no patient with id {MISSING}", "missing")],
    "getPracticeInfo": [UNKNOWN_ARGUMENT],
    "manageAppointments": [
        Case(
            {"action": "update", "appointment_id": MISSING, "notes": "x"},
            f"no appointment with id {MISSING}",
            "missing",
        )
    ],
    "documentEncounter": [
        Case({"action": "get", "encounter_id": MISSING}, f"no record with id {MISSING}", "missing")
    ],
    "managePatientDrugs": [
        Case({"action": "list", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing patient")
    ],
    "managePatientAllergies": [
        Case({"action": "list", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing patient")
    ],
    "managePatientDiagnoses": [
        Case(
            {"action": "add", "patient_id": 1, "code": "ZZZ.999"},
            "code must be an ICD-10-CM code",
            "bad code",
        )
    ],
    "managePatientNotes": [
        Case({"action": "update", "note_id": MISSING, "text": "x"}, f"no record with id {MISSING}", "missing")
    ],
    "managePatientRecalls": [
        Case(
            {"action": "add", "patient_id": MISSING, "due_date": "2030-01-15", "reason": "probe"},
            f"no patient with id {MISSING}",
            "missing patient",
        )
    ],
    "managePatientVitals": [
        Case({"action": "list", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing patient")
    ],
    "managePatientLabs": [
        Case({"action": "get", "lab_id": MISSING}, f"no record with id {MISSING}", "missing")
    ],
    "managePatientFiles": [
        Case({"action": "get", "file_id": MISSING}, f"no record with id {MISSING}", "missing")
    ],
}
# Frontdesk's own names for the chart tools: the same operations, the same errors.
CHART_NAMES = {
    "find_patients": "findPatients",
    "manage_patient": "managePatient",
    "review_patient_history": "reviewPatientHistory",
    "document_encounter": "documentEncounter",
    "manage_patient_drugs": "managePatientDrugs",
    "manage_patient_allergies": "managePatientAllergies",
    "manage_patient_diagnoses": "managePatientDiagnoses",
    "manage_patient_notes": "managePatientNotes",
    "manage_patient_recalls": "managePatientRecalls",
    "manage_patient_vitals": "managePatientVitals",
    "manage_patient_labs": "managePatientLabs",
    "manage_patient_files": "managePatientFiles",
}
ERROR_CASES |= {ours: ERROR_CASES[seed] for ours, seed in CHART_NAMES.items()}
# surface name -> tool name -> cases, where a surface's tool of the same name answers differently.
SURFACE_CASES: dict[str, dict[str, list[Case]]] = {}

# Issue 12, bookings (mcp/bindings/bookings.py): /mcp, /mcp/coordinalo and /mcp/medcor.
NO_APPOINTMENT = f"no appointment with id {MISSING}"
ERROR_CASES |= {
    "get_appointment": [Case({"appointment_id": MISSING}, NO_APPOINTMENT, "missing")],
    "appointment_lifecycle": [
        Case({"action": "state", "appointment_id": MISSING}, NO_APPOINTMENT, "missing")
    ],
    "booking_stats": [
        Case(
            {"by": "service", "start": "not a date", "end": "2030-01-01"},
            "start must be an ISO 8601",
            "bad time",
        )
    ],
    "booking_create": [
        Case(
            {"serviceId": MISSING, "clientId": 1, "scheduledAt": OFF_HOURS},
            f"no active service with id {MISSING}",
            "missing service",
        )
    ],
    "booking_get": [Case({"sessionId": MISSING}, NO_APPOINTMENT, "missing")],
    "booking_list": [
        Case({"cursor": "nonsense"}, "cursor is not one a previous page returned", "bad cursor")
    ],
    "booking_cancel": [Case({"sessionId": MISSING, "confirm": True}, NO_APPOINTMENT, "missing")],
    "booking_reschedule": [
        Case({"sessionId": MISSING, "scheduledAt": OFF_HOURS, "confirm": True}, NO_APPOINTMENT, "missing")
    ],
    "booking_update_status": [Case({"sessionId": MISSING, "action": "confirm"}, NO_APPOINTMENT, "missing")],
    "lifecycle_get_state": [Case({"sessionId": MISSING}, NO_APPOINTMENT, "missing")],
    "lifecycle_get_history": [Case({"sessionId": MISSING}, NO_APPOINTMENT, "missing")],
    "lifecycle_transition": [Case({"sessionId": MISSING, "action": "confirm"}, NO_APPOINTMENT, "missing")],
    "availability_get_slots": [Case({"locationId": MISSING}, f"no datebook with id {MISSING}", "missing")],
    "provider_get_stats": [Case({"providerId": MISSING}, f"no active doctor with id {MISSING}", "missing")],
    "get_appointment_details": [Case({"appointment_id": MISSING}, NO_APPOINTMENT, "missing")],
    "update_appointment_status": [
        Case({"appointment_id": MISSING, "status": "confirmed"}, NO_APPOINTMENT, "missing")
    ],
    "get_treatment_stats": [Case({"tenant_id": MISSING}, f"no tenant with id {MISSING}", "other tenant")],
}
SURFACE_CASES["medcor"] = {
    "list_appointments": [Case({"tenant_id": MISSING}, f"no tenant with id {MISSING}", "other tenant")],
    "create_appointment": [
        Case(
            {
                "patient_id": 1,
                "doctor_id": 1,
                "treatment_id": 1,
                "appointment_date": OFF_HOURS[:10],
                "appointment_time": "03:00",
            },
            "nobody who can do this works then",
            "outside working hours",
        )
    ],
}

# Issue 14, messaging (mcp/bindings/messaging.py): /mcp and /mcp/coordinalo. The e2e server has no SMTP.
NO_CLIENT = f"no client with id {MISSING}"
BAD_QUIET = "reminders.quietStart must be a time of day"
ERROR_CASES |= {
    "reminders_get_config": [UNKNOWN_ARGUMENT],
    "reminders_update_config": [Case({"quietHours": {"start": "25:00"}}, BAD_QUIET, "bad time")],
    "comms_get_preferences": [Case({"clientId": MISSING}, NO_CLIENT, "missing")],
    "comms_update_preferences": [Case({"clientId": MISSING, "email": False}, NO_CLIENT, "missing")],
    "comms_send_message": [
        Case(
            {"clientId": MISSING, "customMessage": "Hola {nombre}", "confirm": True},
            "the email channel is not configured on this server",
            "no channel",
        )
    ],
    "manage_reminders": [
        Case({"action": "update", "quiet_hours": {"start": "25:00"}}, BAD_QUIET, "bad time")
    ],
    "manage_messages": [Case({"action": "get_preferences", "client_id": MISSING}, NO_CLIENT, "missing")],
}


# --- running the probe ------------------------------------------------------------------------------


def table_for(surface: str) -> dict[str, list[Case]]:
    return ERROR_CASES | SURFACE_CASES.get(surface, {})


@dataclass
class ProbeRun:
    header: dict[str, Any]  # the tool list and what the client negotiated
    results: list[dict[str, Any]]  # one per call, in tools/list order
    stderr: str


def run_probe(node: str, surface: str, options: list[str], env: dict[str, str]) -> ProbeRun:
    """One Node process: connect, tools/list, then every listed tool's error calls. The plan is given
    per tool, so the probe calls exactly the surface's tools and names any the table lacks."""
    plan = {}
    for tool, cases in table_for(surface).items():
        labels = [c.label for c in cases]
        assert len(set(labels)) == len(labels), f"{tool}: each case needs a label of its own"
        plan[tool] = [{"arguments": c.arguments, "case": c.label} for c in cases]
    proc = subprocess.run(
        [node, str(PROBE), *options],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        env=env,
        timeout=PROBE_SECONDS,
        cwd=TS_DIR,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"the probe printed nothing (exit {proc.returncode})\n{proc.stderr}"
    assert "fatal" not in lines[0], (
        f"the TS client could not connect or list: {lines[0]['fatal']}\n{proc.stderr}"
    )
    assert proc.returncode == 0, f"probe exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    header, results = lines[0], lines[1:]
    assert header["pages"] == 1, "the TS SDK keeps output validators for the last tools/list page only"
    missing = [r["tool"] for r in results if r.get("missing")]
    assert not missing, (
        f"surface {surface!r} has tools without an error case in tests/e2e/test_ts_client.py "
        f"(ERROR_CASES, or SURFACE_CASES[{surface!r}]): {missing}"
    )
    stale = sorted(set(SURFACE_CASES.get(surface, {})) - set(header["tools"]))
    assert not stale, f"SURFACE_CASES[{surface!r}] names tools the surface does not serve: {stale}"
    return ProbeRun(header, results, proc.stderr)


# --- judging what the client saw --------------------------------------------------------------------

OUTCOMES = (
    "message",
    "schema failure",
    "thrown",
    "other text",
    "not an error",
    "no message in structuredContent",
)


def _error_message(structured: Any) -> str | None:
    """Frontdesk's message inside structuredContent: error.message, or the ChatGPT-app tools' error string."""
    if not isinstance(structured, dict):
        return None
    error = structured.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    return error if isinstance(error, str) else None


def verdict(result: dict[str, Any], case: Case) -> tuple[str, str]:
    """(outcome, what the client showed). "message" is the only good outcome."""
    if not result["ok"]:
        thrown = str(result["thrown"])
        return ("schema failure" if any(p in thrown for p in NOT_A_MESSAGE) else "thrown"), thrown
    text = str(result["text"])
    if not result["isError"]:
        return "not an error", text
    if text.startswith("Error executing tool") or case.expect not in text:
        return "other text", text
    inside = _error_message(result["structuredContent"])
    if inside is None or case.expect not in inside:
        return "no message in structuredContent", json.dumps(result["structuredContent"])
    return "message", text


def assert_messages_seen(run: ProbeRun, surface: str, transport: str) -> None:
    table = table_for(surface)
    expected = [(tool, c) for tool in run.header["tools"] for c in table[tool]]
    answered = [(r["tool"], r["case"]) for r in run.results]
    assert answered == [(t, c.label) for t, c in expected], f"calls and answers differ\n{run.stderr}"
    counts = dict.fromkeys(OUTCOMES, 0)
    rows = []
    for (tool, case), result in zip(expected, run.results, strict=True):
        outcome, shown = verdict(result, case)
        counts[outcome] += 1
        if outcome != "message":
            rows.append(f"  {tool} [{case.label}]: {outcome}: {shown[:160]!r} (wanted {case.expect!r})")
    summary = ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
    if rows:  # the message alone: the table is the report, pytest's rewrite of it only noise
        pytest.fail(
            f"the TypeScript SDK client over {transport}, surface {surface!r}, did not see Frontdesk's "
            f"error message for {len(rows)} of {len(expected)} calls ({summary}):\n" + "\n".join(rows),
            pytrace=False,
        )


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    """Node and the probe's installed packages. Under CI both must be there (scripts/test installs them)."""
    found = shutil.which("node")
    problem = None
    if found is None:
        problem = "node is not installed (apt-get install nodejs npm; scripts/test does it as root)"
    elif not SDK_PACKAGE.exists():
        problem = "tests/ts has no node_modules: run `npm ci --prefix tests/ts` (scripts/test does it)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the TypeScript client test")
        pytest.skip(problem)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `frontdesk serve --demo` (SQLite) for the module: error paths do not depend on the backend."""
    with running_server("sqlite", tmp_path_factory.mktemp("ts-serve")) as server:
        yield server


@pytest.fixture(scope="module")
def stdio_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ts-stdio")
    run_cli(cli_env(path), "demo")
    return path


def _node_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "MCP_"))}
    return env | extra


# --- tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "surface"), SURFACES, ids=[s for _, s in SURFACES])
def test_ts_client_sees_every_error_over_http(
    node: str, http_server: Server, path: str, surface: str
) -> None:
    run = run_probe(
        node,
        surface,
        ["--http", f"{http_server.base_url}{path}"],
        _node_env(MCP_BEARER_TOKEN=http_server.key),
    )
    assert str(run.header["server"]).startswith("frontdesk"), run.header  # a surface may add a suffix
    assert_messages_seen(run, surface, "HTTP")


@pytest.mark.parametrize("surface", [s for _, s in SURFACES])
def test_ts_client_sees_every_error_over_stdio(node: str, stdio_data_dir: Path, surface: str) -> None:
    command = [FRONTDESK, "stdio", "--practice", "demo"]
    if surface != DEFAULT_SURFACE:
        command += ["--surface", surface]
    run = run_probe(
        node,
        surface,
        ["--stdio", "--env", f"FRONTDESK_DATA_DIR={stdio_data_dir}", "--", *command],
        _node_env(),
    )
    assert str(run.header["server"]).startswith("frontdesk"), run.header  # a surface may add a suffix
    assert_messages_seen(run, surface, "stdio")
