"""managePatientDrugs (with the prescribing check) and managePatientAllergies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult
from pydantic import Field

from frontdesk.composition import Frontdesk
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.respond import Reply, run
from frontdesk.mcp.tools.clinical import shapes
from frontdesk.mcp.tools.clinical.common import (
    MANAGE,
    Action,
    Actions,
    IdempotencyKey,
    PatientId,
    args_of,
    idem,
    plain,
)
from frontdesk.services.clinical.allergies import AllergyInput
from frontdesk.services.clinical.medications import MedicationInput
from frontdesk.services.context import Principal

_MED = ("kind", "dose", "route", "frequency", "start_date", "stop_date", "prescriber_id", "instructions")
DRUGS = Actions(
    list=Action(
        "current medications (active, on hold; all with include_inactive)",
        ("patient_id",),
        ("include_inactive",),
    ),
    add=Action(
        "record or prescribe; checked against allergies and current drugs",
        ("patient_id", "drug_name"),
        (*_MED, "status", "override_reason"),
    ),
    update=Action(
        "change details or status (a new drug or a restart is checked again)",
        ("medication_id",),
        ("drug_name", *_MED, "status", "override_reason"),
    ),
    discontinue=Action("stop taking it (stop_date defaults to today)", ("medication_id",), ("stop_date",)),
    remove=Action("withdraw an entry made in error", ("medication_id",)),
)
_ALLERGY = ("reaction", "severity", "status", "onset_date", "comments")
ALLERGIES = Actions(
    list=Action("active allergies (all with include_inactive)", ("patient_id",), ("include_inactive",)),
    add=Action("record an allergy", ("patient_id", "allergen", "category"), _ALLERGY),
    update=Action("change an allergy", ("allergy_id",), ("allergen", "category", *_ALLERGY)),
    deactivate=Action("mark it inactive (no longer relevant)", ("allergy_id",), ("comments",)),
    remove=Action("withdraw an allergy entered in error", ("allergy_id",)),
)
MedStatus = Literal["active", "on_hold", "stopped", "completed", "entered_in_error"]


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        name="managePatientDrugs",
        title="Manage patient medications",
        annotations=MANAGE,
        description="Clinicians: medications, supplements and vitamins (drug name, dose, route, frequency, "
        "start/stop, prescriber, status). Adding or restarting a drug runs the prescribing check against "
        "the patient's active drug allergies (same drug, same class, and cross-sensitive classes such as "
        "penicillins and cephalosporins) and current medications (same drug, duplicate therapy). An alert "
        "refuses the change and says why (error details.alerts); if the clinician decides to proceed, call "
        "again with override_reason, their justification, which is recorded with the medication. The "
        "check covers common drug classes only, not drug interactions or doses.",
    )
    async def managePatientDrugs(
        ctx: Context,
        action: Annotated[
            Literal["list", "add", "update", "discontinue", "remove"],
            Field(description=DRUGS.describe(), json_schema_extra=DRUGS.schema_extra()),
        ],
        patient_id: PatientId = None,
        medication_id: Annotated[int | None, Field(description="The medication entry's id")] = None,
        drug_name: Annotated[
            str | None, Field(max_length=200, description="e.g. Amoxicillin 500 mg capsule")
        ] = None,
        kind: Annotated[Literal["medication", "supplement", "vitamin"] | None, Field()] = None,
        dose: Annotated[str | None, Field(max_length=60, description="e.g. 500 mg")] = None,
        route: Annotated[str | None, Field(max_length=30, description="e.g. oral, topical, IV")] = None,
        frequency: Annotated[str | None, Field(max_length=60, description="e.g. every 8 hours")] = None,
        start_date: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        stop_date: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        prescriber_id: Annotated[
            int | None, Field(description="Prescribing provider (getPracticeInfo)")
        ] = None,
        instructions: Annotated[str | None, Field(max_length=500)] = None,
        status: Annotated[MedStatus | None, Field()] = None,
        override_reason: Annotated[
            str | None,
            Field(max_length=500, description="The clinician's justification to proceed despite the alerts"),
        ] = None,
        include_inactive: Annotated[
            bool | None, Field(description="(list) include stopped and past drugs")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.MedicationsOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            DRUGS.check(action, args)
            key = idem("managePatientDrugs", idempotency_key, args)
            details = MedicationInput(
                drug_name=drug_name,
                kind=kind,
                dose=dose,
                route=route,
                frequency=frequency,
                start_date=start_date,
                stop_date=stop_date,
                prescriber_id=prescriber_id,
                instructions=instructions,
                status=status,
                override_reason=override_reason,
            )
            mid = medication_id or 0
            if action == "list":
                rows = await app.medications.for_patient(
                    p, patient_id or 0, include_inactive=bool(include_inactive)
                )
            elif action == "add":
                rows = [await app.medications.add(p, patient_id or 0, details, key)]
            elif action == "update":
                rows = [await app.medications.update(p, mid, details, key)]
            elif action == "discontinue":
                rows = [
                    await app.medications.update(
                        p, mid, MedicationInput(status="stopped", stop_date=stop_date), key
                    )
                ]
            else:
                rows = [await app.medications.update(p, mid, MedicationInput(status="entered_in_error"), key)]
            data = shapes.MedicationsOut(
                action=action, medications=[shapes.MedicationOut(**plain(r)) for r in rows], count=len(rows)
            )
            text = "\n".join(
                f"#{r.id} {r.drug_name} {r.dose or ''} {r.frequency or ''} ({r.status})"
                + (" [alerts overridden]" if r.override_reason else "")
                for r in rows
            )
            return Reply(data, text or "No medications.")

        return await run(ctx, resolve, act)

    @server.tool(
        name="managePatientAllergies",
        title="Manage patient allergies",
        annotations=MANAGE,
        description="Clinicians: allergies and intolerances (category drug, food or environmental; allergen, "
        "reaction, severity mild/moderate/severe, status). Record drug allergies by drug or class name "
        "(e.g. penicillin, sulfa): prescribing checks use them. Adding a drug allergy that collides with a "
        "current medication returns warnings. Check allergies before prescribing.",
    )
    async def managePatientAllergies(
        ctx: Context,
        action: Annotated[
            Literal["list", "add", "update", "deactivate", "remove"],
            Field(description=ALLERGIES.describe(), json_schema_extra=ALLERGIES.schema_extra()),
        ],
        patient_id: PatientId = None,
        allergy_id: Annotated[int | None, Field(description="The allergy's id")] = None,
        allergen: Annotated[
            str | None, Field(max_length=200, description="e.g. penicillin, peanuts, latex")
        ] = None,
        category: Annotated[Literal["drug", "food", "environmental"] | None, Field()] = None,
        reaction: Annotated[str | None, Field(max_length=200, description="e.g. hives, anaphylaxis")] = None,
        severity: Annotated[Literal["mild", "moderate", "severe"] | None, Field()] = None,
        status: Annotated[Literal["active", "inactive", "resolved"] | None, Field()] = None,
        onset_date: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        comments: Annotated[str | None, Field(max_length=500)] = None,
        include_inactive: Annotated[
            bool | None, Field(description="(list) include inactive and resolved")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.AllergiesOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            ALLERGIES.check(action, args)
            key = idem("managePatientAllergies", idempotency_key, args)
            details = AllergyInput(
                allergen=allergen,
                category=category,
                reaction=reaction,
                severity=severity,
                status=status,
                onset_date=onset_date,
                comments=comments,
            )
            aid = allergy_id or 0
            if action == "list":
                rows = await app.allergies.for_patient(
                    p, patient_id or 0, include_inactive=bool(include_inactive)
                )
            elif action == "add":
                rows = [await app.allergies.add(p, patient_id or 0, details, key)]
            elif action == "update":
                rows = [await app.allergies.update(p, aid, details, key)]
            elif action == "deactivate":
                rows = [
                    await app.allergies.update(
                        p, aid, AllergyInput(status="inactive", comments=comments), key
                    )
                ]
            else:
                rows = [await app.allergies.update(p, aid, AllergyInput(status="entered_in_error"), key)]
            data = shapes.AllergiesOut(
                action=action, allergies=[shapes.AllergyOut(**plain(r)) for r in rows], count=len(rows)
            )
            lines = []
            for r in rows:
                lines.append(
                    f"#{r.id} {r.allergen} ({r.category}, {r.severity or 'severity unknown'}, {r.status})"
                )
                lines.extend(f"  warning: {w.reason} (medication #{w.record_id})" for w in r.warnings)
            return Reply(data, "\n".join(lines) or "No known allergies recorded.")

        return await run(ctx, resolve, act)
