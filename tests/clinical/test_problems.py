"""managePatientDiagnoses (ICD-10-CM), managePatientNotes and managePatientRecalls."""

from __future__ import annotations

from tests.clinical.conftest import Connect, err, ok
from tests.factories import Scenario


async def test_icd10_codes_are_validated_and_searchable(connect: Connect, scenario: Scenario) -> None:
    pid = scenario.juan
    async with connect() as c:
        found = ok(
            await c.call_tool(
                "managePatientDiagnoses", {"action": "search_codes", "query": "type 2 diabetes"}
            )
        )
        codes = {x["code"]: x for x in found["codes"]}
        assert "E11.9" in codes and codes["E11.9"]["billable"] is True
        by_code = ok(await c.call_tool("managePatientDiagnoses", {"action": "search_codes", "query": "I10"}))
        assert by_code["codes"][0] == {
            "code": "I10",
            "description": "Essential (primary) hypertension",
            "billable": True,
        }
        err(
            await c.call_tool("managePatientDiagnoses", {"action": "search_codes", "query": "x"}),
            "invalid",
            "query",
        )

        shape = await c.call_tool(
            "managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "11.9"}
        )
        assert "ICD-10-CM code such as" in err(shape, "invalid", "code")["message"]
        unknown = await c.call_tool(
            "managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "E11.99"}
        )
        assert "not in the ICD-10-CM code set" in err(unknown, "invalid", "code")["message"]
        category = await c.call_tool(
            "managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "E11"}
        )
        assert "category" in err(category, "invalid", "code")["message"]

        dm = ok(
            await c.call_tool(
                "managePatientDiagnoses",
                {
                    "action": "add",
                    "patient_id": pid,
                    "code": "e119",
                    "onset_date": "2019-04-01",
                    "comments": "diet",
                },
            )
        )["diagnoses"][0]
        assert (dm["code"], dm["description"], dm["status"]) == (
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            "active",
        )
        again = await c.call_tool(
            "managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "E11.9"}
        )
        err(again, "conflict", "code")
        htn = ok(
            await c.call_tool("managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "I10"})
        )
        hid = htn["diagnoses"][0]["id"]
        changed = ok(
            await c.call_tool(
                "managePatientDiagnoses", {"action": "update", "diagnosis_id": dm["id"], "code": "E11.65"}
            )
        )["diagnoses"][0]
        assert changed["code"] == "E11.65" and "hyperglycemia" in changed["description"]
        bad_update = await c.call_tool(
            "managePatientDiagnoses", {"action": "update", "diagnosis_id": dm["id"], "code": "ZZZ.1"}
        )
        err(bad_update, "invalid", "code")
        resolved = ok(await c.call_tool("managePatientDiagnoses", {"action": "resolve", "diagnosis_id": hid}))
        assert resolved["diagnoses"][0]["status"] == "resolved"
        assert resolved["diagnoses"][0]["resolved_date"] == "2026-03-02"
        removed = ok(
            await c.call_tool(
                "managePatientDiagnoses", {"action": "remove", "diagnosis_id": hid, "confirm": True}
            )
        )
        assert removed["diagnoses"][0]["status"] == "entered_in_error"
        active = ok(await c.call_tool("managePatientDiagnoses", {"action": "list", "patient_id": pid}))
        assert [d["code"] for d in active["diagnoses"]] == ["E11.65"]
        every = ok(
            await c.call_tool(
                "managePatientDiagnoses", {"action": "list", "patient_id": pid, "include_inactive": True}
            )
        )
        assert every["count"] == 2
    async with connect("billing") as c:
        billing = ok(await c.call_tool("managePatientDiagnoses", {"action": "list", "patient_id": pid}))
        assert billing["diagnoses"][0]["code"] == "E11.65" and billing["diagnoses"][0]["comments"] is None
        refused = await c.call_tool(
            "managePatientDiagnoses", {"action": "add", "patient_id": pid, "code": "I10"}
        )
        err(refused, "forbidden")


async def test_notes(connect: Connect, scenario: Scenario, app: object) -> None:
    pid = scenario.maria
    async with connect() as c:
        first = ok(
            await c.call_tool("managePatientNotes", {"action": "add", "patient_id": pid, "text": "Anxious"})
        )
        app.clock.advance(minutes=5)  # type: ignore[attr-defined]
        second = ok(
            await c.call_tool(
                "managePatientNotes", {"action": "add", "patient_id": pid, "text": "Deaf left ear"}
            )
        )
        n1, n2 = first["notes"][0]["id"], second["notes"][0]["id"]
        assert first["notes"][0]["author"] == "user:provider"
        pinned = ok(
            await c.call_tool("managePatientNotes", {"action": "update", "note_id": n1, "pinned": True})
        )
        assert pinned["notes"][0]["pinned"] is True
        listed = ok(await c.call_tool("managePatientNotes", {"action": "list", "patient_id": pid}))
        assert [n["id"] for n in listed["notes"]] == [n1, n2]  # pinned first, then newest
        edited = ok(
            await c.call_tool(
                "managePatientNotes", {"action": "update", "note_id": n2, "text": "Deaf in left ear"}
            )
        )
        assert edited["notes"][0]["text"] == "Deaf in left ear"
        ok(await c.call_tool("managePatientNotes", {"action": "remove", "note_id": n2, "confirm": True}))
        after = ok(await c.call_tool("managePatientNotes", {"action": "list", "patient_id": pid}))
        assert [n["id"] for n in after["notes"]] == [n1]
        err(
            await c.call_tool("managePatientNotes", {"action": "remove", "note_id": n2, "confirm": True}),
            "invalid",
            "note_id",
        )
        err(
            await c.call_tool("managePatientNotes", {"action": "add", "patient_id": pid, "text": "  "}),
            "invalid",
            "text",
        )
        err(await c.call_tool("managePatientNotes", {"action": "update", "note_id": n1}), "invalid")


async def test_recalls_and_outreach(connect: Connect, scenario: Scenario) -> None:
    async with connect() as c:
        eye = ok(
            await c.call_tool(
                "managePatientRecalls",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "due_date": "2026-02-15",
                    "reason": "Diabetic eye exam",
                    "provider_id": scenario.garcia,
                },
            )
        )["recalls"][0]
        assert eye["overdue"] is True and eye["status"] == "open"
        lab = ok(
            await c.call_tool(
                "managePatientRecalls",
                {
                    "action": "add",
                    "patient_id": scenario.maria,
                    "due_date": "2026-03-20",
                    "reason": "A1c recheck",
                },
            )
        )["recalls"][0]
        later = ok(
            await c.call_tool(
                "managePatientRecalls",
                {
                    "action": "add",
                    "patient_id": scenario.maria,
                    "due_date": "2026-09-01",
                    "reason": "Annual physical",
                },
            )
        )["recalls"][0]
        due = ok(await c.call_tool("managePatientRecalls", {"action": "due"}))
        assert [r["id"] for r in due["recalls"]] == [eye["id"], lab["id"]]  # 30 days ahead, oldest first
        assert (
            due["recalls"][0]["reason"] == "Diabetic eye exam" and due["recalls"][0]["phone"] == "+1 555 0100"
        )
        assert (
            ok(await c.call_tool("managePatientRecalls", {"action": "due", "until": "2026-12-31"}))["count"]
            == 3
        )
        page = ok(await c.call_tool("managePatientRecalls", {"action": "due", "page_size": 1}))
        assert page["has_more"] and page["count"] == 1
        moved = ok(
            await c.call_tool(
                "managePatientRecalls",
                {"action": "update", "recall_id": later["id"], "due_date": "2026-03-10"},
            )
        )
        assert moved["recalls"][0]["due_date"] == "2026-03-10"
        gone = ok(await c.call_tool("managePatientRecalls", {"action": "cancel", "recall_id": later["id"]}))
        assert gone["recalls"][0]["status"] == "cancelled"
        err(
            await c.call_tool(
                "managePatientRecalls", {"action": "update", "recall_id": later["id"], "status": "done"}
            ),
            "conflict",
            "status",
        )
        err(
            await c.call_tool(
                "managePatientRecalls",
                {"action": "add", "patient_id": scenario.juan, "due_date": "soon", "reason": "x"},
            ),
            "invalid",
            "due_date",
        )
        mine = ok(await c.call_tool("managePatientRecalls", {"action": "list", "patient_id": scenario.maria}))
        assert [r["id"] for r in mine["recalls"]] == [lab["id"]]
        closed = ok(
            await c.call_tool(
                "managePatientRecalls",
                {"action": "list", "patient_id": scenario.maria, "include_closed": True},
            )
        )
        assert closed["count"] == 2
    async with connect("front_desk") as c:
        outreach = ok(await c.call_tool("managePatientRecalls", {"action": "due"}))
        assert outreach["count"] == 2 and all(r["reason"] is None for r in outreach["recalls"])
        assert "eye" not in str(outreach).lower() and "A1c" not in outreach["recalls"][1]["patient_name"]
        appt = ok(
            await c.call_tool(
                "manageAppointments",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "provider_id": scenario.garcia,
                    "facility_id": scenario.ny,
                    "starts_at": "2026-03-04T09:00",
                },
            )
        )["appointments"][0]
        booked = ok(
            await c.call_tool(
                "managePatientRecalls",
                {"action": "update", "recall_id": eye["id"], "appointment_id": appt["id"]},
            )
        )["recalls"][0]
        assert (
            booked["status"] == "scheduled"
            and booked["appointment_id"] == appt["id"]
            and booked["reason"] is None
        )
        wrong = await c.call_tool(
            "managePatientRecalls", {"action": "update", "recall_id": lab["id"], "appointment_id": appt["id"]}
        )
        err(wrong, "not_found", "appointment_id")  # that appointment is another patient's
        err(
            await c.call_tool("managePatientRecalls", {"action": "list", "patient_id": scenario.juan}),
            "forbidden",
        )
        clinical_edit = await c.call_tool(
            "managePatientRecalls", {"action": "update", "recall_id": eye["id"], "reason": "x"}
        )
        err(clinical_edit, "forbidden")
        err(
            await c.call_tool("managePatientRecalls", {"action": "cancel", "recall_id": lab["id"]}),
            "forbidden",
        )
        reopened = await c.call_tool(
            "managePatientRecalls", {"action": "update", "recall_id": eye["id"], "status": "open"}
        )
        assert ok(reopened)["recalls"][0]["status"] == "open"
