"""manage_patient_diagnoses (ICD-10-CM problem list), manage_patient_notes, manage_patient_recalls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.diagnoses import DiagnosisInput
from frontdesk.services.clinical.dto import DiagnosisInfo, NoteInfo, RecallInfo
from frontdesk.services.clinical.operations.common import Comments, Day, Limit200, PatientId, plain
from frontdesk.services.clinical.recalls import RecallInput
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


class DiagnosesIn(Input):
    action: Literal["list", "search_codes", "add", "update", "resolve", "remove"]
    patient_id: PatientId = None
    diagnosis_id: Annotated[OptionalId, Field(description="The diagnosis' id")] = None
    code: Annotated[str | None, Field(max_length=10, description="ICD-10-CM code, e.g. E11.9")] = None
    query: Annotated[str | None, Field(max_length=100, description="(search_codes) code or words")] = None
    status: Literal["active", "resolved", "inactive"] | None = None
    onset_date: Day = None
    resolved_date: Day = None
    comments: Comments = None
    encounter_id: Annotated[OptionalId, Field(description="The encounter where it was diagnosed")] = None
    include_inactive: Annotated[bool | None, Field(description="(list) include resolved and inactive")] = None
    limit: Annotated[int | None, Field(ge=1, le=50)] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


_DX = ("status", "onset_date", "resolved_date", "comments", "encounter_id")


def _diagnoses(call: Call[DiagnosesIn], rows: Sequence[DiagnosisInfo]) -> Result:
    data = shapes.DiagnosesOut(
        action=call.args.action, diagnoses=[shapes.DiagnosisOut(**plain(r)) for r in rows], count=len(rows)
    )
    text = "\n".join(f"#{r.id} {r.code} {r.description} ({r.status})" for r in rows)
    return Result(data, text or "No diagnoses on the problem list.")


async def _search_codes(call: Call[DiagnosesIn]) -> Result:
    a = call.args
    out = [
        shapes.CodeOut(**plain(c))
        for c in await call.app.diagnoses.search_codes(call.p, a.query or "", a.limit or 25)
    ]
    text = "\n".join(f"{c.code}{'' if c.billable else ' (category)'}: {c.description}" for c in out)
    return Result(
        shapes.DiagnosesOut(action=a.action, codes=out, count=len(out)), text or "No ICD-10-CM code matches."
    )


async def _list_dx(call: Call[DiagnosesIn]) -> Result:
    a = call.args
    rows = await call.app.diagnoses.for_patient(
        call.p, a.patient_id or 0, include_inactive=bool(a.include_inactive)
    )
    return _diagnoses(call, rows)


def _dx(a: DiagnosesIn) -> DiagnosisInput:
    return DiagnosisInput(code=a.code, **{k: getattr(a, k) for k in _DX})


async def _add_dx(call: Call[DiagnosesIn]) -> Result:
    a = call.args
    return _diagnoses(call, [await call.app.diagnoses.add(call.p, a.patient_id or 0, _dx(a), call.idem)])


async def _change_dx(call: Call[DiagnosesIn], change: DiagnosisInput) -> Result:
    did = call.args.diagnosis_id or 0
    return _diagnoses(call, [await call.app.diagnoses.update(call.p, did, change, call.idem, call.consent)])


async def _update_dx(call: Call[DiagnosesIn]) -> Result:
    return await _change_dx(call, _dx(call.args))


async def _resolve_dx(call: Call[DiagnosesIn]) -> Result:
    return await _change_dx(call, DiagnosisInput(status="resolved", resolved_date=call.args.resolved_date))


async def _remove_dx(call: Call[DiagnosesIn]) -> Result:
    return await _change_dx(call, DiagnosisInput(status="entered_in_error"))


async def _ask_dx(call: Call[DiagnosesIn]) -> str | None:
    return await call.app.diagnoses.question(call.p, call.args.diagnosis_id or 0)


MANAGE_PATIENT_DIAGNOSES = Operation(
    name="manage_patient_diagnoses",
    title="Manage patient diagnoses",
    description="Clinicians: the problem list. Every diagnosis carries a real, billable ICD-10-CM code "
    "(validated against the CMS code set): find one with action search_codes (by code such as E11 or "
    "words such as 'type 2 diabetes'), then add it. A category such as E11 is refused: pick a "
    "specific code under it. Billing staff may list diagnoses and search codes.",
    scopes=(access.CLINICAL_READ, access.BILLING_READ),
    hints=MANAGE,
    input=DiagnosesIn,
    output=shapes.DiagnosesOut,
    actions={
        "list": Action(
            "the problem list (active; all with include_inactive)",
            _list_dx,
            ("patient_id",),
            ("include_inactive",),
        ),
        "search_codes": Action(
            "find ICD-10-CM codes by code or words", _search_codes, ("query",), ("limit",)
        ),
        "add": Action("add a diagnosis with a billable ICD-10-CM code", _add_dx, ("patient_id", "code"), _DX),
        "update": Action("change a diagnosis", _update_dx, ("diagnosis_id",), ("code", *_DX)),
        "resolve": Action(
            "mark it resolved (resolved_date defaults to today)",
            _resolve_dx,
            ("diagnosis_id",),
            ("resolved_date",),
        ),
        "remove": Action("withdraw a diagnosis entered in error", _remove_dx, ("diagnosis_id",), ask=_ask_dx),
    },
)


class NotesIn(Input):
    action: Literal["list", "add", "update", "remove"]
    patient_id: PatientId = None
    note_id: Annotated[OptionalId, Field(description="The note's id")] = None
    text: Annotated[str | None, Field(max_length=5000), MULTILINE] = None
    pinned: Annotated[bool | None, Field(description="Keep it at the top")] = None
    limit: Limit200 = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def _notes(call: Call[NotesIn], rows: Sequence[NoteInfo]) -> Result:
    data = shapes.NotesOut(
        action=call.args.action, notes=[shapes.NoteOut(**plain(r)) for r in rows], count=len(rows)
    )
    lines = [
        f"#{r.id} {'[pinned] ' if r.pinned else ''}{r.author}, {r.created_at:%Y-%m-%d}: {r.text}"
        for r in rows
    ]
    return Result(data, "\n".join(lines) or "No notes.")


async def _list_notes(call: Call[NotesIn]) -> Result:
    a = call.args
    return _notes(call, await call.app.notes.for_patient(call.p, a.patient_id or 0, limit=a.limit or 100))


async def _add_note(call: Call[NotesIn]) -> Result:
    a = call.args
    return _notes(call, [await call.app.notes.add(call.p, a.patient_id or 0, a.text, a.pinned, call.idem)])


async def _update_note(call: Call[NotesIn]) -> Result:
    a = call.args
    row = await call.app.notes.update(call.p, a.note_id or 0, text=a.text, pinned=a.pinned, idem=call.idem)
    return _notes(call, [row])


async def _remove_note(call: Call[NotesIn]) -> Result:
    nid = call.args.note_id or 0
    return _notes(
        call, [await call.app.notes.update(call.p, nid, remove=True, idem=call.idem, consent=call.consent)]
    )


async def _ask_note(call: Call[NotesIn]) -> str | None:
    return await call.app.notes.question(call.p, call.args.note_id or 0)


MANAGE_PATIENT_NOTES = Operation(
    name="manage_patient_notes",
    title="Manage patient notes",
    description="Clinicians: quick notes about a patient (observations, messages between providers). "
    "Pinned notes show first and in review_patient_history. For a visit's documentation use "
    "document_encounter instead.",
    scopes=(access.CLINICAL_READ,),
    hints=MANAGE,
    input=NotesIn,
    output=shapes.NotesOut,
    actions={
        "list": Action(
            "the patient's notes, pinned first, newest first", _list_notes, ("patient_id",), ("limit",)
        ),
        "add": Action("write a note", _add_note, ("patient_id", "text"), ("pinned",)),
        "update": Action("change a note's text or pin", _update_note, ("note_id",), ("text", "pinned")),
        "remove": Action("remove a note", _remove_note, ("note_id",), ask=_ask_note),
    },
)


class RecallsIn(Input):
    action: Literal["list", "due", "add", "update", "cancel"]
    patient_id: PatientId = None
    recall_id: Annotated[OptionalId, Field(description="The recall's id")] = None
    due_date: Day = None
    reason: Annotated[str | None, Field(max_length=200, description="e.g. annual diabetic eye exam")] = None
    provider_id: Annotated[OptionalId, Field(description="Provider to see (list_doctors)")] = None
    status: Literal["open", "scheduled", "done", "cancelled"] | None = None
    appointment_id: Annotated[OptionalId, Field(description="The appointment booked for it")] = None
    comments: Comments = None
    until: Annotated[
        str | None, Field(max_length=40, description="(due) YYYY-MM-DD, default 30 days ahead")
    ] = None
    since: Annotated[
        str | None, Field(max_length=40, description="(due) YYYY-MM-DD, no lower bound by default")
    ] = None
    include_closed: Annotated[bool | None, Field(description="(list) include done and cancelled")] = None
    page: Annotated[int | None, Field(ge=1, le=10_000)] = None
    page_size: Annotated[int | None, Field(ge=1, le=100)] = None
    idempotency_key: IdempotencyKey = None


def _recalls(call: Call[RecallsIn], rows: Sequence[RecallInfo], more: bool = False) -> Result:
    out = [shapes.RecallOut(**plain(r)) for r in rows]
    data = shapes.RecallsOut(action=call.args.action, recalls=out, count=len(out), has_more=more)
    text = "\n".join(
        f"#{r.id} {r.patient_name} due {r.due_date}{' (overdue)' if r.overdue else ''}"
        f"{': ' + r.reason if r.reason else ''} [{r.status}]"
        for r in out
    )
    return Result(data, text or "No recalls.")


async def _list_recalls(call: Call[RecallsIn]) -> Result:
    a = call.args
    rows = await call.app.recalls.for_patient(
        call.p, a.patient_id or 0, include_closed=bool(a.include_closed)
    )
    return _recalls(call, rows)


async def _due(call: Call[RecallsIn]) -> Result:
    a = call.args
    rows, more = await call.app.recalls.due(
        call.p, until=a.until, since=a.since, page=a.page or 1, page_size=a.page_size or 50
    )
    return _recalls(call, rows, more)


async def _add_recall(call: Call[RecallsIn]) -> Result:
    a = call.args
    details = RecallInput(
        due_date=a.due_date, reason=a.reason, provider_id=a.provider_id, comments=a.comments
    )
    return _recalls(call, [await call.app.recalls.add(call.p, a.patient_id or 0, details, call.idem)])


async def _change_recall(call: Call[RecallsIn], change: RecallInput) -> Result:
    return _recalls(
        call, [await call.app.recalls.update(call.p, call.args.recall_id or 0, change, call.idem)]
    )


async def _update_recall(call: Call[RecallsIn]) -> Result:
    a = call.args
    fields = ("due_date", "reason", "provider_id", "status", "appointment_id", "comments")
    return await _change_recall(call, RecallInput(**{k: getattr(a, k) for k in fields}))


async def _cancel_recall(call: Call[RecallsIn]) -> Result:
    return await _change_recall(call, RecallInput(status="cancelled", comments=call.args.comments))


MANAGE_PATIENT_RECALLS = Operation(
    name="manage_patient_recalls",
    title="Manage patient recalls",
    description="Recalls and follow-ups: a due date and a reason to bring a patient back (annual exam, "
    "lab recheck). Clinicians create and edit them. Action due lists open recalls due by a date across "
    "the practice, oldest first, with contact details for outreach; front-desk staff may use it (the "
    "reason is withheld from them) and mark a recall scheduled with the appointment_id they booked.",
    scopes=(access.CLINICAL_READ, access.APPOINTMENTS_READ),
    hints=MANAGE,
    input=RecallsIn,
    output=shapes.RecallsOut,
    actions={
        "list": Action(
            "the patient's recalls (open and scheduled; all with include_closed)",
            _list_recalls,
            ("patient_id",),
            ("include_closed",),
        ),
        "due": Action(
            "open recalls due by `until` (default 30 days ahead) across the practice, for outreach",
            _due,
            optional=("until", "since", "page", "page_size"),
        ),
        "add": Action(
            "create a recall", _add_recall, ("patient_id", "due_date", "reason"), ("provider_id", "comments")
        ),
        "update": Action(
            "change it; front desk may only set appointment_id or status open/scheduled",
            _update_recall,
            ("recall_id",),
            ("due_date", "reason", "provider_id", "status", "appointment_id", "comments"),
        ),
        "cancel": Action("cancel a recall", _cancel_recall, ("recall_id",), ("comments",)),
    },
)

OPERATIONS = (MANAGE_PATIENT_DIAGNOSES, MANAGE_PATIENT_NOTES, MANAGE_PATIENT_RECALLS)
