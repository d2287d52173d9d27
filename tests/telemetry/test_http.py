"""Over Streamable HTTP (the real app under uvicorn, a practice key as bearer token): the practice comes
from the token, the request id from X-Request-Id reaches the span and the log lines, and still no
patient data anywhere."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from frontdesk.composition import Frontdesk
from tests.conftest import Clock
from tests.factories import Scenario
from tests.http.conftest import serving
from tests.telemetry.conftest import Logged, Otel
from tests.telemetry.privacy import LAST, NAME, assert_no_patient_data


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # 2026-07-28 requests, and 2025-11-25 sessions
async def test_http_tool_calls_carry_practice_and_request_id(
    fd: Frontdesk, scenario: Scenario, real_clock: Clock, otel: Otel, logged: Logged, mode: str
) -> None:
    key = await fd.practices.create_key(scenario.slug, "telemetry")
    headers = {"Authorization": f"Bearer {key.secret}", "X-Request-Id": "lb-7f3a.42"}
    async with (
        serving(fd, real_clock, allow_static_keys=True) as live,
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as hc,
        Client(streamable_http_client(live.mcp_url, http_client=hc), mode=mode) as client,
    ):
        made = await client.call_tool(
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_name": NAME,
                "starts_at": "2030-03-05T10:00" if mode == "auto" else "2030-03-05T11:00",
            },
        )
        assert not made.is_error, made.content
        found = await client.call_tool("find_patients", {"name": LAST})
        assert LAST in str(found.structured_content)
        answer = await hc.post(
            live.mcp_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Accept": "application/json, text/event-stream", "Content-Type": "application/json"},
        )
        assert answer.headers["x-request-id"] == "lb-7f3a.42"
    spans = otel.tool_spans()
    assert sorted(str((s.attributes or {})["frontdesk.tool"]) for s in spans) == [
        "create_appointment",
        "find_patients",
    ]
    for span in spans:
        attrs = span.attributes or {}
        assert attrs["frontdesk.practice_id"] == scenario.practice_id  # the token's practice
        assert attrs["frontdesk.request_id"] == "lb-7f3a.42"
        assert attrs["frontdesk.outcome"] == "ok"
    calls = [r for r in logged.records() if r.get("message", "").startswith("tool call")]
    assert [r["request_id"] for r in calls] == ["lb-7f3a.42", "lb-7f3a.42"]
    assert {r["practice_id"] for r in calls} == {scenario.practice_id}
    assert_no_patient_data(otel, logged)
