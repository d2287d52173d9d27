"""A span and a duration measurement per tool call, with the database's spans inside it, through the
real mcp client in-process, on SQLite and PostgreSQL; and no patient data in any of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from mcp import Client
from opentelemetry.trace import SpanKind, StatusCode

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.mcp.telemetry import DURATION, DURATION_BUCKETS
from frontdesk.services.context import Principal
from tests.factories import Scenario
from tests.telemetry.conftest import Logged, Otel
from tests.telemetry.privacy import FIRST, LAST, NAME, assert_no_patient_data

Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def connect(app: Frontdesk, scenario: Scenario, otel: Otel) -> Connect:
    """`async with connect() as c:` the real client, in-process, as the scenario's staff (or `principal`).
    The server is built with telemetry on (the `otel` fixture), as `frontdesk serve` builds it then."""

    def open_as(
        principal: Principal | None = None, mode: str = "auto", surface: str = "frontdesk"
    ) -> AbstractAsyncContextManager[Client]:
        server = build_server(app, surface=surface, default_principal=principal or scenario.principal)
        return Client(server, mode=mode)

    return open_as


def durations(otel: Otel) -> dict[tuple[str, str], int]:
    """(tool, outcome) -> number of measurements, from frontdesk.tool.duration."""
    out: dict[tuple[str, str], int] = {}
    for p in otel.points(DURATION):
        key = (p.attributes["tool"], p.attributes["outcome"])
        out[key] = out.get(key, 0) + (p.count or 0)
    return out


async def test_a_tool_call_is_a_span_inside_the_sdks_with_the_database_inside_it(
    connect: Connect, otel: Otel, scenario: Scenario, mode: str
) -> None:
    async with connect(mode=mode) as c:
        listed = await c.call_tool("list_doctors", {})
        assert not listed.is_error
    [span] = otel.tool_spans("list_doctors")
    attrs = dict(span.attributes or {})
    assert attrs["frontdesk.tool"] == "list_doctors"
    assert attrs["frontdesk.practice_id"] == scenario.practice_id
    assert attrs["frontdesk.outcome"] == "ok"
    assert re.fullmatch(r"[0-9a-f]{16}", str(attrs["frontdesk.request_id"]))
    assert span.status.status_code is StatusCode.UNSET
    assert span.start_time is not None and span.end_time is not None and span.end_time > span.start_time
    # The mcp SDK's SERVER span for the message is its parent.
    assert span.parent is not None
    [parent] = [s for s in otel.spans() if s.context is not None and s.context.span_id == span.parent.span_id]
    assert parent.name == "tools/call list_doctors" and parent.kind is SpanKind.SERVER
    # The statements it ran are CLIENT spans below it, with their text and no values.
    statements = [s for s in otel.descendants(span) if s.kind is SpanKind.CLIENT]
    assert statements, [s.name for s in otel.spans()]
    systems = {(s.attributes or {}).get("db.system") for s in statements}
    assert systems <= {"sqlite", "postgresql"} and systems
    assert any("providers" in str((s.attributes or {}).get("db.statement")) for s in statements)
    # One measurement of the call, in seconds, no longer than the SDK's span around it.
    [point] = [p for p in otel.points(DURATION) if p.attributes == {"tool": "list_doctors", "outcome": "ok"}]
    assert point.unit == "s" and point.count == 1 and point.bounds == DURATION_BUCKETS
    assert parent.start_time is not None and parent.end_time is not None
    assert point.sum is not None and 0 < point.sum <= (parent.end_time - parent.start_time) / 1e9


async def test_outcomes_are_the_error_codes_or_incident(
    connect: Connect, otel: Otel, app: Frontdesk, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = {
        "datebook_id": scenario.ny,
        "doctor_id": scenario.garcia,
        "patient_id": scenario.juan,
        "starts_at": "2026-03-03T15:00",
    }
    async with connect() as c:
        assert not (await c.call_tool("create_appointment", booking)).is_error
        clash = await c.call_tool("create_appointment", booking | {"patient_id": scenario.maria})
        assert clash.structured_content and clash.structured_content["error"]["code"] == "conflict"
        missing = await c.call_tool("update_appointment", {"appointment_id": 10**9, "notes": "x"})
        assert missing.structured_content and missing.structured_content["error"]["code"] == "not_found"
        too_long = await c.call_tool("create_appointment", booking | {"notes": "x" * 300})  # the schema's
        assert too_long.structured_content and too_long.structured_content["error"]["code"] == "invalid"
        unknown = await c.call_tool("no_such_tool", {})
        assert unknown.is_error

        async def crash(*_: Any, **__: Any) -> Any:
            raise RuntimeError("the database said something unexpected")

        monkeypatch.setattr(app.directory, "list_datebooks", crash)
        crashed = await c.call_tool("list_datebooks", {})
        assert crashed.is_error and crashed.content[0].text.startswith("Error (internal)")  # type: ignore[union-attr]
    async with connect(surface="medapp") as c:
        # The ChatGPT-app shape: {success: false, error: "...", code}.
        medapp = await c.call_tool(
            "schedule_appointment",
            {"doctorName": "Nobody Here", "slotId": "nope", "patientName": "A B", "patientPhone": "5550100"},
        )
        assert medapp.is_error and medapp.structured_content
        assert medapp.structured_content["code"] == "not_found"
    reader = Principal(scenario.practice_id, "reader", frozenset({access.APPOINTMENTS_READ}))
    async with connect(reader) as c:
        refused = await c.call_tool("list_audit_events", {})
        assert refused.structured_content and refused.structured_content["error"]["code"] == "forbidden"

    expected = {
        ("create_appointment", "ok"): 1,
        ("create_appointment", "conflict"): 1,
        ("update_appointment", "not_found"): 1,
        ("create_appointment", "invalid"): 1,
        ("schedule_appointment", "not_found"): 1,
        ("unknown", "tool_error"): 1,  # a name the server does not have is not recorded as given
        ("list_datebooks", "incident"): 1,
        ("list_audit_events", "forbidden"): 1,
    }
    assert durations(otel) == expected
    spans = {(s.attributes or {}).get("frontdesk.tool"): s for s in otel.tool_spans()}
    by_span = {}
    for s in otel.tool_spans():
        a = s.attributes or {}
        key = (str(a["frontdesk.tool"]), str(a["frontdesk.outcome"]))
        by_span[key] = by_span.get(key, 0) + 1
    assert by_span == expected
    # Only the server's own failures mark the span as an error; a caller's mistake does not.
    assert spans["list_datebooks"].status.status_code is StatusCode.ERROR
    assert (spans["list_datebooks"].attributes or {})["error.type"] == "incident"
    assert spans["update_appointment"].status.status_code is StatusCode.UNSET
    assert (spans["list_audit_events"].attributes or {})["frontdesk.practice_id"] == scenario.practice_id


async def test_no_patient_data_in_spans_metrics_or_logs(
    connect: Connect,
    otel: Otel,
    logged: Logged,
    app: Frontdesk,
    scenario: Scenario,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = {"datebook_id": scenario.ny, "doctor_id": scenario.garcia, "patient_name": NAME}
    async with connect() as c:
        made = await c.call_tool("create_appointment", base | {"starts_at": "2026-03-03T10:00"})
        assert not made.is_error and NAME in made.content[0].text  # type: ignore[union-attr]
        held = await c.call_tool("hold_slot", base | {"starts_at": "2026-03-03T11:00"})
        assert not held.is_error
        found = await c.call_tool("find_patients", {"name": LAST})
        assert {p["last_name"] for p in found.structured_content["patients"]} == {LAST}  # type: ignore[index]
        chart = await c.call_tool(
            "manage_patient",
            {"action": "add", "first_name": FIRST, "last_name": LAST + "son", "date_of_birth": "1980-05-01"},
        )
        assert not chart.is_error, chart.content
        listed = await c.call_tool("find_patients", {"name": LAST})
        assert not listed.is_error and LAST in str(listed.structured_content)
        refused = await c.call_tool("create_appointment", base | {"starts_at": "not a time at all"})
        assert refused.is_error

        async def crash(*_: Any, **__: Any) -> Any:
            raise RuntimeError(f"lookup failed for {NAME}")  # an exception quoting the patient

        monkeypatch.setattr(app.patients, "find", crash)
        crashed = await c.call_tool("find_patients", {"name": NAME})
        assert crashed.is_error
    assert_no_patient_data(otel, logged)
    # And the checks looked at something: every call was traced, measured and logged.
    tools = [str((s.attributes or {})["frontdesk.tool"]) for s in otel.tool_spans()]
    called = ["create_appointment", "hold_slot", "find_patients", "manage_patient", "find_patients"]
    assert sorted(tools) == sorted([*called, "create_appointment", "find_patients"])  # refused, crashed
    records = logged.records()
    calls = [r for r in records if r.get("message", "").startswith("tool call")]
    assert len(calls) == len(tools) and all(r["request_id"] and r["trace_id"] for r in calls)
    assert {r["outcome"] for r in calls} >= {"ok", "invalid", "incident"}
    [crash_log] = [r for r in records if "exception" in r]
    # The incident was logged with its traceback: the exception's type and frames, not its message.
    chain = crash_log["exception"]
    assert [e["type"] for e in chain] == ["RuntimeError"]
    assert any("test_tool_calls.py" in f and "crash" in f for f in chain[0]["frames"])
