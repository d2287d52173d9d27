"""Removing from the chart, discarding a draft, merging patients and cancelling an appointment need the
person's consent, checked by the service: without it nothing changes; a client that can ask the person
is asked a question naming what goes (reading it is audited); confirm: true stands in otherwise."""

from __future__ import annotations

from typing import Any

from mcp import Client
from mcp_types import ElicitRequestParams, ElicitResult
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal
from frontdesk.storage.models import AuditEvent
from tests.clinical.conftest import Connect, err, ok, seeded, staff
from tests.factories import Scenario

REFUSAL = "is destructive: ask the person, then call again with confirm: true"


class Person:
    """Stands in for the person behind an elicitation-capable client: answers every question alike."""

    def __init__(self, agrees: bool | None) -> None:
        self.agrees = agrees  # None: dismisses the question
        self.asked: list[str] = []

    async def __call__(self, context: object, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        if self.agrees is None:
            return ElicitResult(action="cancel")
        return ElicitResult(action="accept", content={"confirm": self.agrees})


async def _appointment(connect: Connect, sc: Scenario) -> int:
    async with connect("front_desk") as c:
        made = ok(
            await c.call_tool(
                "manageAppointments",
                {
                    "action": "add",
                    "patient_id": sc.juan,
                    "provider_id": sc.garcia,
                    "facility_id": sc.ny,
                    "starts_at": "2026-03-03T10:00",
                },
            )
        )
    return int(made["appointments"][0]["id"])


def destructive(sc: Scenario, ids: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    """Every destructive action of the CharmHealth surface, without confirm."""
    return [
        ("managePatient", {"action": "merge", "patient_id": sc.juan, "duplicate_patient_id": sc.maria}),
        ("documentEncounter", {"action": "discard", "encounter_id": ids["encounter"]}),
        ("managePatientDrugs", {"action": "remove", "medication_id": ids["medication"]}),
        (
            "managePatientDrugs",
            {"action": "update", "medication_id": ids["medication"], "status": "entered_in_error"},
        ),
        ("managePatientAllergies", {"action": "remove", "allergy_id": ids["allergy"]}),
        ("managePatientDiagnoses", {"action": "remove", "diagnosis_id": ids["diagnosis"]}),
        ("managePatientNotes", {"action": "remove", "note_id": ids["note"]}),
        ("managePatientVitals", {"action": "remove", "vitals_id": ids["vitals"]}),
        ("managePatientLabs", {"action": "remove", "lab_id": ids["lab"]}),
        ("managePatientFiles", {"action": "remove", "file_id": ids["file"]}),
        ("manageAppointments", {"action": "cancel", "appointment_id": ids["appointment"]}),
    ]


async def chart_of(c: Client, sc: Scenario, ids: dict[str, int]) -> dict[str, Any]:
    """What the destructive actions would change, read back."""
    pid = sc.juan
    history = ok(await c.call_tool("reviewPatientHistory", {"patient_id": pid}))
    enc = ok(await c.call_tool("documentEncounter", {"action": "get", "encounter_id": ids["encounter"]}))
    listed = {
        tool: [r["id"] for r in ok(await c.call_tool(tool, {"action": "list", "patient_id": pid}))[key]]
        for tool, key in (
            ("managePatientNotes", "notes"),
            ("managePatientVitals", "readings"),
            ("managePatientLabs", "labs"),
            ("managePatientFiles", "files"),
        )
    }
    dup = ok(await c.call_tool("managePatient", {"action": "get", "patient_id": sc.maria}))["patient"]
    appts = ok(await c.call_tool("manageAppointments", {"action": "list", "patient_id": pid}))
    return {
        "medications": [m["id"] for m in history["medications"]],
        "allergies": [a["id"] for a in history["allergies"]],
        "problems": [d["id"] for d in history["problems"]],
        "encounter": enc["encounters"][0]["status"],
        "duplicate": dup["status"],
        "appointments": [(a["id"], a["status"]) for a in appts["appointments"]],
        **listed,
    }


async def test_without_consent_nothing_is_removed(
    app: Frontdesk, connect: Connect, scenario: Scenario
) -> None:
    ids = await seeded(connect, scenario)
    ids["appointment"] = await _appointment(connect, scenario)
    async with connect("admin") as c:
        before = await chart_of(c, scenario, ids)
        for tool, args in destructive(scenario, ids):
            refused = err(await c.call_tool(tool, args), "invalid", "confirm")
            assert REFUSAL in refused["message"], (tool, refused)
            # confirm: false is no consent either
            err(await c.call_tool(tool, {**args, "confirm": False}), "invalid", "confirm")
        assert await chart_of(c, scenario, ids) == before
        assert before["encounter"] == "draft" and before["duplicate"] == "active"
        assert before["appointments"] == [(ids["appointment"], "scheduled")]
    async with app.db.read() as s:
        refusals = (
            await s.execute(
                select(AuditEvent.action, AuditEvent.record_id).where(
                    AuditEvent.practice_id == scenario.practice_id, AuditEvent.outcome == "invalid"
                )
            )
        ).all()
    assert ("note.remove", str(ids["note"])) in refusals and ("patient.merge", str(scenario.juan)) in refusals


async def test_with_confirm_each_is_removed(connect: Connect, scenario: Scenario) -> None:
    ids = await seeded(connect, scenario)
    ids["appointment"] = await _appointment(connect, scenario)
    async with connect("admin") as c:
        for tool, args in destructive(scenario, ids):
            if args.get("status") == "entered_in_error":  # the same entry as remove, just above
                continue
            ok(await c.call_tool(tool, {**args, "confirm": True}))
        after = await chart_of(c, scenario, ids)
    assert after["medications"] == after["allergies"] == after["problems"] == []
    assert after["managePatientNotes"] == after["managePatientVitals"] == []
    assert after["managePatientLabs"] == after["managePatientFiles"] == []
    assert after["encounter"] == "entered_in_error" and after["duplicate"] == "merged"
    assert after["appointments"] == [(ids["appointment"], "cancelled")]


async def test_the_person_is_asked_what_goes(app: Frontdesk, scenario: Scenario) -> None:
    """A client that can ask: the question names the record (its author by name); declining or
    dismissing changes nothing, even with confirm: true; agreeing removes it."""
    made = await app.staff.create(
        scenario.slug, "rosa@example.com", "Dr. Rosa Lee", "provider", "a long pass phrase 7"
    )
    rosa = Principal(scenario.practice_id, f"user:{made.info.id}", access.ROLE_SCOPES[access.Role.PROVIDER])
    async with Client(build_server(app, surface="frontdesk", default_principal=rosa)) as c:
        note = ok(
            await c.call_tool(
                "manage_patient_notes", {"action": "add", "patient_id": scenario.juan, "text": "Call back"}
            )
        )["notes"][0]["id"]
    remove = {"action": "remove", "note_id": note}
    for answer in (False, None):
        person = Person(answer)
        async with Client(build_server(app, default_principal=rosa), elicitation_callback=person) as c:
            # Declined or dismissed: confirm: true does not stand in for the person's answer.
            err(await c.call_tool("manage_patient_notes", {**remove, "confirm": True}), "declined")
            notes = ok(
                await c.call_tool("manage_patient_notes", {"action": "list", "patient_id": scenario.juan})
            )
            assert [n["id"] for n in notes["notes"]] == [note]
        assert person.asked == ["Remove the note of 2 March 2026 by Dr. Rosa Lee from Juan Perez's chart?"]
    person = Person(True)
    async with Client(build_server(app, default_principal=rosa), elicitation_callback=person) as c:
        ok(await c.call_tool("manage_patient_notes", remove))
        notes = ok(await c.call_tool("manage_patient_notes", {"action": "list", "patient_id": scenario.juan}))
        assert notes["notes"] == [] and len(person.asked) == 1
        # Nothing destructive: nobody is asked.
        ok(
            await c.call_tool(
                "manage_patient_notes", {"action": "add", "patient_id": scenario.juan, "text": "x"}
            )
        )
        assert len(person.asked) == 1
    async with app.db.read() as s:
        reads = (
            await s.execute(
                select(AuditEvent.outcome).where(
                    AuditEvent.practice_id == scenario.practice_id,
                    AuditEvent.action == "note.read",
                    AuditEvent.record_id == str(note),
                )
            )
        ).scalars()
        outcomes = list(reads)
        # Each question read the note, audited (a multi-round call may ask the service twice).
        assert len(outcomes) >= 3 and set(outcomes) == {"ok"}


async def test_each_question_names_the_record(app: Frontdesk, connect: Connect, scenario: Scenario) -> None:
    ids = await seeded(connect, scenario)
    ids["appointment"] = await _appointment(connect, scenario)
    person = Person(False)
    admin = staff(scenario, "admin")
    async with Client(
        build_server(app, surface="charm", default_principal=admin), elicitation_callback=person
    ) as c:
        for tool, args in destructive(scenario, ids):
            err(await c.call_tool(tool, args), "declined")
    assert person.asked == [
        f"Merge María Santos (#{scenario.maria}) into Juan Perez (#{scenario.juan})? The duplicate's "
        "appointments and chart move over and it becomes read-only.",
        "Discard the draft encounter of 2 March 2026 for Juan Perez?",
        "Remove Sertraline 50 mg from Juan Perez's medications as entered in error?",
        "Remove Sertraline 50 mg from Juan Perez's medications as entered in error?",
        "Remove the Codeine allergy from Juan Perez's chart as entered in error?",
        "Remove F32.9 Major depressive disorder, single episode, unspecified from Juan Perez's problem list "
        "as entered in error?",
        "Remove the note of 2 March 2026 by user:provider from Juan Perez's chart?",
        "Remove the vital signs of 2 March 2026 at 08:00 from Juan Perez's chart?",
        "Remove the Glucose result of 2 March 2026 from Juan Perez's chart as entered in error?",
        "Remove the file x.txt from Juan Perez's chart?",
        "Cancel the appointment of Juan Perez with Dr. Ana Garcia on Tuesday 03 March 2026 at 10:00 "
        "(Main Street)?",
    ]


async def test_nothing_is_asked_about_what_cannot_go(
    app: Frontdesk, connect: Connect, scenario: Scenario
) -> None:
    """A signed encounter cannot be discarded, a removed note cannot go twice: the answer says so at
    once, without asking the person."""
    ids = await seeded(connect, scenario)
    async with connect() as c:
        signed = {"encounter_id": ids["encounter"], "provider_id": scenario.garcia}
        ok(await c.call_tool("documentEncounter", {"action": "update", **signed}))
        ok(await c.call_tool("documentEncounter", {"action": "sign", "encounter_id": ids["encounter"]}))
        ok(
            await c.call_tool(
                "managePatientNotes", {"action": "remove", "note_id": ids["note"], "confirm": True}
            )
        )
    person = Person(True)
    async with Client(
        build_server(app, surface="charm", default_principal=staff(scenario, "provider")),
        elicitation_callback=person,
    ) as c:
        err(
            await c.call_tool("documentEncounter", {"action": "discard", "encounter_id": ids["encounter"]}),
            "conflict",
        )
        err(
            await c.call_tool("managePatientNotes", {"action": "remove", "note_id": ids["note"]}),
            "invalid",
            "note_id",
        )
    assert person.asked == []
