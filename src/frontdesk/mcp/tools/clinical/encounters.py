"""documentEncounter: SOAP notes and findings; draft, sign (locks), addenda."""

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
from frontdesk.services.clinical.dto import EncounterInfo
from frontdesk.services.clinical.encounters import EncounterInput
from frontdesk.services.context import Principal

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
ENCOUNTER = Actions(
    list=Action("the patient's encounters, newest first", ("patient_id",), ("limit",)),
    get=Action("one encounter with its addenda", ("encounter_id",)),
    create=Action(
        "open a draft (from an appointment: provider, facility and time come from it)",
        ("patient_id",),
        ("appointment_id", *_NOTE),
    ),
    update=Action("edit a draft (a signed encounter is locked)", ("encounter_id",), _NOTE),
    sign=Action("the provider signs the draft; it is locked from then on", ("encounter_id",)),
    addendum=Action("add a note to a signed encounter (author and time recorded)", ("encounter_id", "text")),
    discard=Action("withdraw a draft opened by mistake", ("encounter_id",)),
)
Section = Annotated[str | None, Field(max_length=20000)]


class FindingIn(shapes.Finding):
    """A structured finding, e.g. {system: "lungs", finding: "wheeze", value: "bilateral", abnormal: true}."""


def _line(e: EncounterInfo) -> str:
    who = f" with {e.provider_name}" if e.provider_name else ""
    why = f" — {e.chief_complaint}" if e.chief_complaint else ""
    return f"#{e.id} {e.occurred_at:%Y-%m-%d %H:%M}{who} ({e.status}){why}"


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        name="documentEncounter",
        title="Document encounter",
        annotations=MANAGE,
        description="Clinicians: document a visit. Open a draft (create, linked to the appointment "
        "when there is one), write the SOAP note (chief_complaint, hpi, review_of_systems, "
        "physical_exam, assessment, plan) and structured findings, then sign it as the provider. "
        "A signed encounter is locked: corrections and later information go in an addendum, recorded "
        "with its author and time. Billing staff see only when, who and where (redacted: true).",
    )
    async def documentEncounter(
        ctx: Context,
        action: Annotated[
            Literal["list", "get", "create", "update", "sign", "addendum", "discard"],
            Field(description=ENCOUNTER.describe(), json_schema_extra=ENCOUNTER.schema_extra()),
        ],
        patient_id: PatientId = None,
        encounter_id: Annotated[int | None, Field(description="The encounter's id")] = None,
        appointment_id: Annotated[
            int | None, Field(description="(create) the appointment this visit is")
        ] = None,
        provider_id: Annotated[
            int | None, Field(description="The treating provider (getPracticeInfo)")
        ] = None,
        facility_id: Annotated[
            int | None, Field(description="Where (a facility from getPracticeInfo)")
        ] = None,
        occurred_at: Annotated[
            str | None, Field(description="ISO 8601; default now or the appointment")
        ] = None,
        visit_type: Annotated[
            str | None, Field(max_length=60, description="e.g. follow-up, new patient")
        ] = None,
        chief_complaint: Section = None,
        hpi: Annotated[str | None, Field(max_length=20000, description="History of present illness")] = None,
        review_of_systems: Section = None,
        physical_exam: Section = None,
        assessment: Section = None,
        plan: Section = None,
        findings: Annotated[
            list[FindingIn] | None, Field(max_length=100, description="Replaces the list")
        ] = None,
        text: Annotated[str | None, Field(max_length=20000, description="(addendum) the addendum")] = None,
        limit: Annotated[int | None, Field(ge=1, le=200)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.EncountersOut]:
        args = args_of(locals()) | {
            "findings": [f.model_dump() for f in findings] if findings is not None else None
        }

        async def act(p: Principal) -> Reply:
            ENCOUNTER.check(action, args)
            key = idem("documentEncounter", idempotency_key, args)
            note = EncounterInput(
                appointment_id=appointment_id,
                provider_id=provider_id,
                datebook_id=facility_id,
                occurred_at=occurred_at,
                visit_type=visit_type,
                chief_complaint=chief_complaint,
                hpi=hpi,
                review_of_systems=review_of_systems,
                physical_exam=physical_exam,
                assessment=assessment,
                plan=plan,
                findings=args["findings"],
            )
            eid = encounter_id or 0
            if action == "list":
                rows = await app.encounters.for_patient(p, patient_id or 0, limit=limit or 20)
            elif action == "get":
                rows = [await app.encounters.get(p, eid)]
            elif action == "create":
                rows = [await app.encounters.create(p, patient_id or 0, note, key)]
            elif action == "update":
                rows = [await app.encounters.update(p, eid, note, key)]
            elif action == "sign":
                rows = [await app.encounters.sign(p, eid, key)]
            elif action == "addendum":
                rows = [await app.encounters.addendum(p, eid, text, key)]
            else:
                rows = [await app.encounters.discard(p, eid, key)]
            data = shapes.EncountersOut(
                action=action, encounters=[shapes.EncounterOut(**plain(r)) for r in rows], count=len(rows)
            )
            return Reply(data, "\n".join(_line(r) for r in rows) or "No encounters.")

        return await run(ctx, resolve, act)
