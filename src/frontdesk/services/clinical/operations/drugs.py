"""manage_patient_drugs (with the prescribing check) and manage_patient_allergies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.allergies import AllergyInput
from frontdesk.services.clinical.dto import AllergyInfo, MedicationInfo
from frontdesk.services.clinical.medications import MedicationInput
from frontdesk.services.clinical.operations.common import Comments, Day, PatientId, plain
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

WITHDRAWN = "entered_in_error"
MedStatus = Literal["active", "on_hold", "stopped", "completed", "entered_in_error"]


class DrugsIn(Input):
    action: Literal["list", "add", "update", "discontinue", "remove"]
    patient_id: PatientId = None
    medication_id: Annotated[OptionalId, Field(description="The medication entry's id")] = None
    drug_name: Annotated[str | None, Field(max_length=200, description="e.g. Amoxicillin 500 mg capsule")] = (
        None
    )
    kind: Literal["medication", "supplement", "vitamin"] | None = None
    dose: Annotated[str | None, Field(max_length=60, description="e.g. 500 mg")] = None
    route: Annotated[str | None, Field(max_length=30, description="e.g. oral, topical, IV")] = None
    frequency: Annotated[str | None, Field(max_length=60, description="e.g. every 8 hours")] = None
    start_date: Day = None
    stop_date: Day = None
    prescriber_id: Annotated[OptionalId, Field(description="Prescribing provider (list_doctors)")] = None
    instructions: Comments = None
    status: MedStatus | None = None
    override_reason: Annotated[
        str | None,
        Field(max_length=500, description="The clinician's justification to proceed despite the alerts"),
        MULTILINE,
    ] = None
    include_inactive: Annotated[bool | None, Field(description="(list) include stopped and past drugs")] = (
        None
    )
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


_MED = ("kind", "dose", "route", "frequency", "start_date", "stop_date", "prescriber_id", "instructions")


def _details(a: DrugsIn) -> MedicationInput:
    return MedicationInput(**{k: getattr(a, k) for k in ("drug_name", *_MED, "status", "override_reason")})


def _meds(call: Call[DrugsIn], rows: Sequence[MedicationInfo]) -> Result:
    data = shapes.MedicationsOut(
        action=call.args.action, medications=[shapes.MedicationOut(**plain(r)) for r in rows], count=len(rows)
    )
    text = "\n".join(
        f"#{r.id} {r.drug_name} {r.dose or ''} {r.frequency or ''} ({r.status})"
        + (" [alerts overridden]" if r.override_reason else "")
        for r in rows
    )
    return Result(data, text or "No medications.")


async def _list_meds(call: Call[DrugsIn]) -> Result:
    a = call.args
    rows = await call.app.medications.for_patient(
        call.p, a.patient_id or 0, include_inactive=bool(a.include_inactive)
    )
    return _meds(call, rows)


async def _add_med(call: Call[DrugsIn]) -> Result:
    a = call.args
    return _meds(call, [await call.app.medications.add(call.p, a.patient_id or 0, _details(a), call.idem)])


async def _change_med(call: Call[DrugsIn], change: MedicationInput) -> Result:
    mid = call.args.medication_id or 0
    return _meds(call, [await call.app.medications.update(call.p, mid, change, call.idem, call.consent)])


async def _update_med(call: Call[DrugsIn]) -> Result:
    return await _change_med(call, _details(call.args))


async def _stop_med(call: Call[DrugsIn]) -> Result:
    return await _change_med(call, MedicationInput(status="stopped", stop_date=call.args.stop_date))


async def _remove_med(call: Call[DrugsIn]) -> Result:
    return await _change_med(call, MedicationInput(status=WITHDRAWN))


async def _ask_med(call: Call[DrugsIn]) -> str | None:
    """Withdrawing an entry (remove, or update to entered_in_error) asks first; other changes do not."""
    a = call.args
    if a.action == "update" and a.status != WITHDRAWN:
        return None
    return await call.app.medications.question(call.p, a.medication_id or 0)


MANAGE_PATIENT_DRUGS = Operation(
    name="manage_patient_drugs",
    title="Manage patient medications",
    description="Clinicians: medications, supplements and vitamins (drug name, dose, route, frequency, "
    "start/stop, prescriber, status). Adding or restarting a drug runs the prescribing check against "
    "the patient's active drug allergies (same drug, same class, and cross-sensitive classes such as "
    "penicillins and cephalosporins) and current medications (same drug, duplicate therapy). An alert "
    "refuses the change and says why (error details.alerts); if the clinician decides to proceed, call "
    "again with override_reason, their justification, which is recorded with the medication. The "
    "check covers common drug classes only, not drug interactions or doses.",
    scopes=(access.CLINICAL_READ,),
    hints=MANAGE,
    input=DrugsIn,
    output=shapes.MedicationsOut,
    actions={
        "list": Action(
            "current medications (active, on hold; all with include_inactive)",
            _list_meds,
            ("patient_id",),
            ("include_inactive",),
        ),
        "add": Action(
            "record or prescribe; checked against allergies and current drugs",
            _add_med,
            ("patient_id", "drug_name"),
            (*_MED, "status", "override_reason"),
        ),
        "update": Action(
            "change details or status (a new drug or a restart is checked again)",
            _update_med,
            ("medication_id",),
            ("drug_name", *_MED, "status", "override_reason"),
            ask=_ask_med,
        ),
        "discontinue": Action(
            "stop taking it (stop_date defaults to today)", _stop_med, ("medication_id",), ("stop_date",)
        ),
        "remove": Action("withdraw an entry made in error", _remove_med, ("medication_id",), ask=_ask_med),
    },
)


class AllergiesIn(Input):
    action: Literal["list", "add", "update", "deactivate", "remove"]
    patient_id: PatientId = None
    allergy_id: Annotated[OptionalId, Field(description="The allergy's id")] = None
    allergen: Annotated[str | None, Field(max_length=200, description="e.g. penicillin, peanuts, latex")] = (
        None
    )
    category: Literal["drug", "food", "environmental"] | None = None
    reaction: Annotated[str | None, Field(max_length=200, description="e.g. hives, anaphylaxis")] = None
    severity: Literal["mild", "moderate", "severe"] | None = None
    status: Literal["active", "inactive", "resolved"] | None = None
    onset_date: Day = None
    comments: Comments = None
    include_inactive: Annotated[bool | None, Field(description="(list) include inactive and resolved")] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


_ALLERGY = ("reaction", "severity", "status", "onset_date", "comments")


def _allergies(call: Call[AllergiesIn], rows: Sequence[AllergyInfo]) -> Result:
    data = shapes.AllergiesOut(
        action=call.args.action, allergies=[shapes.AllergyOut(**plain(r)) for r in rows], count=len(rows)
    )
    lines = []
    for r in rows:
        lines.append(f"#{r.id} {r.allergen} ({r.category}, {r.severity or 'severity unknown'}, {r.status})")
        lines.extend(f"  warning: {w.reason} (medication #{w.record_id})" for w in r.warnings)
    return Result(data, "\n".join(lines) or "No known allergies recorded.")


async def _list_allergies(call: Call[AllergiesIn]) -> Result:
    a = call.args
    rows = await call.app.allergies.for_patient(
        call.p, a.patient_id or 0, include_inactive=bool(a.include_inactive)
    )
    return _allergies(call, rows)


def _allergy(a: AllergiesIn) -> AllergyInput:
    return AllergyInput(**{k: getattr(a, k) for k in ("allergen", "category", *_ALLERGY)})


async def _add_allergy(call: Call[AllergiesIn]) -> Result:
    a = call.args
    return _allergies(call, [await call.app.allergies.add(call.p, a.patient_id or 0, _allergy(a), call.idem)])


async def _change_allergy(call: Call[AllergiesIn], change: AllergyInput) -> Result:
    aid = call.args.allergy_id or 0
    return _allergies(call, [await call.app.allergies.update(call.p, aid, change, call.idem, call.consent)])


async def _update_allergy(call: Call[AllergiesIn]) -> Result:
    return await _change_allergy(call, _allergy(call.args))


async def _deactivate_allergy(call: Call[AllergiesIn]) -> Result:
    return await _change_allergy(call, AllergyInput(status="inactive", comments=call.args.comments))


async def _remove_allergy(call: Call[AllergiesIn]) -> Result:
    return await _change_allergy(call, AllergyInput(status=WITHDRAWN))


async def _ask_allergy(call: Call[AllergiesIn]) -> str | None:
    return await call.app.allergies.question(call.p, call.args.allergy_id or 0)


MANAGE_PATIENT_ALLERGIES = Operation(
    name="manage_patient_allergies",
    title="Manage patient allergies",
    description="Clinicians: allergies and intolerances (category drug, food or environmental; allergen, "
    "reaction, severity mild/moderate/severe, status). Record drug allergies by drug or class name "
    "(e.g. penicillin, sulfa): prescribing checks use them. Adding a drug allergy that collides with a "
    "current medication returns warnings. Check allergies before prescribing.",
    scopes=(access.CLINICAL_READ,),
    hints=MANAGE,
    input=AllergiesIn,
    output=shapes.AllergiesOut,
    actions={
        "list": Action(
            "active allergies (all with include_inactive)",
            _list_allergies,
            ("patient_id",),
            ("include_inactive",),
        ),
        "add": Action("record an allergy", _add_allergy, ("patient_id", "allergen", "category"), _ALLERGY),
        "update": Action(
            "change an allergy", _update_allergy, ("allergy_id",), ("allergen", "category", *_ALLERGY)
        ),
        "deactivate": Action(
            "mark it inactive (no longer relevant)", _deactivate_allergy, ("allergy_id",), ("comments",)
        ),
        "remove": Action(
            "withdraw an allergy entered in error", _remove_allergy, ("allergy_id",), ask=_ask_allergy
        ),
    },
)

OPERATIONS = (MANAGE_PATIENT_DRUGS, MANAGE_PATIENT_ALLERGIES)
