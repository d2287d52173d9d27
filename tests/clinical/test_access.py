"""Roles, audit of every clinical read, cross-practice probes and tool descriptions, through the client."""

from __future__ import annotations

import base64
from typing import Any

from mcp import Client
from sqlalchemy import func, select

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.mcp.surfaces import CHARM_NAMES
from frontdesk.storage.models import AuditEvent
from tests.clinical.conftest import Connect, err, ok, seeded, staff
from tests.factories import Scenario, build_scenario

TOOL_NAMES = frozenset(CHARM_NAMES.values())
CLINICAL_ONLY = {
    "reviewPatientHistory",
    "managePatientDrugs",
    "managePatientAllergies",
    "managePatientNotes",
    "managePatientVitals",
    "managePatientLabs",
    "managePatientFiles",
}


async def visible(c: Client) -> set[str]:
    return {t.name for t in (await c.list_tools()).tools} & TOOL_NAMES


async def test_each_role_sees_the_tools_it_may_use(connect: Connect) -> None:
    async with connect("provider") as c:
        assert await visible(c) == TOOL_NAMES
    async with connect("front_desk") as c:
        assert await visible(c) == {
            "findPatients",
            "managePatient",
            "getPracticeInfo",
            "manageAppointments",
            "managePatientRecalls",
        }
    async with connect("billing") as c:
        assert await visible(c) == {
            "findPatients",
            "managePatient",
            "getPracticeInfo",
            "manageAppointments",
            "managePatientRecalls",
            "documentEncounter",
            "managePatientDiagnoses",
        }


def probes(sc: Scenario, ids: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    """Every action of every chart tool that names a patient or a record, with `sc`'s ids."""
    pid = sc.juan
    return [
        ("managePatient", {"action": "get", "patient_id": pid}),
        ("managePatient", {"action": "update", "patient_id": pid, "city": "X"}),
        ("managePatient", {"action": "deactivate", "patient_id": pid}),
        ("managePatient", {"action": "activate", "patient_id": pid}),
        (
            "managePatient",
            {"action": "merge", "patient_id": pid, "duplicate_patient_id": sc.maria, "confirm": True},
        ),
        ("reviewPatientHistory", {"patient_id": pid}),
        ("documentEncounter", {"action": "list", "patient_id": pid}),
        ("documentEncounter", {"action": "get", "encounter_id": ids["encounter"]}),
        ("documentEncounter", {"action": "create", "patient_id": pid}),
        ("documentEncounter", {"action": "update", "encounter_id": ids["encounter"], "plan": "x"}),
        ("documentEncounter", {"action": "sign", "encounter_id": ids["encounter"]}),
        ("documentEncounter", {"action": "addendum", "encounter_id": ids["encounter"], "text": "x"}),
        ("documentEncounter", {"action": "discard", "encounter_id": ids["encounter"], "confirm": True}),
        ("managePatientDrugs", {"action": "list", "patient_id": pid}),
        ("managePatientDrugs", {"action": "add", "patient_id": pid, "drug_name": "x"}),
        ("managePatientDrugs", {"action": "update", "medication_id": ids["medication"], "dose": "1"}),
        ("managePatientDrugs", {"action": "discontinue", "medication_id": ids["medication"]}),
        ("managePatientDrugs", {"action": "remove", "medication_id": ids["medication"], "confirm": True}),
        ("managePatientAllergies", {"action": "list", "patient_id": pid}),
        ("managePatientAllergies", {"action": "add", "patient_id": pid, "allergen": "x", "category": "food"}),
        ("managePatientAllergies", {"action": "update", "allergy_id": ids["allergy"], "reaction": "x"}),
        ("managePatientAllergies", {"action": "deactivate", "allergy_id": ids["allergy"]}),
        ("managePatientAllergies", {"action": "remove", "allergy_id": ids["allergy"], "confirm": True}),
        ("managePatientDiagnoses", {"action": "list", "patient_id": pid}),
        ("managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "I10"}),
        ("managePatientDiagnoses", {"action": "update", "diagnosis_id": ids["diagnosis"], "comments": "x"}),
        ("managePatientDiagnoses", {"action": "resolve", "diagnosis_id": ids["diagnosis"]}),
        (
            "managePatientDiagnoses",
            {"action": "remove", "diagnosis_id": ids["diagnosis"], "confirm": True},
        ),
        ("managePatientNotes", {"action": "list", "patient_id": pid}),
        ("managePatientNotes", {"action": "add", "patient_id": pid, "text": "x"}),
        ("managePatientNotes", {"action": "update", "note_id": ids["note"], "text": "x"}),
        ("managePatientNotes", {"action": "remove", "note_id": ids["note"], "confirm": True}),
        ("managePatientRecalls", {"action": "list", "patient_id": pid}),
        (
            "managePatientRecalls",
            {"action": "add", "patient_id": pid, "due_date": "2026-05-01", "reason": "x"},
        ),
        ("managePatientRecalls", {"action": "update", "recall_id": ids["recall"], "reason": "x"}),
        ("managePatientRecalls", {"action": "cancel", "recall_id": ids["recall"]}),
        ("managePatientVitals", {"action": "list", "patient_id": pid}),
        ("managePatientVitals", {"action": "add", "patient_id": pid, "pulse": 70}),
        ("managePatientVitals", {"action": "update", "vitals_id": ids["vitals"], "pulse": 72}),
        ("managePatientVitals", {"action": "remove", "vitals_id": ids["vitals"], "confirm": True}),
        ("managePatientLabs", {"action": "list", "patient_id": pid}),
        ("managePatientLabs", {"action": "get", "lab_id": ids["lab"]}),
        (
            "managePatientLabs",
            {"action": "add", "patient_id": pid, "loinc_code": "718-7", "test_name": "Hb", "value": "1"},
        ),
        ("managePatientLabs", {"action": "update", "lab_id": ids["lab"], "value": "1"}),
        ("managePatientLabs", {"action": "remove", "lab_id": ids["lab"], "confirm": True}),
        ("managePatientFiles", {"action": "list", "patient_id": pid}),
        (
            "managePatientFiles",
            {"action": "add", "patient_id": pid, "filename": "a.txt", "content_base64": "eA=="},
        ),
        ("managePatientFiles", {"action": "get", "file_id": ids["file"]}),
        ("managePatientFiles", {"action": "remove", "file_id": ids["file"], "confirm": True}),
        ("manageAppointments", {"action": "list", "patient_id": pid}),
        (
            "manageAppointments",
            {
                "action": "add",
                "patient_id": pid,
                "provider_id": sc.garcia,
                "facility_id": sc.ny,
                "starts_at": "2026-03-03T10:00",
            },
        ),
    ]


async def test_another_practice_gets_not_found_for_every_action(
    app: Frontdesk, connect: Connect, scenario: Scenario
) -> None:
    ids = await seeded(connect, scenario)
    other = await build_scenario(app)
    async with Client(build_server(app, surface="charm", default_principal=staff(other, "admin"))) as c:
        for tool, args in probes(scenario, ids):
            r = await c.call_tool(tool, args)
            assert r.is_error, (tool, args)
            error = r.structured_content["error"]  # type: ignore[index]
            assert error["code"] == "not_found", (tool, args, error)
            text = r.content[0].text
            assert "Juan" not in text and "Codeine" not in text and "Sertraline" not in text, text
        assert (
            ok(await c.call_tool("findPatients", {"name": "juan perez"}))["patients"][0]["id"] == other.juan
        )
        due = ok(await c.call_tool("managePatientRecalls", {"action": "due", "until": "2030-01-01"}))
        assert due["count"] == 0
    async with connect("admin", other, surface="frontdesk") as c:
        err(await c.call_tool("export_patient_fhir", {"patient_id": scenario.juan}), "not_found")
    async with connect() as c:  # the first practice's chart is untouched
        history = ok(await c.call_tool("reviewPatientHistory", {"patient_id": scenario.juan}))
        assert [m["drug_name"] for m in history["medications"]] == ["Sertraline 50 mg"]
        assert history["patient"]["city"] is None


async def test_front_desk_is_refused_clinical_content_without_seeing_it(
    connect: Connect, scenario: Scenario
) -> None:
    ids = await seeded(connect, scenario)
    async with connect("front_desk") as c:
        for tool, args in probes(scenario, ids):
            if tool not in CLINICAL_ONLY and tool != "documentEncounter" and tool != "managePatientDiagnoses":
                continue
            r = await c.call_tool(tool, args)
            error = err(r, "forbidden")
            assert "clinical" in error["message"], (tool, error)
            text = r.content[0].text
            assert "Codeine" not in text and "Sertraline" not in text and "F32" not in text, text
            if args.pop("confirm", None):  # without confirm: still refused for the scope, not asked
                assert "clinical" in err(await c.call_tool(tool, args), "forbidden")["message"], tool
        demographics = ok(await c.call_tool("managePatient", {"action": "get", "patient_id": scenario.juan}))
        assert "allergies" not in demographics["patient"]


async def audit_count(app: Frontdesk, sc: Scenario, action: str) -> int:
    async with app.db.read() as s:
        q = select(func.count()).where(
            AuditEvent.practice_id == sc.practice_id,
            AuditEvent.action == action,
            AuditEvent.outcome == "ok",
            AuditEvent.actor == "user:provider",
        )
        return int((await s.execute(q)).scalar_one())


async def test_every_clinical_read_is_audited(app: Frontdesk, connect: Connect, scenario: Scenario) -> None:
    ids = await seeded(connect, scenario)
    pid = scenario.juan
    reads = [
        ("reviewPatientHistory", {"patient_id": pid}, "history.review"),
        ("documentEncounter", {"action": "list", "patient_id": pid}, "encounter.list"),
        ("documentEncounter", {"action": "get", "encounter_id": ids["encounter"]}, "encounter.read"),
        ("managePatientDrugs", {"action": "list", "patient_id": pid}, "medication.list"),
        ("managePatientAllergies", {"action": "list", "patient_id": pid}, "allergy.list"),
        ("managePatientDiagnoses", {"action": "list", "patient_id": pid}, "diagnosis.list"),
        ("managePatientNotes", {"action": "list", "patient_id": pid}, "note.list"),
        ("managePatientRecalls", {"action": "list", "patient_id": pid}, "recall.list"),
        ("managePatientRecalls", {"action": "due"}, "recall.due"),
        ("managePatientVitals", {"action": "list", "patient_id": pid}, "vitals.list"),
        ("managePatientLabs", {"action": "list", "patient_id": pid}, "lab.list"),
        ("managePatientLabs", {"action": "get", "lab_id": ids["lab"]}, "lab.read"),
        ("managePatientFiles", {"action": "list", "patient_id": pid}, "file.list"),
        ("managePatientFiles", {"action": "get", "file_id": ids["file"]}, "file.read"),
        ("findPatients", {"medication": "sertraline"}, "patient.find"),
        ("managePatient", {"action": "get", "patient_id": pid}, "patient.read"),
        ("manageAppointments", {"action": "list", "patient_id": pid}, "appointment.list"),
    ]
    async with connect() as c:
        for tool, args, action in reads:
            before = await audit_count(app, scenario, action)
            ok(await c.call_tool(tool, args))
            assert await audit_count(app, scenario, action) == before + 1, (tool, args)
        before = await audit_count(app, scenario, "file.read")
        await c.read_resource(f"frontdesk://files/{ids['file']}")
        assert await audit_count(app, scenario, "file.read") == before + 1
    async with connect(surface="frontdesk") as c:
        before = await audit_count(app, scenario, "fhir.export")
        ok(await c.call_tool("export_patient_fhir", {"patient_id": pid}))
        assert await audit_count(app, scenario, "fhir.export") == before + 1
    async with app.db.read() as s:
        details = (
            (
                await s.execute(
                    select(AuditEvent.detail).where(
                        AuditEvent.practice_id == scenario.practice_id, AuditEvent.action == "patient.find"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert details and all("sertraline" not in (d or "").lower() for d in details)  # no criteria in the trail


async def test_chart_tools_are_fully_described(connect: Connect) -> None:
    async with connect("admin") as c:
        tools = {t.name: t for t in (await c.list_tools()).tools if t.name in TOOL_NAMES}
    assert set(tools) == TOOL_NAMES
    for name, tool in tools.items():
        assert tool.title and tool.description and len(tool.description) > 80, name
        assert tool.output_schema and tool.output_schema.get("type") == "object", name
        a = tool.annotations
        assert a is not None and None not in (a.read_only_hint, a.destructive_hint, a.idempotent_hint), name
        assert a.open_world_hint is False, name
        props = tool.input_schema["properties"]
        if name.startswith("manage") or name == "documentEncounter":
            action = props["action"]
            assert set(action["x-actions"]) == set(action["enum"]), name
            for spec in action["x-actions"].values():
                assert set(spec["required"]) | set(spec["optional"]) <= set(props), name
            assert "idempotency_key" in props, name
    assert tools["reviewPatientHistory"].annotations.read_only_hint is True  # type: ignore[union-attr]


async def test_chart_tools_in_the_legacy_protocol_mode(
    app: Frontdesk, scenario: Scenario, files_root: object
) -> None:
    """The rest of this suite uses the client's default mode; the chart works the same in legacy mode."""
    server = build_server(app, surface="charm", default_principal=staff(scenario, "provider"))
    async with Client(server, mode="legacy") as c:
        assert await visible(c) == TOOL_NAMES
        ok(
            await c.call_tool(
                "managePatientAllergies",
                {"action": "add", "patient_id": scenario.juan, "allergen": "penicillin", "category": "drug"},
            )
        )
        refused = await c.call_tool(
            "managePatientDrugs", {"action": "add", "patient_id": scenario.juan, "drug_name": "ampicillin"}
        )
        assert err(refused, "conflict")["details"]["alerts"][0]["kind"] == "allergy_class"
        uri = ok(
            await c.call_tool(
                "managePatientFiles",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "filename": "n.txt",
                    "content_base64": base64.b64encode(b"hi").decode(),
                },
            )
        )["files"][0]["uri"]
        assert (await c.read_resource(uri)).contents[0].text == "hi"
