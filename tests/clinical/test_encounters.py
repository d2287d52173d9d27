"""documentEncounter: draft, sign, locked, addenda; linked to an appointment; billing's redacted view."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from tests.clinical.conftest import Connect, err, ok
from tests.factories import Scenario

NOTE = {
    "chief_complaint": "Toothache, lower left",
    "hpi": "Three days of throbbing pain",
    "review_of_systems": "No fever",
    "physical_exam": "Caries on 36, percussion positive",
    "assessment": "Irreversible pulpitis 36",
    "plan": "Root canal treatment; ibuprofen as needed",
    "findings": [
        {"system": "teeth", "finding": "caries", "value": "36", "abnormal": True},
        {"system": "temperature", "finding": "afebrile"},
    ],
}


async def booked(connect: Connect, sc: Scenario) -> int:
    async with connect("front_desk") as c:
        appt = ok(
            await c.call_tool(
                "manageAppointments",
                {
                    "action": "add",
                    "patient_id": sc.juan,
                    "provider_id": sc.garcia,
                    "facility_id": sc.ny,
                    "starts_at": "2026-03-02T10:00",
                },
            )
        )
    return int(appt["appointments"][0]["id"])


async def test_draft_sign_lock_and_addenda(connect: Connect, scenario: Scenario, app: Frontdesk) -> None:
    appt = await booked(connect, scenario)
    async with connect("provider") as c:
        made = ok(
            await c.call_tool(
                "documentEncounter",
                {
                    "action": "create",
                    "patient_id": scenario.juan,
                    "appointment_id": appt,
                    "visit_type": "urgent",
                },
            )
        )["encounters"][0]
        assert made["status"] == "draft" and made["appointment_id"] == appt
        assert made["provider_id"] == scenario.garcia and made["facility_name"] == "Main Street"
        assert made["occurred_at"] == "2026-03-02T10:00:00-05:00"
        eid = made["id"]
        twice = err(
            await c.call_tool(
                "documentEncounter", {"action": "create", "patient_id": scenario.juan, "appointment_id": appt}
            ),
            "conflict",
            "appointment_id",
        )
        assert twice["details"]["encounter_id"] == eid
        empty = await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": eid})
        err(empty, "invalid", "assessment")
        written = ok(
            await c.call_tool("documentEncounter", {"action": "update", "encounter_id": eid, **NOTE})
        )
        enc = written["encounters"][0]
        assert enc["assessment"] == NOTE["assessment"] and enc["findings"][0]["abnormal"] is True
        signed = ok(await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": eid}))[
            "encounters"
        ][0]
        assert signed["status"] == "signed" and signed["signed_by"] == "user:provider"
        assert signed["signed_at"].endswith("-05:00")
        locked = err(
            await c.call_tool(
                "documentEncounter", {"action": "update", "encounter_id": eid, "plan": "changed"}
            ),
            "conflict",
            "encounter_id",
        )
        assert "addendum" in locked["message"]
        err(await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": eid}), "conflict")
        err(
            await c.call_tool(
                "documentEncounter", {"action": "discard", "encounter_id": eid, "confirm": True}
            ),
            "conflict",
        )
        app.clock.advance(hours=2)  # type: ignore[attr-defined]
        added = ok(
            await c.call_tool(
                "documentEncounter",
                {"action": "addendum", "encounter_id": eid, "text": "Patient called: pain gone"},
            )
        )["encounters"][0]
        assert added["plan"] == NOTE["plan"]  # the signed note itself is unchanged
        assert [(a["text"], a["author"]) for a in added["addenda"]] == [
            ("Patient called: pain gone", "user:provider")
        ]
        assert added["addenda"][0]["created_at"] > signed["signed_at"]
        got = ok(await c.call_tool("documentEncounter", {"action": "get", "encounter_id": eid}))[
            "encounters"
        ][0]
        assert got == added
        listed = ok(await c.call_tool("documentEncounter", {"action": "list", "patient_id": scenario.juan}))
        assert [e["id"] for e in listed["encounters"]] == [eid]


async def test_drafts_addenda_rules_and_discard(connect: Connect, scenario: Scenario) -> None:
    async with connect("provider") as c:
        draft = ok(
            await c.call_tool(
                "documentEncounter",
                {
                    "action": "create",
                    "patient_id": scenario.maria,
                    "occurred_at": "2026-03-01T09:30",
                    "provider_id": scenario.silva_a,
                    "facility_id": scenario.lisbon,
                    "chief_complaint": "Rash",
                },
            )
        )["encounters"][0]
        assert draft["occurred_at"] == "2026-03-01T09:30:00-05:00"  # the practice's zone
        eid = draft["id"]
        early = await c.call_tool(
            "documentEncounter", {"action": "addendum", "encounter_id": eid, "text": "x"}
        )
        err(early, "conflict", "encounter_id")
        bad = await c.call_tool(
            "documentEncounter", {"action": "update", "encounter_id": eid, "findings": [{"system": "skin"}]}
        )
        err(bad, "invalid")
        err(
            await c.call_tool(
                "documentEncounter", {"action": "update", "encounter_id": eid, "provider_id": 999999}
            ),
            "not_found",
            "provider_id",
        )
        gone = ok(
            await c.call_tool(
                "documentEncounter", {"action": "discard", "encounter_id": eid, "confirm": True}
            )
        )
        assert gone["encounters"][0]["status"] == "entered_in_error"
        err(await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": eid}), "conflict")
        no_provider = ok(
            await c.call_tool(
                "documentEncounter",
                {"action": "create", "patient_id": scenario.maria, "assessment": "Eczema"},
            )
        )["encounters"][0]
        err(
            await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": no_provider["id"]}),
            "invalid",
            "provider_id",
        )
        wrong = await c.call_tool(
            "documentEncounter", {"action": "create", "patient_id": scenario.maria, "appointment_id": 987654}
        )
        err(wrong, "not_found", "appointment_id")


async def test_billing_sees_when_who_where_but_not_the_note(connect: Connect, scenario: Scenario) -> None:
    async with connect("provider") as c:
        eid = ok(
            await c.call_tool(
                "documentEncounter",
                {"action": "create", "patient_id": scenario.juan, "provider_id": scenario.garcia, **NOTE},
            )
        )["encounters"][0]["id"]
        ok(await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": eid}))
        ok(
            await c.call_tool(
                "documentEncounter", {"action": "addendum", "encounter_id": eid, "text": "secret"}
            )
        )
    async with connect("billing") as c:
        seen = ok(await c.call_tool("documentEncounter", {"action": "get", "encounter_id": eid}))[
            "encounters"
        ][0]
        assert (
            seen["redacted"] is True
            and seen["provider_name"] == "Dr. Ana Garcia"
            and seen["status"] == "signed"
        )
        assert all(seen[k] is None for k in ("chief_complaint", "hpi", "physical_exam", "assessment", "plan"))
        assert seen["findings"] == [] and seen["addenda"] == []
        result = await c.call_tool("documentEncounter", {"action": "list", "patient_id": scenario.juan})
        assert "Toothache" not in result.content[0].text and "pulpitis" not in str(result.structured_content)
        refused = await c.call_tool(
            "documentEncounter", {"action": "addendum", "encounter_id": eid, "text": "billing note"}
        )
        err(refused, "forbidden")
