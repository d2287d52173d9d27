"""The MCP surface through the real client, in-process, in both protocol modes."""

from __future__ import annotations

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.mcp.tools.clinical import TOOL_NAMES as CLINICAL_TOOLS
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect

ODONTO_ANNOTATIONS = {
    # tool: (read-only, destructive, idempotent, open-world), as the Odonto.me seed's table gives them
    "list_datebooks": (True, False, True, False),
    "list_doctors": (True, False, True, False),
    "list_appointments": (True, False, True, False),
    "create_appointment": (False, False, False, False),
    "update_appointment": (False, True, True, False),
    "search_patients": (True, False, True, False),
}
EXPECTED_TOOLS = (
    set(ODONTO_ANNOTATIONS)
    | {
        "list_services",
        "find_available_slots",
        "hold_slot",
        "confirm_appointment",
        "search_doctors",
        "get_available_slots",
        "schedule_appointment",
        "list_audit_events",
    }
    | CLINICAL_TOOLS
)

pytestmark = pytest.mark.usefixtures("scenario")


async def test_every_tool_is_fully_described(connect: Connect) -> None:
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == EXPECTED_TOOLS
        for name, tool in tools.items():
            assert tool.title, name
            assert tool.description and len(tool.description) > 60, name
            assert tool.output_schema and tool.output_schema.get("type") == "object", name
            a = tool.annotations
            assert a is not None, name
            hints = (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
            assert None not in hints, name
            if name in ODONTO_ANNOTATIONS:
                assert hints == ODONTO_ANNOTATIONS[name], name
        notes = tools["create_appointment"].input_schema["properties"]["notes"]
        assert "255" in str(notes)
        assert tools["get_available_slots"].meta["openai/outputTemplate"] == "ui://widget/medical-app.html"


async def test_book_then_conflict_as_tool_results(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        args = {
            "datebook_name": "Main Street",
            "doctor_id": scenario.garcia,
            "patient_id": scenario.juan,
            "starts_at": "2026-03-03T15:00",
            "notes": "Routine cleaning",
            "service_id": scenario.cleaning,
        }
        ok = await client.call_tool("create_appointment", args)
        assert not ok.is_error
        assert ok.structured_content["start"] == "2026-03-03T15:00:00-05:00"
        assert ok.structured_content["end"] == "2026-03-03T15:30:00-05:00"
        assert "Juan Perez" in ok.content[0].text
        clash = await client.call_tool("create_appointment", args | {"patient_id": scenario.maria})
        assert clash.is_error
        err = clash.structured_content["error"]
        assert err["code"] == "conflict" and err["field"] == "starts_at"
        assert ok.structured_content["id"] in err["details"]["conflicting_appointment_ids"]


async def test_bad_input_is_a_tool_error_naming_the_field(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        base = {"datebook_id": scenario.ny, "doctor_id": scenario.garcia, "patient_id": scenario.juan}
        long_notes = await client.call_tool(
            "create_appointment", base | {"starts_at": "2026-03-03T10:00", "notes": "x" * 300}
        )
        assert long_notes.is_error and "notes" in long_notes.content[0].text
        gap = await client.call_tool("create_appointment", base | {"starts_at": "2026-03-08T02:30"})
        assert gap.is_error and gap.structured_content["error"]["field"] == "starts_at"
        assert "does not exist" in gap.content[0].text
        bad_status = await client.call_tool("update_appointment", {"appointment_id": 1, "status": "deleted"})
        assert bad_status.is_error and "status" in bad_status.content[0].text
        too_long = await client.call_tool(
            "list_appointments", {"datebook_id": scenario.ny, "start": "2026-01-01", "end": "2026-06-01"}
        )
        assert too_long.is_error and too_long.structured_content["error"]["field"] == "end"


async def test_hold_then_confirm(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        held = await client.call_tool(
            "hold_slot",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_name": "Lena Ortiz",
                "starts_at": "2026-03-04T09:00",
                "service_id": scenario.cleaning,
            },
        )
        assert not held.is_error and held.structured_content["status"] == "held"
        assert held.structured_content["hold_expires_at"].endswith("-05:00")
        slots = await client.call_tool(
            "find_available_slots",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "start": "2026-03-04",
                "end": "2026-03-05",
                "service_id": scenario.cleaning,
            },
        )
        starts = [s["start"] for s in slots.structured_content["slots"]]
        assert "2026-03-04T09:00:00-05:00" not in starts and "2026-03-04T09:30:00-05:00" in starts
        done = await client.call_tool(
            "confirm_appointment", {"appointment_id": held.structured_content["id"]}
        )
        assert done.structured_content["status"] == "scheduled"
        found = await client.call_tool("search_patients", {"query": "ortiz"})
        assert [p["lastname"] for p in found.structured_content["patients"]] == ["Ortiz"]
        assert set(found.structured_content["patients"][0]) == {"id", "uid", "firstname", "lastname"}


async def test_update_reschedules_and_cancels(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        base = {"datebook_id": scenario.ny, "doctor_id": scenario.garcia, "patient_id": scenario.juan}
        a = (
            await client.call_tool("create_appointment", base | {"starts_at": "2026-03-05T14:00"})
        ).structured_content
        b = (
            await client.call_tool("create_appointment", base | {"starts_at": "2026-03-05T10:00"})
        ).structured_content
        moved = await client.call_tool(
            "update_appointment", {"appointment_id": a["id"], "starts_at": "2026-03-05T16:00"}
        )
        assert moved.structured_content["start"] == "2026-03-05T16:00:00-05:00"
        assert moved.structured_content["end"] == "2026-03-05T17:00:00-05:00"
        gone = await client.call_tool(
            "update_appointment", {"appointment_id": b["id"], "status": "cancelled", "confirm": True}
        )
        assert gone.structured_content["status"] == "cancelled"
        day = await client.call_tool(
            "list_appointments", {"datebook_id": scenario.ny, "start": "2026-03-05", "end": "2026-03-06"}
        )
        assert [(x["id"], x["status"]) for x in day.structured_content["appointments"]] == [
            (b["id"], "cancelled"),
            (a["id"], "scheduled"),
        ]


async def test_medical_app_flow_with_disambiguation(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        found = await client.call_tool("search_doctors", {"city": "lisboa"})
        assert found.structured_content == {
            "success": True,
            "count": 1,
            "doctors": [
                {"name": "Dr. João Silva", "specialty": "Cardiologist", "city": "Lisboa", "state": None}
            ],
        }
        assert found.meta["view"] == "doctors-list" and found.meta["doctors"][0]["id"]
        amb = await client.call_tool("get_available_slots", {"doctorName": "silva"})
        assert not amb.is_error
        assert amb.structured_content["ambiguous"] is True and amb.structured_content["success"] is False
        assert {m["specialty"] for m in amb.structured_content["matches"]} == {
            "Cardiologist",
            "Dermatologist",
        }
        assert amb.meta["view"] == "disambiguation"
        slots = await client.call_tool("get_available_slots", {"doctorName": "Silva", "specialty": "cardio"})
        sc = slots.structured_content
        assert (
            sc["success"] and sc["doctor"]["name"] == "Dr. João Silva" and sc["count"] == len(sc["slots"]) > 0
        )
        first = slots.meta["slots"][0]
        assert first["time"].endswith("Z") and first["formattedTime"]
        assert sc["slots"][0]["start"].endswith(("+00:00", "+01:00"))  # Lisbon
        booked = await client.call_tool(
            "schedule_appointment",
            {
                "doctorName": "João Silva",
                "slotId": first["id"],
                "patientName": "Maria Santos",
                "patientPhone": "11999998888",
            },
        )
        assert booked.structured_content["success"] is True
        assert booked.meta["view"] == "confirmation"
        assert booked.meta["appointment"]["patient"] == {"name": "Maria Santos", "phone": "11999998888"}
        again = await client.call_tool(
            "schedule_appointment",
            {
                "doctorName": "João Silva",
                "slotId": first["id"],
                "patientName": "Rui Sousa",
                "patientPhone": "11999997777",
            },
        )
        assert again.is_error and again.structured_content["success"] is False
        by_time = await client.call_tool(
            "schedule_appointment",
            {
                "doctorName": "Dr. Ana Silva",
                "slotTime": "14:00",
                "patientName": "Maria Santos",
                "patientPhone": "11999998888",
            },
        )
        assert by_time.structured_content["success"] is True
        assert by_time.structured_content["appointment"]["start"][11:16] == "14:00"
        # Same name and phone: the patient record is reused, not duplicated.
        people = await client.call_tool("search_patients", {"query": "maria santos"})
        assert people.structured_content["count"] == 2  # the scenario's María Santos, and the one booked here


async def test_widget_resource(connect: Connect) -> None:
    async with connect() as client:
        res = await client.read_resource("ui://widget/medical-app.html")
        content = res.contents[0]
        assert content.mime_type == "text/html+skybridge"
        assert "toolResponseMetadata" in content.text


async def test_another_practices_ids_are_not_found(app: Frontdesk, scenario: Scenario) -> None:
    """Every tool, called by a second practice with the first practice's ids, answers not found."""
    mine = build_server(app, default_principal=scenario.principal)
    async with Client(mine) as c:
        appt = await c.call_tool(
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_id": scenario.juan,
                "starts_at": "2026-03-03T10:00",
            },
        )
        slots = await c.call_tool("get_available_slots", {"doctorName": "Garcia"})
    appt_id = appt.structured_content["id"]
    slot_id = slots.meta["slots"][0]["id"]
    async with Client(mine) as c:
        doctor_uid = (await c.call_tool("list_doctors", {})).structured_content["doctors"][0]["uid"]
    other = await build_scenario(app)
    theirs = build_server(app, default_principal=other.principal)
    probes = {
        "list_appointments": {"datebook_id": scenario.ny, "start": "2026-03-03", "end": "2026-03-04"},
        "create_appointment": {
            "datebook_id": other.ny,
            "doctor_id": scenario.garcia,
            "patient_id": other.juan,
            "starts_at": "2026-03-03T10:00",
        },
        "update_appointment": {"appointment_id": appt_id, "status": "cancelled", "confirm": True},
        "find_available_slots": {"datebook_id": scenario.ny},
        "hold_slot": {
            "datebook_id": other.ny,
            "doctor_id": other.garcia,
            "patient_id": scenario.juan,
            "starts_at": "2026-03-03T11:00",
        },
        "confirm_appointment": {"appointment_id": appt_id},
        "get_available_slots": {"doctorId": doctor_uid},
        "schedule_appointment": {
            "doctorId": doctor_uid,
            "slotId": slot_id,
            "patientName": "A B",
            "patientPhone": "5550000",
        },
    }
    async with Client(theirs) as c:
        for name, args in probes.items():
            r = await c.call_tool(name, args)
            assert r.is_error, name
            text = r.content[0].text.lower()
            assert "not_found" in text or "no active doctor" in text or "not found" in text, (name, text)
            assert "Juan" not in r.content[0].text
        found = await c.call_tool("search_patients", {"query": "Perez"})
        assert scenario.juan not in [p["id"] for p in found.structured_content["patients"]]
        trail = await c.call_tool(
            "list_audit_events", {"record_type": "appointment", "record_id": str(appt_id)}
        )
        # Only this practice's own refused attempts on that id, never the first practice's entries.
        assert trail.structured_content["events"], "refused attempts are audited"
        assert {e["outcome"] for e in trail.structured_content["events"]} == {"not_found"}
    async with Client(mine) as c:
        day = await c.call_tool(
            "list_appointments", {"datebook_id": scenario.ny, "start": "2026-03-03", "end": "2026-03-04"}
        )
        assert day.structured_content["appointments"][0]["status"] == "scheduled"


async def test_schema_violations_name_field_and_rule_without_echo(
    connect: Connect, scenario: Scenario
) -> None:
    async with connect() as client:
        r = await client.call_tool(
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": "abc",
                "starts_at": "2026-03-03T10:00",
                "notes": "y" * 300,
            },
        )
        assert r.is_error
        err = r.structured_content["error"]
        assert err["code"] == "invalid"
        assert "doctor_id: Input should be a valid integer" in err["message"]
        assert "notes: String should have at most 255 characters" in err["message"]
        assert "yyyy" not in r.content[0].text and "abc" not in r.content[0].text
        missing = await client.call_tool("schedule_appointment", {"doctorName": "Garcia"})
        assert missing.is_error and missing.structured_content["success"] is False
        assert "patientName: Field required" in missing.structured_content["error"]
