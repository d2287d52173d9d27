"""managePatientDiagnoses (ICD-10-CM problem list), managePatientNotes, managePatientRecalls."""

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
from frontdesk.services.clinical.diagnoses import DiagnosisInput
from frontdesk.services.clinical.recalls import RecallInput
from frontdesk.services.context import Principal

_DX = ("status", "onset_date", "resolved_date", "comments", "encounter_id")
DIAGNOSES = Actions(
    list=Action(
        "the problem list (active; all with include_inactive)", ("patient_id",), ("include_inactive",)
    ),
    search_codes=Action("find ICD-10-CM codes by code or words", ("query",), ("limit",)),
    add=Action("add a diagnosis with a billable ICD-10-CM code", ("patient_id", "code"), _DX),
    update=Action("change a diagnosis", ("diagnosis_id",), ("code", *_DX)),
    resolve=Action(
        "mark it resolved (resolved_date defaults to today)", ("diagnosis_id",), ("resolved_date",)
    ),
    remove=Action("withdraw a diagnosis entered in error", ("diagnosis_id",)),
)
NOTES = Actions(
    list=Action("the patient's notes, pinned first, newest first", ("patient_id",), ("limit",)),
    add=Action("write a note", ("patient_id", "text"), ("pinned",)),
    update=Action("change a note's text or pin", ("note_id",), ("text", "pinned")),
    remove=Action("remove a note", ("note_id",)),
)
RECALLS = Actions(
    list=Action(
        "the patient's recalls (open and scheduled; all with include_closed)",
        ("patient_id",),
        ("include_closed",),
    ),
    due=Action(
        "open recalls due by `until` (default 30 days ahead) across the practice, for outreach",
        (),
        ("until", "since", "page", "page_size"),
    ),
    add=Action("create a recall", ("patient_id", "due_date", "reason"), ("provider_id", "comments")),
    update=Action(
        "change it; front desk may only set appointment_id or status open/scheduled",
        ("recall_id",),
        ("due_date", "reason", "provider_id", "status", "appointment_id", "comments"),
    ),
    cancel=Action("cancel a recall", ("recall_id",), ("comments",)),
)


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        name="managePatientDiagnoses",
        title="Manage patient diagnoses",
        annotations=MANAGE,
        description="Clinicians: the problem list. Every diagnosis carries a real, billable ICD-10-CM code "
        "(validated against the CMS code set): find one with action search_codes (by code such as E11 or "
        "words such as 'type 2 diabetes'), then add it. A category such as E11 is refused: pick a "
        "specific code under it. Billing staff may list diagnoses and search codes.",
    )
    async def managePatientDiagnoses(
        ctx: Context,
        action: Annotated[
            Literal["list", "search_codes", "add", "update", "resolve", "remove"],
            Field(description=DIAGNOSES.describe(), json_schema_extra=DIAGNOSES.schema_extra()),
        ],
        patient_id: PatientId = None,
        diagnosis_id: Annotated[int | None, Field(description="The diagnosis' id")] = None,
        code: Annotated[str | None, Field(max_length=10, description="ICD-10-CM code, e.g. E11.9")] = None,
        query: Annotated[
            str | None, Field(max_length=100, description="(search_codes) code or words")
        ] = None,
        status: Annotated[Literal["active", "resolved", "inactive"] | None, Field()] = None,
        onset_date: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        resolved_date: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        comments: Annotated[str | None, Field(max_length=500)] = None,
        encounter_id: Annotated[int | None, Field(description="The encounter where it was diagnosed")] = None,
        include_inactive: Annotated[
            bool | None, Field(description="(list) include resolved and inactive")
        ] = None,
        limit: Annotated[int | None, Field(ge=1, le=50)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.DiagnosesOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            DIAGNOSES.check(action, args)
            key = idem("managePatientDiagnoses", idempotency_key, args)
            if action == "search_codes":
                codes = await app.diagnoses.search_codes(p, query or "", limit or 25)
                out = [shapes.CodeOut(**plain(c)) for c in codes]
                data = shapes.DiagnosesOut(action=action, codes=out, count=len(out))
                text = "\n".join(
                    f"{c.code}{'' if c.billable else ' (category)'}: {c.description}" for c in out
                )
                return Reply(data, text or "No ICD-10-CM code matches.")
            details = DiagnosisInput(
                code=code,
                status=status,
                onset_date=onset_date,
                resolved_date=resolved_date,
                comments=comments,
                encounter_id=encounter_id,
            )
            did = diagnosis_id or 0
            if action == "list":
                rows = await app.diagnoses.for_patient(
                    p, patient_id or 0, include_inactive=bool(include_inactive)
                )
            elif action == "add":
                rows = [await app.diagnoses.add(p, patient_id or 0, details, key)]
            elif action == "update":
                rows = [await app.diagnoses.update(p, did, details, key)]
            elif action == "resolve":
                change = DiagnosisInput(status="resolved", resolved_date=resolved_date)
                rows = [await app.diagnoses.update(p, did, change, key)]
            else:
                rows = [await app.diagnoses.update(p, did, DiagnosisInput(status="entered_in_error"), key)]
            data = shapes.DiagnosesOut(
                action=action, diagnoses=[shapes.DiagnosisOut(**plain(r)) for r in rows], count=len(rows)
            )
            text = "\n".join(f"#{r.id} {r.code} {r.description} ({r.status})" for r in rows)
            return Reply(data, text or "No diagnoses on the problem list.")

        return await run(ctx, resolve, act)

    @server.tool(
        name="managePatientNotes",
        title="Manage patient notes",
        annotations=MANAGE,
        description="Clinicians: quick notes about a patient (observations, messages between providers). "
        "Pinned notes show first and in reviewPatientHistory. For a visit's documentation use "
        "documentEncounter instead.",
    )
    async def managePatientNotes(
        ctx: Context,
        action: Annotated[
            Literal["list", "add", "update", "remove"],
            Field(description=NOTES.describe(), json_schema_extra=NOTES.schema_extra()),
        ],
        patient_id: PatientId = None,
        note_id: Annotated[int | None, Field(description="The note's id")] = None,
        text: Annotated[str | None, Field(max_length=5000)] = None,
        pinned: Annotated[bool | None, Field(description="Keep it at the top")] = None,
        limit: Annotated[int | None, Field(ge=1, le=200)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.NotesOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            NOTES.check(action, args)
            key = idem("managePatientNotes", idempotency_key, args)
            nid = note_id or 0
            if action == "list":
                rows = await app.notes.for_patient(p, patient_id or 0, limit=limit or 100)
            elif action == "add":
                rows = [await app.notes.add(p, patient_id or 0, text, pinned, key)]
            elif action == "update":
                rows = [await app.notes.update(p, nid, text=text, pinned=pinned, idem=key)]
            else:
                rows = [await app.notes.update(p, nid, remove=True, idem=key)]
            data = shapes.NotesOut(
                action=action, notes=[shapes.NoteOut(**plain(r)) for r in rows], count=len(rows)
            )
            lines = [
                f"#{r.id} {'[pinned] ' if r.pinned else ''}{r.author}, {r.created_at:%Y-%m-%d}: {r.text}"
                for r in rows
            ]
            return Reply(data, "\n".join(lines) or "No notes.")

        return await run(ctx, resolve, act)

    @server.tool(
        name="managePatientRecalls",
        title="Manage patient recalls",
        annotations=MANAGE,
        description="Recalls and follow-ups: a due date and a reason to bring a patient back (annual exam, "
        "lab recheck). Clinicians create and edit them. Action due lists open recalls due by a date across "
        "the practice, oldest first, with contact details for outreach; front-desk staff may use it (the "
        "reason is withheld from them) and mark a recall scheduled with the appointment_id they booked.",
    )
    async def managePatientRecalls(
        ctx: Context,
        action: Annotated[
            Literal["list", "due", "add", "update", "cancel"],
            Field(description=RECALLS.describe(), json_schema_extra=RECALLS.schema_extra()),
        ],
        patient_id: PatientId = None,
        recall_id: Annotated[int | None, Field(description="The recall's id")] = None,
        due_date: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        reason: Annotated[
            str | None, Field(max_length=200, description="e.g. annual diabetic eye exam")
        ] = None,
        provider_id: Annotated[int | None, Field(description="Provider to see (getPracticeInfo)")] = None,
        status: Annotated[Literal["open", "scheduled", "done", "cancelled"] | None, Field()] = None,
        appointment_id: Annotated[int | None, Field(description="The appointment booked for it")] = None,
        comments: Annotated[str | None, Field(max_length=500)] = None,
        until: Annotated[str | None, Field(description="(due) YYYY-MM-DD, default 30 days ahead")] = None,
        since: Annotated[str | None, Field(description="(due) YYYY-MM-DD, no lower bound by default")] = None,
        include_closed: Annotated[bool | None, Field(description="(list) include done and cancelled")] = None,
        page: Annotated[int | None, Field(ge=1)] = None,
        page_size: Annotated[int | None, Field(ge=1, le=100)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.RecallsOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            RECALLS.check(action, args)
            key = idem("managePatientRecalls", idempotency_key, args)
            more = False
            rid = recall_id or 0
            if action == "list":
                rows = await app.recalls.for_patient(p, patient_id or 0, include_closed=bool(include_closed))
            elif action == "due":
                rows, more = await app.recalls.due(
                    p, until=until, since=since, page=page or 1, page_size=page_size or 50
                )
            elif action == "add":
                details = RecallInput(
                    due_date=due_date, reason=reason, provider_id=provider_id, comments=comments
                )
                rows = [await app.recalls.add(p, patient_id or 0, details, key)]
            elif action == "update":
                change = RecallInput(
                    due_date=due_date,
                    reason=reason,
                    provider_id=provider_id,
                    status=status,
                    appointment_id=appointment_id,
                    comments=comments,
                )
                rows = [await app.recalls.update(p, rid, change, key)]
            else:
                rows = [
                    await app.recalls.update(p, rid, RecallInput(status="cancelled", comments=comments), key)
                ]
            out = [shapes.RecallOut(**plain(r)) for r in rows]
            data = shapes.RecallsOut(action=action, recalls=out, count=len(out), has_more=more)
            text = "\n".join(
                f"#{r.id} {r.patient_name} due {r.due_date}{' (overdue)' if r.overdue else ''}"
                f"{': ' + r.reason if r.reason else ''} [{r.status}]"
                for r in out
            )
            return Reply(data, text or "No recalls.")

        return await run(ctx, resolve, act)
