"""The chart on both surfaces: the CharmHealth seed's fourteen names on /mcp/charm, Frontdesk's own
snake_case names on /mcp, with the same schemas (the deliberate differences aside) over the same
services, so a record written through one is read, and a write replayed, through the other."""

from __future__ import annotations

from typing import Any

from mcp import Client
from mcp_types import Tool

from frontdesk.composition import Frontdesk
from frontdesk.mcp.registry import surface_text
from frontdesk.mcp.server import build_server
from frontdesk.mcp.surfaces import CHARM_NAMES, CHART, bindings
from frontdesk.services.clinical.operations import patients
from frontdesk.services.operations import Input
from tests.clinical.conftest import Connect, err, ok, staff
from tests.factories import Scenario

SEED_TOOLS = {
    "documentEncounter",
    "findPatients",
    "managePatient",
    "reviewPatientHistory",
    "managePatientDrugs",
    "managePatientAllergies",
    "managePatientDiagnoses",
    "managePatientNotes",
    "managePatientRecalls",
    "managePatientVitals",
    "managePatientFiles",
    "managePatientLabs",
    "getPracticeInfo",
    "manageAppointments",
}
FRONTDESK_CHART = {
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
CHARM = bindings("charm")[0]  # any charm binding: its words rename a text as that surface does


async def tools_of(app: Frontdesk, sc: Scenario, surface: str) -> dict[str, Tool]:
    async with Client(build_server(app, surface=surface, default_principal=staff(sc, "admin"))) as c:
        return {t.name: t for t in (await c.list_tools()).tools}


def as_charm(schema: Any) -> Any:
    """A frontdesk schema with its texts in the charm surface's words."""
    if isinstance(schema, dict):
        return {
            k: surface_text(v, CHARM) if k == "description" and isinstance(v, str) else as_charm(v)
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [as_charm(x) for x in schema]
    return schema


def without_titular(schema: dict[str, Any]) -> None:
    """/mcp's manage_patient schema as the charm surface has it: no titular provider fields."""
    for name in patients.WITHOUT_TITULAR:
        del schema["properties"][name]
        action = schema["properties"]["action"]
        action["description"] = action["description"].replace(f", {name}", "")
        for spec in action["x-actions"].values():
            spec["optional"] = [f for f in spec["optional"] if f != name]


async def test_each_surface_serves_its_names_and_no_other(app: Frontdesk, scenario: Scenario) -> None:
    charm = await tools_of(app, scenario, "charm")
    assert set(charm) == SEED_TOOLS
    frontdesk = await tools_of(app, scenario, "frontdesk")
    assert FRONTDESK_CHART <= set(frontdesk)
    # No camelCase tool on /mcp; getPracticeInfo and manageAppointments would duplicate its own.
    assert all(name == name.lower() for name in frontdesk)
    assert not {"get_practice_info", "manage_appointments", "search_patients"} & set(frontdesk)


async def test_same_schemas_on_both_surfaces(app: Frontdesk, scenario: Scenario) -> None:
    charm = await tools_of(app, scenario, "charm")
    frontdesk = await tools_of(app, scenario, "frontdesk")
    for own, seed in CHARM_NAMES.items():
        if own not in frontdesk:
            continue  # charm-only
        ours, theirs = frontdesk[own], charm[seed]
        mine = as_charm(ours.input_schema)
        if own == "find_patients":  # the deliberate differences: /mcp also finds by UID and provider
            for extra in ("uid", "provider_id"):
                assert extra in mine["properties"] and extra not in theirs.input_schema["properties"]
                del mine["properties"][extra]
            assert surface_text(patients.FIND_PATIENTS_WITHOUT_UID, CHARM) == theirs.description
        elif own == "manage_patient":  # and keeps a client's titular provider (a Coordinalo notion)
            without_titular(mine)
            assert surface_text(patients.MANAGE_PATIENT_WITHOUT_TITULAR, CHARM) == theirs.description
        else:
            assert surface_text(ours.description or "", CHARM) == theirs.description, own
        assert mine == theirs.input_schema, own
        assert ours.output_schema == theirs.output_schema, own
        assert (ours.title, ours.annotations) == (theirs.title, theirs.annotations), own
    # The texts on /mcp name /mcp's tools.
    assert "find_patients" in (frontdesk["manage_patient"].description or "")
    assert "findPatients" in (charm["managePatient"].description or "")


async def test_both_surfaces_reach_the_same_chart(connect: Connect, scenario: Scenario) -> None:
    note = {"action": "add", "patient_id": scenario.juan, "text": "Prefers mornings", "pinned": True}
    note["idempotency_key"] = "n-1"
    async with connect(surface="frontdesk") as fd:
        first = ok(await fd.call_tool("manage_patient_notes", note))["notes"][0]
    async with connect() as charm:
        # The same key and arguments through the other surface: the first answer, not a second note.
        again = ok(await charm.call_tool("managePatientNotes", note))["notes"][0]
        assert again == first
        listed = ok(
            await charm.call_tool("managePatientNotes", {"action": "list", "patient_id": scenario.juan})
        )
        assert [n["id"] for n in listed["notes"]] == [first["id"]]
        other = await charm.call_tool("managePatientNotes", {**note, "text": "Prefers evenings"})
        err(other, "invalid", "idempotency_key")  # taken by other arguments, whichever surface
        ok(
            await charm.call_tool(
                "managePatientVitals", {"action": "add", "patient_id": scenario.juan, "pulse": 64}
            )
        )
    async with connect(surface="frontdesk") as fd:
        history = ok(await fd.call_tool("review_patient_history", {"patient_id": scenario.juan}))
        assert [n["id"] for n in history["pinned_notes"]] == [first["id"]]
        assert history["latest_vitals"]["measurements"][0]["value"] == 64


async def test_find_patients_by_uid_on_frontdesk_only(connect: Connect, scenario: Scenario) -> None:
    async with connect("front_desk", surface="frontdesk") as fd:
        juan = ok(await fd.call_tool("manage_patient", {"action": "get", "patient_id": scenario.juan}))[
            "patient"
        ]
        found = ok(await fd.call_tool("find_patients", {"uid": juan["uid"]}))
        assert [p["id"] for p in found["patients"]] == [scenario.juan]
        assert ok(await fd.call_tool("find_patients", {"uid": "P-00000000"}))["count"] == 0
    async with connect("front_desk") as charm:
        refused = err(await charm.call_tool("findPatients", {"uid": juan["uid"]}), "invalid", "uid")
        assert "unknown argument" in refused["message"]


def test_every_chart_field_is_bounded() -> None:
    """Every integer a chart operation takes has both bounds, every string a maximum length."""

    def walk(schema: Any, where: str) -> None:
        if isinstance(schema, dict):
            kind = schema.get("type")
            if kind == "integer":
                assert "minimum" in schema and "maximum" in schema, where
            if kind == "string" and "enum" not in schema and "const" not in schema:
                assert "maxLength" in schema, where
            for key, value in schema.items():
                walk(value, f"{where}.{key}")
        elif isinstance(schema, list):
            for i, value in enumerate(schema):
                walk(value, f"{where}[{i}]")

    for op in CHART:
        assert issubclass(op.input, Input)
        walk(op.input.model_json_schema(), op.name)
    assert {b.operation.name for b in bindings("charm")} | {
        b.operation.name for b in bindings("frontdesk")
    } >= {op.name for op in CHART}
