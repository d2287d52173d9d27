"""managePatientDrugs and managePatientAllergies: the allergy check refuses, an override is recorded."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Conflict
from frontdesk.services.clinical.medications import MedicationInput
from frontdesk.storage.models import AuditEvent
from tests.clinical.conftest import Connect, err, ok, staff
from tests.factories import Scenario


async def test_allergy_actions(connect: Connect, scenario: Scenario) -> None:
    pid = scenario.juan
    async with connect() as c:
        pen = ok(
            await c.call_tool(
                "managePatientAllergies",
                {
                    "action": "add",
                    "patient_id": pid,
                    "allergen": "Penicillin",
                    "category": "drug",
                    "reaction": "Hives",
                    "severity": "severe",
                    "onset_date": "2001-06-01",
                },
            )
        )["allergies"][0]
        assert pen["drug_classes"] == ["penicillins"] and pen["status"] == "active" and pen["warnings"] == []
        nuts = ok(
            await c.call_tool(
                "managePatientAllergies",
                {"action": "add", "patient_id": pid, "allergen": "Peanuts", "category": "food"},
            )
        )["allergies"][0]
        dust = ok(
            await c.call_tool(
                "managePatientAllergies",
                {"action": "add", "patient_id": pid, "allergen": "House dust", "category": "environmental"},
            )
        )["allergies"][0]
        upd = ok(
            await c.call_tool(
                "managePatientAllergies",
                {"action": "update", "allergy_id": nuts["id"], "severity": "moderate"},
            )
        )["allergies"][0]
        assert upd["severity"] == "moderate" and upd["allergen"] == "Peanuts"
        off = ok(
            await c.call_tool("managePatientAllergies", {"action": "deactivate", "allergy_id": dust["id"]})
        )
        assert off["allergies"][0]["status"] == "inactive"
        gone = ok(
            await c.call_tool(
                "managePatientAllergies", {"action": "remove", "allergy_id": nuts["id"], "confirm": True}
            )
        )
        assert gone["allergies"][0]["status"] == "entered_in_error"
        active = ok(await c.call_tool("managePatientAllergies", {"action": "list", "patient_id": pid}))
        assert [a["allergen"] for a in active["allergies"]] == ["Penicillin"]
        every = ok(
            await c.call_tool(
                "managePatientAllergies", {"action": "list", "patient_id": pid, "include_inactive": True}
            )
        )
        assert every["count"] == 3
        err(
            await c.call_tool(
                "managePatientAllergies", {"action": "add", "patient_id": pid, "allergen": "x"}
            ),
            "invalid",
            "category",
        )
        err(
            await c.call_tool(
                "managePatientAllergies", {"action": "update", "allergy_id": nuts["id"], "severity": "mild"}
            ),
            "invalid",
            "allergy_id",
        )


async def test_allergy_check_refuses_then_records_the_override(
    connect: Connect, scenario: Scenario, app: Frontdesk
) -> None:
    pid = scenario.juan
    async with connect() as c:
        allergy = ok(
            await c.call_tool(
                "managePatientAllergies",
                {
                    "action": "add",
                    "patient_id": pid,
                    "allergen": "penicillin",
                    "category": "drug",
                    "severity": "severe",
                },
            )
        )["allergies"][0]["id"]
        amox = {
            "action": "add",
            "patient_id": pid,
            "drug_name": "Amoxicillin 500 mg capsule",
            "dose": "500 mg",
            "route": "oral",
            "frequency": "every 8 hours",
            "start_date": "2026-03-02",
            "prescriber_id": scenario.garcia,
        }
        refused = await c.call_tool("managePatientDrugs", amox)
        error = err(refused, "conflict", "drug_name")
        alert = error["details"]["alerts"][0]
        assert (alert["kind"], alert["record_id"], alert["drug_class"]) == (
            "allergy_class",
            allergy,
            "penicillins",
        )
        assert "penicillin" in refused.content[0].text and "override_reason" in refused.content[0].text
        listed = ok(await c.call_tool("managePatientDrugs", {"action": "list", "patient_id": pid}))
        assert listed["count"] == 0  # refused means nothing written
        err(
            await c.call_tool("managePatientDrugs", amox | {"override_reason": "ok"}),
            "invalid",
            "override_reason",
        )
        why = "Tolerated amoxicillin under observation in 2024; allergist cleared"
        med = ok(await c.call_tool("managePatientDrugs", amox | {"override_reason": why}))["medications"][0]
        assert med["override_reason"] == why and med["override_by"] == "user:provider"
        assert [a["kind"] for a in med["override_alerts"]] == ["allergy_class"]
        assert med["prescriber_name"] == "Dr. Ana Garcia" and med["drug_classes"] == ["penicillins"]
        cross = await c.call_tool(
            "managePatientDrugs", {"action": "add", "patient_id": pid, "drug_name": "Keflex"}
        )
        crossed = err(cross, "conflict", "drug_name")
        assert crossed["details"]["alerts"][0]["kind"] == "cross_sensitivity"
        assert crossed["details"]["alerts"][0]["risk"] == "low"
    async with app.db.read() as s:
        rows = (
            await s.execute(
                select(AuditEvent.action, AuditEvent.outcome, AuditEvent.detail)
                .where(AuditEvent.practice_id == scenario.practice_id, AuditEvent.action == "medication.add")
                .order_by(AuditEvent.seq)
            )
        ).all()
    assert [(a, o) for a, o, _ in rows] == [
        ("medication.add", "conflict"),
        ("medication.add", "invalid"),
        ("medication.add", "ok"),
        ("medication.add", "conflict"),
    ]
    assert rows[2][2] == "override:allergy_class"


async def test_duplicate_therapy_and_lifecycle(connect: Connect, scenario: Scenario) -> None:
    pid = scenario.maria
    async with connect() as c:
        statin = ok(
            await c.call_tool(
                "managePatientDrugs", {"action": "add", "patient_id": pid, "drug_name": "Atorvastatin 20 mg"}
            )
        )["medications"][0]
        dup = await c.call_tool(
            "managePatientDrugs", {"action": "add", "patient_id": pid, "drug_name": "Zocor 10 mg"}
        )
        assert err(dup, "conflict")["details"]["alerts"][0]["kind"] == "duplicate_therapy"
        fish = ok(
            await c.call_tool(
                "managePatientDrugs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "drug_name": "Fish oil",
                    "kind": "supplement",
                    "dose": "1 g",
                },
            )
        )["medications"][0]
        assert fish["kind"] == "supplement" and fish["drug_classes"] == []
        vit = ok(
            await c.call_tool(
                "managePatientDrugs",
                {"action": "add", "patient_id": pid, "drug_name": "Vitamin D3", "kind": "vitamin"},
            )
        )["medications"][0]
        upd = ok(
            await c.call_tool(
                "managePatientDrugs",
                {
                    "action": "update",
                    "medication_id": statin["id"],
                    "dose": "40 mg",
                    "instructions": "at night",
                },
            )
        )["medications"][0]
        assert upd["dose"] == "40 mg" and upd["status"] == "active"
        stopped = ok(
            await c.call_tool("managePatientDrugs", {"action": "discontinue", "medication_id": statin["id"]})
        )["medications"][0]
        assert stopped["status"] == "stopped" and stopped["stop_date"] == "2026-03-02"
        now_fine = ok(
            await c.call_tool(
                "managePatientDrugs", {"action": "add", "patient_id": pid, "drug_name": "Simvastatin"}
            )
        )["medications"][0]
        restart = await c.call_tool(
            "managePatientDrugs", {"action": "update", "medication_id": statin["id"], "status": "active"}
        )
        assert err(restart, "conflict")["details"]["alerts"][0]["record_id"] == now_fine["id"]
        ok(
            await c.call_tool(
                "managePatientDrugs", {"action": "remove", "medication_id": vit["id"], "confirm": True}
            )
        )
        err(
            await c.call_tool(
                "managePatientDrugs", {"action": "update", "medication_id": vit["id"], "status": "active"}
            ),
            "conflict",
            "status",
        )
        current = ok(await c.call_tool("managePatientDrugs", {"action": "list", "patient_id": pid}))
        assert sorted(m["drug_name"] for m in current["medications"]) == ["Fish oil", "Simvastatin"]
        history = ok(
            await c.call_tool(
                "managePatientDrugs", {"action": "list", "patient_id": pid, "include_inactive": True}
            )
        )
        assert history["count"] == 4
        err(
            await c.call_tool(
                "managePatientDrugs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "drug_name": "x",
                    "start_date": "2026-03-02",
                    "stop_date": "2026-01-01",
                },
            ),
            "invalid",
            "stop_date",
        )


async def test_new_allergy_warns_about_current_drugs(connect: Connect, scenario: Scenario) -> None:
    async with connect() as c:
        med = ok(
            await c.call_tool(
                "managePatientDrugs",
                {"action": "add", "patient_id": scenario.juan, "drug_name": "Ibuprofen 400 mg"},
            )
        )["medications"][0]
        added = ok(
            await c.call_tool(
                "managePatientAllergies",
                {"action": "add", "patient_id": scenario.juan, "allergen": "NSAIDs", "category": "drug"},
            )
        )
        warning = added["allergies"][0]["warnings"][0]
        assert warning["record_id"] == med["id"] and warning["kind"] == "allergy_class"
        again = await c.call_tool(
            "managePatientAllergies",
            {"action": "update", "allergy_id": added["allergies"][0]["id"], "reaction": "wheeze"},
        )
        assert "warning" in again.content[0].text and ok(again)["allergies"][0]["warnings"]


async def test_idempotent_prescription(connect: Connect, scenario: Scenario) -> None:
    args = {
        "action": "add",
        "patient_id": scenario.juan,
        "drug_name": "Omeprazole 20 mg",
        "idempotency_key": "rx-1",
    }
    async with connect() as c:
        first = ok(await c.call_tool("managePatientDrugs", args))
        again = ok(await c.call_tool("managePatientDrugs", args))
        assert again == first
        other = await c.call_tool("managePatientDrugs", args | {"drug_name": "Pantoprazole"})
        err(other, "invalid", "idempotency_key")
        assert (
            ok(await c.call_tool("managePatientDrugs", {"action": "list", "patient_id": scenario.juan}))[
                "count"
            ]
            == 1
        )


async def test_concurrent_prescriptions_cannot_both_pass_the_check(
    app: Frontdesk, scenario: Scenario
) -> None:
    """Two duplicate-therapy prescriptions at once: the patient's chart writes are serialised, so the
    second sees the first and is refused (PostgreSQL row lock; SQLite's single writer)."""
    p = staff(scenario, "provider")
    outcomes = await asyncio.gather(
        app.medications.add(p, scenario.juan, MedicationInput(drug_name="Atorvastatin 20 mg")),
        app.medications.add(p, scenario.juan, MedicationInput(drug_name="Rosuvastatin 10 mg")),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "MedicationInfo"]
    refused = next(o for o in outcomes if isinstance(o, Conflict))
    assert refused.details["alerts"][0]["kind"] == "duplicate_therapy"
