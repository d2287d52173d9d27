"""managePatient and findPatients through the real client, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.storage.models import AuditEvent
from tests.clinical.conftest import Connect, err, ok
from tests.factories import Scenario

ZOE = {
    "action": "add",
    "first_name": "Zoë",
    "last_name": "Ağaoğlu",
    "preferred_name": "Zo",
    "date_of_birth": "1980-05-01",
    "sex": "female",
    "gender_identity": "woman",
    "phone": "+1 (212) 201-3344",
    "email": "Zoe@Example.com",
    "address_line1": "12 Elm St",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62704",
    "country": "us",
    "language": "en",
    "emergency_name": "Ali Ağaoğlu",
    "emergency_phone": "+1 212 201 9999",
    "emergency_relation": "spouse",
    "insurance_payer": "Acme Health",
    "insurance_member_id": "ACM123",
}


async def test_register_get_update_and_status(connect: Connect) -> None:
    async with connect("front_desk") as c:
        made = ok(await c.call_tool("managePatient", ZOE))["patient"]
        assert made["age"] == 45 and made["sex"] == "female" and made["country"] == "US"
        assert made["preferred_name"] == "Zo" and made["insurance_payer"] == "Acme Health"
        pid = made["id"]
        got = ok(await c.call_tool("managePatient", {"action": "get", "patient_id": pid}))["patient"]
        assert got == made
        changed = ok(
            await c.call_tool(
                "managePatient", {"action": "update", "patient_id": pid, "city": "Chicago", "pronouns": ""}
            )
        )["patient"]
        assert (
            changed["city"] == "Chicago"
            and changed["pronouns"] is None
            and changed["phone"] == "+12122013344"
        )
        off = ok(await c.call_tool("managePatient", {"action": "deactivate", "patient_id": pid}))["patient"]
        assert off["status"] == "inactive"
        found = ok(await c.call_tool("findPatients", {"name": "zoe"}))
        assert found["count"] == 0
        assert ok(await c.call_tool("findPatients", {"name": "zoe", "status": "inactive"}))["count"] == 1
        on = ok(await c.call_tool("managePatient", {"action": "activate", "patient_id": pid}))["patient"]
        assert on["status"] == "active"


async def test_bad_demographics_name_the_field_and_change_nothing(
    connect: Connect, scenario: Scenario
) -> None:
    async with connect("front_desk") as c:
        err(
            await c.call_tool("managePatient", ZOE | {"date_of_birth": "2030-01-01"}),
            "invalid",
            "date_of_birth",
        )
        err(await c.call_tool("managePatient", ZOE | {"sex": "yes"}), "invalid", "sex")
        err(await c.call_tool("managePatient", ZOE | {"email": "nope"}), "invalid", "email")
        err(await c.call_tool("managePatient", ZOE | {"language": "English please"}), "invalid", "language")
        err(await c.call_tool("managePatient", {"action": "add", "first_name": "A"}), "invalid", "last_name")
        wrong = err(
            await c.call_tool("managePatient", {"action": "get", "patient_id": 1, "city": "x"}), "invalid"
        )
        assert wrong["field"] == "city" and "not used by action get" in wrong["message"]
        err(await c.call_tool("managePatient", {"action": "update", "patient_id": scenario.juan}), "invalid")
        assert ok(await c.call_tool("findPatients", {"name": "Ağaoğlu"}))["count"] == 0


async def test_find_patients_by_every_criterion(connect: Connect, scenario: Scenario) -> None:
    async with connect("front_desk") as c:
        zoe = ok(await c.call_tool("managePatient", ZOE))["patient"]["id"]
        bob = ok(
            await c.call_tool(
                "managePatient",
                {
                    "action": "add",
                    "first_name": "Bob",
                    "last_name": "Agar",
                    "date_of_birth": "2010-02-03",
                    "sex": "male",
                    "city": "Springfield",
                    "state": "MO",
                    "postal_code": "65801",
                    "phone": "212-777-1234",
                },
            )
        )["patient"]["id"]

        async def ids(**query: object) -> list[int]:
            return [p["id"] for p in ok(await c.call_tool("findPatients", query))["patients"]]

        assert await ids(name="AGAO") == [zoe]  # accents and case ignored, partial
        assert await ids(name="zoe agaoglu") == [zoe]
        assert await ids(date_of_birth="1980-05-01") == [zoe]
        assert await ids(phone="2013344") == [zoe]  # any format, the end of the number
        assert await ids(phone="(212) 777-1234") == [bob]
        assert await ids(email="zoe@example.com") == [zoe]
        assert sorted(await ids(city="springf")) == sorted([zoe, bob])
        assert await ids(state="mo") == [bob]
        assert await ids(postal_code="627") == [zoe]
        assert await ids(sex="male", city="springfield") == [bob]
        assert await ids(min_age=40, max_age=50) == [zoe]
        assert await ids(max_age=17) == [bob]
        page1 = ok(await c.call_tool("findPatients", {"page_size": 2}))
        page2 = ok(await c.call_tool("findPatients", {"page_size": 2, "page": 2}))
        assert page1["has_more"] and not page2["has_more"] and page2["count"] == 2
        everyone = {p["id"] for p in page1["patients"] + page2["patients"]}
        assert everyone == {zoe, bob, scenario.juan, scenario.maria}
        bad = await c.call_tool("findPatients", {"min_age": 50, "max_age": 40})
        err(bad, "invalid", "max_age")
        err(await c.call_tool("findPatients", {"phone": "12"}), "invalid", "phone")


async def test_medical_criteria_are_for_clinicians(connect: Connect, scenario: Scenario) -> None:
    async with connect("provider") as c:
        ok(
            await c.call_tool(
                "managePatientDiagnoses", {"action": "add", "patient_id": scenario.juan, "code": "E11.9"}
            )
        )
        ok(
            await c.call_tool(
                "managePatientDrugs",
                {"action": "add", "patient_id": scenario.maria, "drug_name": "Metformin 500 mg"},
            )
        )
        ok(
            await c.call_tool(
                "managePatientAllergies",
                {"action": "add", "patient_id": scenario.maria, "allergen": "Peanuts", "category": "food"},
            )
        )

        async def ids(**query: object) -> list[int]:
            return [p["id"] for p in ok(await c.call_tool("findPatients", query))["patients"]]

        assert await ids(diagnosis_code="E11") == [scenario.juan]
        assert await ids(diagnosis_code="e11.9") == [scenario.juan]
        assert await ids(diagnosis_code="I10") == []
        assert await ids(medication="metformin") == [scenario.maria]
        assert await ids(allergy="peanut") == [scenario.maria]
    async with connect("front_desk") as c:
        refused = err(await c.call_tool("findPatients", {"diagnosis_code": "E11"}), "forbidden")
        assert "clinical:read" in refused["message"] and "E11" not in refused["message"]


async def test_merge_moves_the_chart_and_keeps_the_trail(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect("provider") as c:
        dup = ok(
            await c.call_tool(
                "managePatient",
                {"action": "add", "first_name": "Juan", "last_name": "Pérez", "email": "juan@example.com"},
            )
        )["patient"]["id"]
        ok(
            await c.call_tool(
                "managePatientNotes", {"action": "add", "patient_id": dup, "text": "prefers mornings"}
            )
        )
        need = err(
            await c.call_tool(
                "managePatient", {"action": "merge", "patient_id": scenario.juan, "duplicate_patient_id": dup}
            ),
            "invalid",
            "confirm",
        )
        assert "confirm" in need["message"]
        merged = ok(
            await c.call_tool(
                "managePatient",
                {
                    "action": "merge",
                    "patient_id": scenario.juan,
                    "duplicate_patient_id": dup,
                    "confirm": True,
                },
            )
        )
        assert merged["merged_patient_id"] == dup and merged["moved"] == {"clinical_notes": 1}
        assert merged["patient"]["email"] == "juan@example.com"  # filled from the duplicate
        notes = ok(await c.call_tool("managePatientNotes", {"action": "list", "patient_id": scenario.juan}))
        assert [n["text"] for n in notes["notes"]] == ["prefers mornings"]
        gone = ok(await c.call_tool("managePatient", {"action": "get", "patient_id": dup}))["patient"]
        assert gone["status"] == "merged" and gone["merged_into_id"] == scenario.juan
        err(
            await c.call_tool("managePatientNotes", {"action": "add", "patient_id": dup, "text": "x"}),
            "conflict",
        )
        again = await c.call_tool(
            "managePatient",
            {"action": "merge", "patient_id": scenario.juan, "duplicate_patient_id": dup, "confirm": True},
        )
        err(again, "conflict", "duplicate_patient_id")
        assert ok(await c.call_tool("findPatients", {"name": "juan"}))["count"] == 1
    async with app.db.read() as s:
        actions = (
            (
                await s.execute(
                    select(AuditEvent.action).where(
                        AuditEvent.practice_id == scenario.practice_id,
                        AuditEvent.action.like("patient.merge%"),
                        AuditEvent.outcome == "ok",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(actions) == ["patient.merge", "patient.merged_into"]


async def test_search_patients_still_returns_names_only(connect: Connect) -> None:
    async with connect("front_desk") as c:
        ok(await c.call_tool("managePatient", ZOE))
    async with connect("front_desk", surface="odonto") as c:
        found = ok(await c.call_tool("search_patients", {"query": "zoe"}))
        assert set(found["patients"][0]) == {"id", "uid", "firstname", "lastname"}


async def test_find_patients_matches_the_preferred_name(connect: Connect) -> None:
    async with connect("front_desk") as c:
        made = ok(
            await c.call_tool(
                "managePatient",
                {
                    "action": "add",
                    "first_name": "Margarida",
                    "last_name": "Sousa",
                    "preferred_name": "Guida Côrte",
                },
            )
        )["patient"]["id"]

        async def names(query: str) -> list[int]:
            return [p["id"] for p in ok(await c.call_tool("findPatients", {"name": query}))["patients"]]

        assert await names("guida") == [made]
        assert await names("CORTE sousa") == [made], "words may come from either name, accents ignored"
        assert await names("guida smith") == []
        ok(
            await c.call_tool(
                "managePatient", {"action": "update", "patient_id": made, "preferred_name": "Mag"}
            )
        )
        assert await names("guida") == [] and await names("mag") == [made]
        ok(await c.call_tool("managePatient", {"action": "update", "patient_id": made, "preferred_name": ""}))
        assert await names("mag") == [] and await names("marga") == [made]
