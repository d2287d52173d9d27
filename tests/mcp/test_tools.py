"""The MCP surface through the real client, in-process, in both protocol modes."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect

# The chart's operations under their own names (the CharmHealth names are on /mcp/charm).
CLINICAL_TOOLS = {
    "find_patients",
    "manage_patient",
    "document_encounter",
    "review_patient_history",
    "manage_patient_drugs",
    "manage_patient_allergies",
    "manage_patient_diagnoses",
    "manage_patient_notes",
    "manage_patient_recalls",
    "manage_patient_vitals",
    "manage_patient_files",
    "manage_patient_labs",
    "export_patient_fhir",
}
ODONTO_ANNOTATIONS = {
    # tool: (read-only, destructive, idempotent, open-world), as the Odonto.me seed's table gives them
    "list_datebooks": (True, False, True, False),
    "list_doctors": (True, False, True, False),
    "list_appointments": (True, False, True, False),
    "create_appointment": (False, False, False, False),
    "update_appointment": (False, True, True, False),
    "search_patients": (True, False, True, False),
}
# The seed's parameter tables, exactly.
ODONTO_PARAMETERS = {
    "list_datebooks": set(),
    "list_doctors": set(),
    "list_appointments": {"datebook_id", "datebook_name", "start", "end", "doctor_id"},
    "create_appointment": {
        "datebook_id",
        "datebook_name",
        "doctor_id",
        "patient_id",
        "patient_name",
        "starts_at",
        "ends_at",
        "notes",
    },
    "update_appointment": {"appointment_id", "doctor_id", "starts_at", "ends_at", "notes", "status"},
    "search_patients": {"query"},
}
MEDAPP_PARAMETERS = {
    "search_doctors": {"name", "specialty", "city"},
    "get_available_slots": {"doctorId", "doctorName", "specialty"},
    "schedule_appointment": {
        "doctorId",
        "doctorName",
        "specialty",
        "slotId",
        "slotTime",
        "patientName",
        "patientPhone",
    },
}
SCHEDULING_TOOLS = {
    "list_datebooks",
    "list_doctors",
    "list_services",
    "list_appointments",
    "find_available_slots",
    "create_appointment",
    "update_appointment",
    "hold_slot",
    "confirm_appointment",
    "list_audit_events",
    "manage_recurring_appointments",
    "manage_waitlist",
}

# Issue 12's bookings feature (mcp/bindings/bookings.py).
BOOKINGS_TOOLS = {"get_appointment", "appointment_lifecycle", "booking_stats"}
# Setting a practice up (mcp/bindings/setup.py).
SETUP_TOOLS = {
    "manage_locations",
    "manage_providers",
    "manage_services",
    "manage_availability",
    "practice_settings",
    "organization_summary",
}
FEEDS_TOOLS = {"manage_calendar_feeds", "nps_summary"}  # issue 14: calendar feeds, the NPS answers
MESSAGING_TOOLS = {
    "manage_reminders",
    "manage_messages",
    "manage_email_domain",
    "render_visual_message",
    "manage_campaigns",
}  # issue 14
AGENDA_TOOLS = {"manage_agendas"}  # issue 13: the Coordinalo agenda tools, grouped

pytestmark = pytest.mark.usefixtures("scenario")


def described(tools: dict[str, Any]) -> None:
    for name, tool in tools.items():
        assert tool.title, name
        assert tool.description and len(tool.description) > 60, name
        assert tool.output_schema and tool.output_schema.get("type") == "object", name
        assert tool.input_schema.get("additionalProperties") is False, name
        a = tool.annotations
        assert a is not None, name
        hints = (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
        assert None not in hints and a.open_world_hint is False, name


async def test_every_tool_is_fully_described(connect: Connect) -> None:
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert (
            set(tools)
            == SCHEDULING_TOOLS
            | CLINICAL_TOOLS
            | BOOKINGS_TOOLS
            | SETUP_TOOLS
            | MESSAGING_TOOLS
            | FEEDS_TOOLS
            | AGENDA_TOOLS
        ), "every capability once"
        assert len(tools) <= 60, "small enough for an assistant to choose well"
        described(tools)
        notes = tools["create_appointment"].input_schema["properties"]["notes"]
        assert "255" in str(notes)


async def test_odonto_surface_is_the_seeds(connect: Connect) -> None:
    async with connect("odonto") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == set(ODONTO_ANNOTATIONS)
        described(tools)
        for name, tool in tools.items():
            a = tool.annotations
            assert (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint) == (
                ODONTO_ANNOTATIONS[name]
            ), name
            assert set(tool.input_schema["properties"]) == ODONTO_PARAMETERS[name], name


async def test_medapp_surface_is_the_seeds(connect: Connect) -> None:
    async with connect("medapp") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == set(MEDAPP_PARAMETERS)
        described(tools)
        for name, tool in tools.items():
            assert set(tool.input_schema["properties"]) == MEDAPP_PARAMETERS[name], name
            assert tool.meta["openai/outputTemplate"] == "ui://widget/medical-app.html", name
        assert tools["search_doctors"].title == "Search Doctors"
        assert tools["get_available_slots"].title == "View Available Slots"


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
    async with connect("odonto") as odonto:
        found = await odonto.call_tool("search_patients", {"query": "ortiz"})
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
    async with connect("medapp") as client:
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
                "patientPhone": "+55 11 99999-8888",
            },
        )
        assert booked.structured_content["success"] is True
        assert booked.meta["view"] == "confirmation"
        assert booked.meta["appointment"]["patient"] == {"name": "Maria Santos", "phone": "+55 11 99999-8888"}
        again = await client.call_tool(
            "schedule_appointment",
            {
                "doctorName": "João Silva",
                "slotId": first["id"],
                "patientName": "Rui Sousa",
                "patientPhone": "+55 11 99999-7777",
            },
        )
        assert again.is_error and again.structured_content["success"] is False
        by_time = await client.call_tool(
            "schedule_appointment",
            {
                "doctorName": "Dr. Ana Silva",
                "slotTime": "14:00",
                "patientName": "Maria Santos",
                "patientPhone": "+55 11 99999-8888",
            },
        )
        assert by_time.structured_content["success"] is True
        assert by_time.structured_content["appointment"]["start"][11:16] == "14:00"
    async with connect("odonto") as odonto:
        # Same name and phone: the patient record is reused, not duplicated.
        people = await odonto.call_tool("search_patients", {"query": "maria santos"})
        assert people.structured_content["count"] == 2  # the scenario's María Santos, and the one booked here


async def test_widget_resource(connect: Connect) -> None:
    async with connect("medapp") as client:
        res = await client.read_resource("ui://widget/medical-app.html")
        content = res.contents[0]
        assert content.mime_type == "text/html+skybridge"
        assert "toolResponseMetadata" in content.text
        # MCP Apps hosts: the tools name the same page, served with the MCP Apps type.
        tools = {t.name: t for t in (await client.list_tools()).tools}
        uri = tools["get_available_slots"].meta["ui"]["resourceUri"]
        app = (await client.read_resource(uri)).contents[0]
        assert app.mime_type == "text/html;profile=mcp-app" and app.text == content.text


async def test_another_practices_ids_are_not_found(app: Frontdesk, scenario: Scenario) -> None:
    """Every tool, called by a second practice with the first practice's ids, answers not found."""
    mine = build_server(app, default_principal=scenario.principal)
    my_app = build_server(app, surface="medapp", default_principal=scenario.principal)
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
    async with Client(my_app) as c:
        slots = await c.call_tool("get_available_slots", {"doctorName": "Garcia"})
    appt_id = appt.structured_content["id"]
    slot_id = slots.meta["slots"][0]["id"]
    async with Client(mine) as c:
        doctor_uid = (await c.call_tool("list_doctors", {})).structured_content["doctors"][0]["uid"]
    other = await build_scenario(app)
    theirs = {
        surface: build_server(app, surface=surface, default_principal=other.principal)
        for surface in ("frontdesk", "medapp", "odonto")
    }
    medapp_probes = {
        "get_available_slots": {"doctorId": doctor_uid},
        "schedule_appointment": {
            "doctorId": doctor_uid,
            "slotId": slot_id,
            "patientName": "A B",
            "patientPhone": "5550000",
        },
    }
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
    }
    for surface, table in (("frontdesk", probes), ("medapp", medapp_probes)):
        async with Client(theirs[surface]) as c:
            for name, args in table.items():
                r = await c.call_tool(name, args)
                assert r.is_error, name
                text = r.content[0].text.lower()
                assert "not_found" in text or "no active doctor" in text or "not found" in text, (name, text)
                assert "Juan" not in r.content[0].text
    async with Client(theirs["odonto"]) as c:
        found = await c.call_tool("search_patients", {"query": "Perez"})
        assert scenario.juan not in [p["id"] for p in found.structured_content["patients"]]
    async with Client(theirs["frontdesk"]) as c:
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
    async with connect("medapp") as client:
        missing = await client.call_tool("schedule_appointment", {"doctorName": "Garcia"})
        assert missing.is_error and missing.structured_content["success"] is False
        assert "patientName: Field required" in missing.structured_content["error"]


async def test_schedule_by_time_reads_it_in_the_doctors_datebook_zone(connect: Connect) -> None:
    """Dr. João Silva works in Lisbon, the practice is in New York: 10:00 without an offset is 10:00 in
    Lisbon (it used to be read in New York, and was never free)."""
    async with connect("medapp") as client:
        base = {"doctorName": "João Silva", "patientName": "Rui Sousa", "patientPhone": "+351 912 000 111"}
        r = await client.call_tool("schedule_appointment", base | {"slotTime": "2026-03-04T10:00"})
        assert not r.is_error, r.content[0].text
        assert r.structured_content["appointment"]["start"] == "2026-03-04T10:00:00+00:00"
        same = await client.call_tool("schedule_appointment", base | {"slotTime": "2026-03-04T10:00+00:00"})
        assert same.is_error and same.structured_content["field"] == "slotTime", "now taken"
        offset = await client.call_tool(
            "schedule_appointment", base | {"slotTime": "2026-03-04T11:00:00+00:00"}
        )
        assert offset.structured_content["appointment"]["start"] == "2026-03-04T11:00:00+00:00"
        lunch = await client.call_tool("schedule_appointment", base | {"slotTime": "2026-03-04T12:00"})
        assert lunch.is_error and "not free at 2026-03-04T12:00" in lunch.structured_content["error"]


async def test_error_hints_name_the_surfaces_own_tools(connect: Connect, scenario: Scenario) -> None:
    """A message pointing to a tool names it as the surface calls it."""
    booking = {"datebook_id": scenario.ny, "doctor_id": scenario.garcia, "starts_at": "2026-03-03T10:00"}
    for surface, tool, args, hint in (
        ("frontdesk", "create_appointment", booking | {"patient_id": 999999}, "call find_patients"),
        ("odonto", "create_appointment", booking | {"patient_id": 999999}, "call search_patients"),
        ("charm", "managePatient", {"action": "get", "patient_id": 999999}, "call findPatients"),
        ("frontdesk", "manage_patient", {"action": "get", "patient_id": 999999}, "call find_patients"),
    ):
        async with connect(surface) as client:
            r = await client.call_tool(tool, args)
            assert r.is_error and hint in r.content[0].text, (surface, r.content[0].text)
            assert hint in r.structured_content["error"]["message"]
