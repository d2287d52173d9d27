"""export_patient_fhir: a FHIR R4 Bundle that validates with fhir.resources and uses R4 codes."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import anyio
import pytest
from fhir.resources.R4B.bundle import Bundle

from frontdesk.composition import Frontdesk
from tests.clinical.conftest import Connect, err, ok
from tests.clinical.test_overview import chart
from tests.factories import Scenario

R4_PYTHON = Path(
    os.environ.get(
        "FRONTDESK_FHIR_R4_PYTHON", Path(__file__).resolve().parents[2] / ".venv-fhir-r4/bin/python"
    )
)
R4_READY = R4_PYTHON.exists()
R4_CHECK = (
    "import json, sys\n"
    "from fhir.resources import __fhir_version__\n"
    "from fhir.resources.bundle import Bundle\n"
    "bundle = Bundle.parse_obj(json.load(sys.stdin))\n"
    "print(__fhir_version__, len(bundle.entry))\n"
)

# R4 (4.0.1) required value sets for the status elements used.
R4_STATUS = {
    "Encounter": {
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    "MedicationStatement": {
        "active",
        "completed",
        "entered-in-error",
        "intended",
        "stopped",
        "on-hold",
        "unknown",
        "not-taken",
    },
    "Observation": {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    "Appointment": {
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    },
}


async def _export(connect: Connect, scenario: Scenario, app: Frontdesk) -> dict[str, Any]:
    """A chart with every kind of record, exported: the tool's structured answer."""
    await chart(connect, scenario, app)
    async with connect("front_desk") as c:
        ok(
            await c.call_tool(
                "managePatient",
                {
                    "action": "update",
                    "patient_id": scenario.juan,
                    "date_of_birth": "1975-07-04",
                    "sex": "male",
                    "preferred_name": "Juanito",
                    "address_line1": "1 Main St",
                    "city": "Boston",
                    "postal_code": "02110",
                    "country": "US",
                    "language": "es",
                    "emergency_name": "Rosa Perez",
                    "emergency_phone": "+1 212 555 0199",
                    "gender_identity": "man",
                    "insurance_payer": "Acme Health",
                    "insurance_member_id": "ACM-77",
                    "insurance_plan": "Gold PPO",
                },
            )
        )
        ok(
            await c.call_tool(
                "manageAppointments",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "provider_id": scenario.garcia,
                    "facility_id": scenario.ny,
                    "starts_at": "2026-03-03T10:00",
                },
            )
        )
    async with connect() as c:
        ok(
            await c.call_tool(
                "managePatientAllergies",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "allergen": "Latex",
                    "category": "environmental",
                },
            )
        )
        removed = ok(
            await c.call_tool(
                "managePatientDiagnoses", {"action": "add", "patient_id": scenario.juan, "code": "J45.909"}
            )
        )
        ok(
            await c.call_tool(
                "managePatientDiagnoses",
                {"action": "remove", "diagnosis_id": removed["diagnoses"][0]["id"], "confirm": True},
            )
        )
        ok(
            await c.call_tool(
                "managePatientFiles",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "filename": "a.txt",
                    "content_base64": base64.b64encode(b"x").decode(),
                },
            )
        )
    async with connect(surface="frontdesk") as c:
        return ok(await c.call_tool("export_patient_fhir", {"patient_id": scenario.juan}))


async def test_bundle_validates_and_covers_the_record(
    connect: Connect, scenario: Scenario, app: Frontdesk
) -> None:
    out = await _export(connect, scenario, app)
    bundle = out["bundle"]
    assert out["fhir_version"] == "4.0.1" and out["resource_count"] == len(bundle["entry"])
    parsed = Bundle.model_validate(bundle)  # the library's validation, independently of the server's
    assert parsed.type == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert {
        "Patient",
        "Encounter",
        "Condition",
        "AllergyIntolerance",
        "MedicationStatement",
        "Observation",
        "Appointment",
    } <= set(kinds)
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls) and all(u.startswith("urn:uuid:") for u in urls)
    patient_url = urls[kinds.index("Patient")]
    for e in bundle["entry"]:
        res = e["resource"]
        ref = res.get("subject") or res.get("patient")
        if ref:
            assert ref["reference"] == patient_url
        if res["resourceType"] in R4_STATUS:
            assert res["status"] in R4_STATUS[res["resourceType"]], res
    patient = bundle["entry"][0]["resource"]
    assert patient["gender"] == "male" and patient["birthDate"] == "1975-07-04"
    assert patient["extension"] == [
        {
            "url": "http://hl7.org/fhir/StructureDefinition/patient-genderIdentity",
            "valueCodeableConcept": {"text": "man"},
        }
    ]
    cover = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Coverage")
    assert cover["beneficiary"]["reference"] == patient_url and cover["payor"] == [{"display": "Acme Health"}]
    assert cover["subscriberId"] == "ACM-77" and [c["value"] for c in cover["class"]] == ["Gold PPO"]
    assert {n["use"] for n in patient["name"]} == {"official", "usual"}
    assert (
        patient["address"][0]["postalCode"] == "02110"
        and patient["contact"][0]["name"]["text"] == "Rosa Perez"
    )
    conditions = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"]
    i10 = next(x for x in conditions if x["code"]["coding"][0]["code"] == "I10")
    assert i10["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
    assert i10["clinicalStatus"]["coding"][0]["code"] == "active"
    error = next(x for x in conditions if x["code"]["coding"][0]["code"] == "J45.909")
    assert (
        "clinicalStatus" not in error
        and error["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
    )
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    bp = [o for o in observations if o["code"]["coding"][0]["code"] == "85354-9"]
    assert len(bp) == 2 and {c["code"]["coding"][0]["code"] for c in bp[0]["component"]} == {
        "8480-6",
        "8462-4",
    }
    weight = next(o for o in observations if o["code"]["coding"][0]["code"] == "29463-7")
    assert (
        weight["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        and weight["valueQuantity"]["code"] == "kg"
    )
    creat = next(o for o in observations if o["code"]["coding"][0]["code"] == "2160-0")
    assert (
        creat["interpretation"][0]["coding"][0]["code"] == "H"
        and creat["category"][0]["coding"][0]["code"] == "laboratory"
    )
    allergy = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "AllergyIntolerance" and e["resource"]["code"]["text"] == "Latex"
    )
    assert allergy["category"] == ["environment"]
    appt = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Appointment")
    assert appt["status"] == "booked" and appt["start"] == "2026-03-03T10:00:00-05:00"


async def test_bundle_validates_with_the_fhir_r4_4_0_1_models(
    connect: Connect, scenario: Scenario, app: Frontdesk
) -> None:
    """fhir.resources 6.4 is the last line with FHIR 4.0.1 (R4) models; it needs pydantic 1, so it
    lives in its own environment (scripts/test makes .venv-fhir-r4) and checks the bundle there."""
    if not R4_READY:
        if os.environ.get("CI"):
            pytest.fail(f"{R4_PYTHON} is missing; scripts/test installs it")
        pytest.skip(f"{R4_PYTHON} is missing (run scripts/test, or set FRONTDESK_FHIR_R4_PYTHON)")
    bundle = (await _export(connect, scenario, app))["bundle"]
    checked = await anyio.run_process(
        [str(R4_PYTHON), "-c", R4_CHECK], input=json.dumps(bundle).encode(), check=False
    )
    assert checked.returncode == 0, checked.stderr.decode()[-3000:]
    assert checked.stdout.decode().split() == ["4.0.1", str(len(bundle["entry"]))]
    # The same check refuses what R4 does not allow, so passing means something.
    broken = json.loads(json.dumps(bundle))
    broken["entry"][0]["resource"]["birthDate"] = "04/07/1975"
    refused = await anyio.run_process(
        [str(R4_PYTHON), "-c", R4_CHECK], input=json.dumps(broken).encode(), check=False
    )
    assert refused.returncode != 0 and "birthDate" in refused.stderr.decode()


async def test_export_is_for_clinicians(connect: Connect, scenario: Scenario) -> None:
    async with connect("front_desk", surface="frontdesk") as c:
        err(await c.call_tool("export_patient_fhir", {"patient_id": scenario.juan}), "forbidden")
    async with connect("billing", surface="frontdesk") as c:
        err(await c.call_tool("export_patient_fhir", {"patient_id": scenario.juan}), "forbidden")
    async with connect(surface="frontdesk") as c:
        minimal = ok(await c.call_tool("export_patient_fhir", {"patient_id": scenario.maria}))
        assert minimal["resource_count"] == 1
        Bundle.model_validate(minimal["bundle"])
