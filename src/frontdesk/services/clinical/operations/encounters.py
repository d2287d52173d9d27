"""document_encounter: SOAP notes and findings; draft, sign (locks), addenda."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.dto import EncounterInfo
from frontdesk.services.clinical.encounters import EncounterInput
from frontdesk.services.clinical.operations.common import Limit200, Moment, PatientId, plain
from frontdesk.services.operations import (
    MANAGE,
    MULTILINE,
    Action,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)

Section = Annotated[str | None, Field(max_length=20000), MULTILINE]


class FindingIn(Input):
    """A structured finding, e.g. {system: "lungs", finding: "wheeze", value: "bilateral", abnormal: true}."""

    system: Annotated[str, Field(max_length=60)]
    finding: Annotated[str, Field(max_length=200)]
    value: Annotated[str | None, Field(max_length=200)] = None
    abnormal: bool | None = None


class EncounterIn(Input):
    action: Literal["list", "get", "create", "update", "sign", "addendum", "discard"]
    patient_id: PatientId = None
    encounter_id: Annotated[OptionalId, Field(description="The encounter's id")] = None
    appointment_id: Annotated[OptionalId, Field(description="(create) the appointment this visit is")] = None
    provider_id: Annotated[OptionalId, Field(description="The treating provider (list_doctors)")] = None
    facility_id: Annotated[OptionalId, Field(description="Where (a facility from list_datebooks)")] = None
    occurred_at: Annotated[Moment, Field(description="ISO 8601; default now or the appointment")] = None
    visit_type: Annotated[str | None, Field(max_length=60, description="e.g. follow-up, new patient")] = None
    chief_complaint: Section = None
    hpi: Annotated[Section, Field(description="History of present illness")] = None
    review_of_systems: Section = None
    physical_exam: Section = None
    assessment: Section = None
    plan: Section = None
    findings: Annotated[list[FindingIn] | None, Field(max_length=100, description="Replaces the list")] = None
    text: Annotated[Section, Field(description="(addendum) the addendum")] = None
    limit: Limit200 = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


_NOTE = (
    "visit_type",
    "chief_complaint",
    "hpi",
    "review_of_systems",
    "physical_exam",
    "assessment",
    "plan",
    "findings",
    "provider_id",
    "facility_id",
    "occurred_at",
)


def _note(a: EncounterIn) -> EncounterInput:
    return EncounterInput(
        appointment_id=a.appointment_id,
        provider_id=a.provider_id,
        datebook_id=a.facility_id,
        occurred_at=a.occurred_at,
        visit_type=a.visit_type,
        chief_complaint=a.chief_complaint,
        hpi=a.hpi,
        review_of_systems=a.review_of_systems,
        physical_exam=a.physical_exam,
        assessment=a.assessment,
        plan=a.plan,
        findings=[f.model_dump() for f in a.findings] if a.findings is not None else None,
    )


def _line(e: EncounterInfo) -> str:
    who = f" with {e.provider_name}" if e.provider_name else ""
    why = f" — {e.chief_complaint}" if e.chief_complaint else ""
    return f"#{e.id} {e.occurred_at:%Y-%m-%d %H:%M}{who} ({e.status}){why}"


def _answer(call: Call[EncounterIn], rows: Sequence[EncounterInfo]) -> Result:
    data = shapes.EncountersOut(
        action=call.args.action, encounters=[shapes.EncounterOut(**plain(r)) for r in rows], count=len(rows)
    )
    return Result(data, "\n".join(_line(r) for r in rows) or "No encounters.")


async def _list(call: Call[EncounterIn]) -> Result:
    a = call.args
    return _answer(
        call, await call.app.encounters.for_patient(call.p, a.patient_id or 0, limit=a.limit or 20)
    )


async def _get(call: Call[EncounterIn]) -> Result:
    return _answer(call, [await call.app.encounters.get(call.p, call.args.encounter_id or 0)])


async def _create(call: Call[EncounterIn]) -> Result:
    a = call.args
    return _answer(call, [await call.app.encounters.create(call.p, a.patient_id or 0, _note(a), call.idem)])


async def _update(call: Call[EncounterIn]) -> Result:
    a = call.args
    return _answer(call, [await call.app.encounters.update(call.p, a.encounter_id or 0, _note(a), call.idem)])


async def _sign(call: Call[EncounterIn]) -> Result:
    return _answer(call, [await call.app.encounters.sign(call.p, call.args.encounter_id or 0, call.idem)])


async def _addendum(call: Call[EncounterIn]) -> Result:
    a = call.args
    return _answer(call, [await call.app.encounters.addendum(call.p, a.encounter_id or 0, a.text, call.idem)])


async def _discard(call: Call[EncounterIn]) -> Result:
    eid = call.args.encounter_id or 0
    return _answer(call, [await call.app.encounters.discard(call.p, eid, call.idem, call.consent)])


async def _ask_discard(call: Call[EncounterIn]) -> str | None:
    return await call.app.encounters.question(call.p, call.args.encounter_id or 0)


DOCUMENT_ENCOUNTER = Operation(
    name="document_encounter",
    title="Document encounter",
    description="Clinicians: document a visit. Open a draft (create, linked to the appointment "
    "when there is one), write the SOAP note (chief_complaint, hpi, review_of_systems, "
    "physical_exam, assessment, plan) and structured findings, then sign it as the provider. "
    "A signed encounter is locked: corrections and later information go in an addendum, recorded "
    "with its author and time. Billing staff see only when, who and where (redacted: true).",
    scopes=(access.CLINICAL_READ, access.BILLING_READ),
    hints=MANAGE,
    input=EncounterIn,
    output=shapes.EncountersOut,
    actions={
        "list": Action("the patient's encounters, newest first", _list, ("patient_id",), ("limit",)),
        "get": Action("one encounter with its addenda", _get, ("encounter_id",)),
        "create": Action(
            "open a draft (from an appointment: provider, facility and time come from it)",
            _create,
            ("patient_id",),
            ("appointment_id", *_NOTE),
        ),
        "update": Action("edit a draft (a signed encounter is locked)", _update, ("encounter_id",), _NOTE),
        "sign": Action("the provider signs the draft; it is locked from then on", _sign, ("encounter_id",)),
        "addendum": Action(
            "add a note to a signed encounter (author and time recorded)", _addendum, ("encounter_id", "text")
        ),
        "discard": Action(
            "withdraw a draft opened by mistake", _discard, ("encounter_id",), ask=_ask_discard
        ),
    },
)

OPERATIONS = (DOCUMENT_ENCOUNTER,)
