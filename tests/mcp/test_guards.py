"""Scopes, confirmations, idempotency keys and the audit trail, through the real client."""

from __future__ import annotations

import asyncio
import dataclasses

from mcp import Client
from sqlalchemy import select, update

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.storage import models as m
from tests.factories import Scenario
from tests.mcp.conftest import Connect

WRITE_TOOLS = {"create_appointment", "update_appointment", "hold_slot", "confirm_appointment"}


def booking(sc: Scenario, start: str = "2026-03-03T10:00") -> dict[str, object]:
    return {"datebook_id": sc.ny, "doctor_id": sc.garcia, "patient_id": sc.juan, "starts_at": start}


async def appointment_count(app: Frontdesk, sc: Scenario) -> int:
    async with app.db.read() as s:
        return len(
            (
                await s.execute(select(m.Appointment.id).where(m.Appointment.practice_id == sc.practice_id))
            ).all()
        )


async def test_read_only_credentials_see_and_use_only_read_tools(app: Frontdesk, scenario: Scenario) -> None:
    viewer = dataclasses.replace(
        scenario.principal, actor="user:viewer", scopes=access.ROLE_SCOPES[access.Role.READ_ONLY]
    )
    async with Client(build_server(app, default_principal=viewer)) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert not names & WRITE_TOOLS and "list_audit_events" not in names
        assert {"list_appointments", "find_available_slots", "list_doctors"} <= names
        refused = await c.call_tool("create_appointment", booking(scenario))
        assert refused.is_error and refused.structured_content["error"]["code"] == "forbidden"
        assert "appointments:write" in refused.content[0].text
    assert await appointment_count(app, scenario) == 0


async def test_cancel_needs_confirm(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    async with connect() as c:
        a = (await c.call_tool("create_appointment", booking(scenario))).structured_content
        refused = await c.call_tool("update_appointment", {"appointment_id": a["id"], "status": "cancelled"})
        assert refused.is_error and refused.structured_content["error"]["field"] == "confirm"
        still = await c.call_tool(
            "list_appointments", {"datebook_id": scenario.ny, "start": "2026-03-03", "end": "2026-03-04"}
        )
        assert still.structured_content["appointments"][0]["status"] == "scheduled"
        done = await c.call_tool(
            "update_appointment", {"appointment_id": a["id"], "status": "cancelled", "confirm": True}
        )
        assert done.structured_content["status"] == "cancelled"


async def test_idempotency_key_replays_and_refuses_other_arguments(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect() as c:
        args = booking(scenario) | {"idempotency_key": "abc-1"}
        first = await c.call_tool("create_appointment", args)
        again = await c.call_tool("create_appointment", args)
        assert not again.is_error
        assert again.structured_content == first.structured_content
        other = await c.call_tool(
            "create_appointment", booking(scenario, "2026-03-03T11:00") | {"idempotency_key": "abc-1"}
        )
        assert other.is_error and other.structured_content["error"]["field"] == "idempotency_key"
        upd = {"appointment_id": first.structured_content["id"], "notes": "x-ray", "idempotency_key": "u-1"}
        assert (await c.call_tool("update_appointment", upd)).structured_content["notes"] == "x-ray"
        assert (await c.call_tool("update_appointment", upd)).structured_content["notes"] == "x-ray"
    assert await appointment_count(app, scenario) == 1


async def test_concurrent_replays_with_one_key_book_once(app: Frontdesk, scenario: Scenario) -> None:
    server = build_server(app, default_principal=scenario.principal)
    args = booking(scenario, "2026-03-03T14:00") | {"idempotency_key": "same-key"}

    async def attempt() -> dict[str, object]:
        async with Client(server) as c:
            r = await c.call_tool("create_appointment", args)
            assert not r.is_error, r.content[0].text
            return dict(r.structured_content)

    results = await asyncio.gather(*(attempt() for _ in range(10)))
    assert len({r["id"] for r in results}) == 1
    assert await appointment_count(app, scenario) == 1


async def test_audit_trail_records_reads_writes_and_refusals(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect() as c:
        a = (await c.call_tool("create_appointment", booking(scenario))).structured_content
        clash = await c.call_tool("create_appointment", booking(scenario) | {"patient_id": scenario.maria})
        assert clash.is_error
        await c.call_tool(
            "list_appointments", {"datebook_id": scenario.ny, "start": "2026-03-03", "end": "2026-03-04"}
        )
    async with connect("odonto") as odonto:
        await odonto.call_tool("search_patients", {"query": "perez"})
    async with connect() as c:
        trail = await c.call_tool("list_audit_events", {})
    events = trail.structured_content["events"]
    seen = [(e["action"], e["tool"], e["outcome"], e["record_id"]) for e in events]
    assert ("appointment.create", "create_appointment", "ok", str(a["id"])) in seen
    assert ("appointment.create", "create_appointment", "conflict", None) in seen
    assert ("patient.search", "search_patients", "ok", None) in seen
    assert ("appointment.list", "list_appointments", "ok", str(scenario.ny)) in seen
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["actor"] == "test" for e in events)
    assert not any("Perez" in str(e) or "perez" in str(e) for e in events), "no patient data in audit text"


async def test_audit_chain_detects_tampering(app: Frontdesk, scenario: Scenario) -> None:
    async with Client(build_server(app, default_principal=scenario.principal)) as c:
        for start in ("2026-03-03T09:00", "2026-03-03T10:00", "2026-03-03T11:00"):
            assert not (await c.call_tool("create_appointment", booking(scenario, start))).is_error
    checked, broken = await app.audit.verify(scenario.practice_id)
    assert checked >= 3 and broken is None
    async with app.db.write() as s:
        await s.execute(
            update(m.AuditEvent)
            .where(m.AuditEvent.practice_id == scenario.practice_id, m.AuditEvent.seq == 2)
            .values(detail="edited")
        )
    _, broken = await app.audit.verify(scenario.practice_id)
    assert broken == 2
