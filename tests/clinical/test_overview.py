"""reviewPatientHistory, getPracticeInfo and manageAppointments."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from tests.clinical.conftest import Connect, err, ok
from tests.factories import Scenario


async def chart(connect: Connect, sc: Scenario, app: Frontdesk) -> dict[str, int]:
    """A small chart for Juan: problems, drugs, an allergy, vitals twice, labs, a visit, a recall, notes."""
    pid = sc.juan
    async with connect() as c:
        ids = {}
        ids["dx"] = ok(
            await c.call_tool("managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "I10"})
        )["diagnoses"][0]["id"]
        ok(
            await c.call_tool(
                "managePatientDrugs", {"action": "add", "patient_id": pid, "drug_name": "Lisinopril 10 mg"}
            )
        )
        ok(
            await c.call_tool(
                "managePatientAllergies",
                {
                    "action": "add",
                    "patient_id": pid,
                    "allergen": "Sulfa",
                    "category": "drug",
                    "reaction": "rash",
                },
            )
        )
        for when, sys_, weight in (("2026-01-05T09:00", 150, 92), ("2026-02-05T09:00", 138, 90)):
            ok(
                await c.call_tool(
                    "managePatientVitals",
                    {
                        "action": "add",
                        "patient_id": pid,
                        "measured_at": when,
                        "systolic": sys_,
                        "diastolic": 90,
                        "weight": weight,
                        "height": 180,
                    },
                )
            )
        ok(
            await c.call_tool(
                "managePatientLabs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "loinc_code": "2160-0",
                    "test_name": "Creatinine",
                    "value": "1.9",
                    "unit": "mg/dL",
                    "reference_low": 0.7,
                    "reference_high": 1.3,
                },
            )
        )
        ok(
            await c.call_tool(
                "managePatientLabs",
                {
                    "action": "add",
                    "patient_id": pid,
                    "loinc_code": "2951-2",
                    "test_name": "Sodium",
                    "value": "140",
                    "reference_low": 135,
                    "reference_high": 145,
                },
            )
        )
        ids["enc"] = ok(
            await c.call_tool(
                "documentEncounter",
                {
                    "action": "create",
                    "patient_id": pid,
                    "provider_id": sc.garcia,
                    "assessment": "HTN improving",
                },
            )
        )["encounters"][0]["id"]
        ok(
            await c.call_tool(
                "managePatientRecalls",
                {"action": "add", "patient_id": pid, "due_date": "2026-04-01", "reason": "BP follow-up"},
            )
        )
        ok(
            await c.call_tool(
                "managePatientNotes",
                {"action": "add", "patient_id": pid, "text": "Needs interpreter", "pinned": True},
            )
        )
        ok(
            await c.call_tool(
                "managePatientNotes", {"action": "add", "patient_id": pid, "text": "not pinned"}
            )
        )
    return ids


async def test_review_patient_history(connect: Connect, scenario: Scenario, app: Frontdesk) -> None:
    ids = await chart(connect, scenario, app)
    async with connect() as c:
        result = await c.call_tool("reviewPatientHistory", {"patient_id": scenario.juan})
        h = ok(result)
        assert h["patient"]["first_name"] == "Juan"
        assert [d["code"] for d in h["problems"]] == ["I10"]
        assert [m["drug_name"] for m in h["medications"]] == ["Lisinopril 10 mg"]
        assert [a["allergen"] for a in h["allergies"]] == ["Sulfa"]
        assert [e["id"] for e in h["encounters"]] == [ids["enc"]]
        assert h["latest_vitals"]["measured_at"] == "2026-02-05T09:00:00-05:00"
        trends = {t["kind"]: t for t in h["trends"]}
        assert trends["systolic"]["direction"] == "falling" and trends["systolic"]["change"] == -12
        assert trends["bmi"]["latest"] == 27.8
        assert [x["test_name"] for x in h["abnormal_labs"]] == ["Creatinine"]
        assert [r["reason"] for r in h["open_recalls"]] == ["BP follow-up"]
        assert [n["text"] for n in h["pinned_notes"]] == ["Needs interpreter"]
        text = result.content[0].text
        assert "I10" in text and "Lisinopril" in text and "Creatinine" in text
        us = ok(await c.call_tool("reviewPatientHistory", {"patient_id": scenario.juan, "units": "us"}))
        assert {m["kind"]: m["unit"] for m in us["latest_vitals"]["measurements"]}["weight"] == "lb"
        empty = ok(await c.call_tool("reviewPatientHistory", {"patient_id": scenario.maria}))
        assert empty["problems"] == [] and empty["latest_vitals"] is None
        err(await c.call_tool("reviewPatientHistory", {"patient_id": 99999999}), "not_found", "patient_id")


async def test_get_practice_info(connect: Connect, scenario: Scenario) -> None:
    async with connect("front_desk") as c:
        info = ok(await c.call_tool("getPracticeInfo", {}))
        assert info["practice_name"] == "Test Practice" and info["timezone"] == "America/New_York"
        assert {f["name"] for f in info["facilities"]} == {"Main Street", "Lisboa"}
        assert {p["id"] for p in info["providers"]} == {scenario.garcia, scenario.silva_j, scenario.silva_a}
        assert "adult-metric" in {t["key"] for t in info["vital_templates"]}


async def test_manage_appointments(connect: Connect, scenario: Scenario) -> None:
    base = {"patient_id": scenario.juan, "provider_id": scenario.garcia, "facility_id": scenario.ny}
    async with connect("front_desk") as c:
        slots = ok(
            await c.call_tool(
                "manageAppointments",
                {
                    "action": "find_slots",
                    "facility_id": scenario.ny,
                    "provider_id": scenario.garcia,
                    "start": "2026-03-03",
                    "end": "2026-03-04",
                    "service_id": scenario.cleaning,
                },
            )
        )
        assert slots["slots"][0]["start"] == "2026-03-03T09:00:00-05:00"
        made = ok(
            await c.call_tool(
                "manageAppointments",
                {
                    "action": "add",
                    **base,
                    "starts_at": "2026-03-03T09:00",
                    "service_id": scenario.cleaning,
                    "notes": "Cleaning",
                },
            )
        )["appointments"][0]
        assert made["end"] == "2026-03-03T09:30:00-05:00" and made["status"] == "scheduled"
        clash = await c.call_tool(
            "manageAppointments", {"action": "add", **base, "starts_at": "2026-03-03T09:15"}
        )
        err(clash, "conflict", "starts_at")
        moved = ok(
            await c.call_tool(
                "manageAppointments",
                {"action": "update", "appointment_id": made["id"], "starts_at": "2026-03-03T11:00"},
            )
        )["appointments"][0]
        assert moved["start"] == "2026-03-03T11:00:00-05:00" and moved["end"] == "2026-03-03T11:30:00-05:00"
        confirmed = ok(
            await c.call_tool(
                "manageAppointments",
                {"action": "update", "appointment_id": made["id"], "status": "confirmed"},
            )
        )["appointments"][0]
        assert confirmed["status"] == "confirmed"
        second = ok(
            await c.call_tool(
                "manageAppointments", {"action": "add", **base, "starts_at": "2026-03-05T14:00"}
            )
        )
        day = ok(
            await c.call_tool(
                "manageAppointments",
                {"action": "list", "facility_id": scenario.ny, "start": "2026-03-03", "end": "2026-03-04"},
            )
        )
        assert [a["id"] for a in day["appointments"]] == [made["id"]]
        his = ok(await c.call_tool("manageAppointments", {"action": "list", "patient_id": scenario.juan}))
        assert [a["id"] for a in his["appointments"]] == [second["appointments"][0]["id"], made["id"]]
        err(await c.call_tool("manageAppointments", {"action": "list"}), "invalid", "patient_id")
        need = await c.call_tool(
            "manageAppointments", {"action": "cancel", "appointment_id": made["id"], "confirm": False}
        )
        err(need, "invalid", "confirm")
        gone = ok(
            await c.call_tool(
                "manageAppointments", {"action": "cancel", "appointment_id": made["id"], "confirm": True}
            )
        )["appointments"][0]
        assert gone["status"] == "cancelled"
        outside = await c.call_tool(
            "manageAppointments", {"action": "add", **base, "starts_at": "2026-03-03T20:00"}
        )
        err(outside, "invalid", "starts_at")
    async with connect("billing") as c:
        refused = await c.call_tool(
            "manageAppointments", {"action": "add", **base, "starts_at": "2026-03-06T10:00"}
        )
        err(refused, "forbidden")
