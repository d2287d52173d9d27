"""managePatientVitals (units, BMI, trends, templates) and managePatientLabs."""

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
from frontdesk.services.clinical.labs import LabInput
from frontdesk.services.clinical.vitals import VitalsInput
from frontdesk.services.context import Principal

_VALUES = (
    "systolic",
    "diastolic",
    "pulse",
    "temperature",
    "temperature_unit",
    "respiratory_rate",
    "spo2",
    "weight",
    "weight_unit",
    "height",
    "height_unit",
)
VITALS = Actions(
    list=Action(
        "readings newest first, with the trend of each vital sign", ("patient_id",), ("units", "limit")
    ),
    add=Action(
        "record a reading (any of the values; BMI is computed)",
        ("patient_id",),
        (*_VALUES, "measured_at", "encounter_id", "template", "units", "comments"),
    ),
    update=Action(
        "correct a reading: the values given replace the stored ones; BMI is computed again",
        ("vitals_id",),
        (*_VALUES, "measured_at", "units", "comments"),
    ),
    remove=Action("withdraw a reading entered in error", ("vitals_id",)),
    templates=Action("the practice's vital-sign templates"),
    define_template=Action("admins: a new template", ("template_name", "template_kinds"), ("units",)),
)
_LAB = (
    "test_name",
    "value",
    "unit",
    "reference_low",
    "reference_high",
    "reference_text",
    "abnormal_flag",
    "status",
    "collected_at",
    "report",
    "encounter_id",
    "ordered_by_id",
)
LABS = Actions(
    list=Action(
        "results newest first, without reports", ("patient_id",), ("abnormal_only", "loinc_code", "limit")
    ),
    get=Action("one result with its full report", ("lab_id",)),
    add=Action("record a result", ("patient_id", "loinc_code", "test_name", "value"), _LAB[2:]),
    update=Action(
        "correct a result (a changed final value becomes corrected)", ("lab_id",), ("loinc_code", *_LAB)
    ),
    remove=Action("withdraw a result entered in error", ("lab_id",)),
)
Value = Annotated[float | None, Field(description="Plausible human range is checked after conversion")]
VitalKind = Literal[
    "systolic", "diastolic", "pulse", "temperature", "respiratory_rate", "spo2", "weight", "height"
]


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        name="managePatientVitals",
        title="Manage patient vital signs",
        annotations=MANAGE,
        description="Clinicians: vital signs (blood pressure, pulse, temperature, respiratory rate, SpO2, "
        "weight, height; BMI computed from weight and the latest height). Values may be sent in kg or lb, "
        "cm, m or in, °C or °F (the *_unit fields; default from the template, else metric) and are shown "
        "in `units` (metric or us). list returns readings with each sign's trend (latest, previous, "
        "change, rising/falling/stable). Templates (getPracticeInfo) fix which signs a visit type records.",
    )
    async def managePatientVitals(
        ctx: Context,
        action: Annotated[
            Literal["list", "add", "update", "remove", "templates", "define_template"],
            Field(description=VITALS.describe(), json_schema_extra=VITALS.schema_extra()),
        ],
        patient_id: PatientId = None,
        vitals_id: Annotated[int | None, Field(description="(update, remove) the reading's id")] = None,
        systolic: Annotated[float | None, Field(description="mmHg")] = None,
        diastolic: Annotated[float | None, Field(description="mmHg")] = None,
        pulse: Annotated[float | None, Field(description="beats per minute")] = None,
        temperature: Value = None,
        temperature_unit: Annotated[Literal["C", "F"] | None, Field()] = None,
        respiratory_rate: Annotated[float | None, Field(description="breaths per minute")] = None,
        spo2: Annotated[float | None, Field(description="%")] = None,
        weight: Value = None,
        weight_unit: Annotated[Literal["kg", "g", "lb", "oz"] | None, Field()] = None,
        height: Value = None,
        height_unit: Annotated[Literal["cm", "m", "in", "ft"] | None, Field()] = None,
        measured_at: Annotated[str | None, Field(description="ISO 8601; default now")] = None,
        encounter_id: Annotated[int | None, Field(description="The visit it belongs to")] = None,
        template: Annotated[str | None, Field(max_length=80, description="Template key or name")] = None,
        units: Annotated[
            Literal["metric", "us"] | None, Field(description="Unit system of the answer")
        ] = None,
        comments: Annotated[str | None, Field(max_length=500)] = None,
        limit: Annotated[int | None, Field(ge=1, le=200)] = None,
        template_name: Annotated[str | None, Field(max_length=80)] = None,
        template_kinds: Annotated[
            list[VitalKind] | None, Field(description="(define_template) signs")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.VitalsOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            VITALS.check(action, args)
            key = idem("managePatientVitals", idempotency_key, args)
            if action == "templates":
                found = [shapes.Template(**plain(t)) for t in await app.vitals.templates(p)]
                text = "\n".join(f"{t.key}: {t.name} ({', '.join(t.kinds)}; {t.units})" for t in found)
                return Reply(shapes.VitalsOut(action=action, templates=found, count=len(found)), text)
            if action == "define_template":
                made = await app.vitals.define_template(
                    p, template_name or "", list(template_kinds or []), units or "metric", key
                )
                t = shapes.Template(**plain(made))
                return Reply(
                    shapes.VitalsOut(action=action, templates=[t], count=1), f"Template {t.key}: {t.name}"
                )
            trends: list[shapes.Trend] = []
            if action == "list":
                rows, found_trends = await app.vitals.for_patient(
                    p, patient_id or 0, units=units, limit=limit or 50
                )
                trends = [shapes.Trend(**plain(t)) for t in found_trends]
            elif action == "add":
                values = VitalsInput(
                    **{k: args[k] for k in (*_VALUES, "measured_at", "encounter_id", "template", "comments")}
                )
                rows = [await app.vitals.add(p, patient_id or 0, values, units, key)]
            elif action == "update":
                values = VitalsInput(**{k: args[k] for k in (*_VALUES, "measured_at", "comments")})
                rows = [await app.vitals.update(p, vitals_id or 0, values, units, key)]
            else:
                rows = [await app.vitals.remove(p, vitals_id or 0, key)]
            readings = [shapes.VitalsReading(**plain(r)) for r in rows]
            data = shapes.VitalsOut(action=action, readings=readings, trends=trends, count=len(readings))
            lines = [
                f"#{r.id} {r.measured_at}: "
                + ", ".join(f"{m.kind} {m.value:g} {m.unit}" for m in r.measurements)
                for r in readings
            ]
            lines += [f"{t.label}: {t.latest:g} {t.unit} ({t.direction})" for t in trends]
            return Reply(data, "\n".join(lines) or "No vital signs recorded.")

        return await run(ctx, resolve, act)

    @server.tool(
        name="managePatientLabs",
        title="Manage patient lab results",
        annotations=MANAGE,
        description="Clinicians: laboratory results with a LOINC code (check digit verified), value, unit, "
        "reference range and abnormal flag (computed from the range when not given: L, H or N), status and "
        "the full report. list omits reports (use get for one); abnormal_only lists the results to act on.",
    )
    async def managePatientLabs(
        ctx: Context,
        action: Annotated[
            Literal["list", "get", "add", "update", "remove"],
            Field(description=LABS.describe(), json_schema_extra=LABS.schema_extra()),
        ],
        patient_id: PatientId = None,
        lab_id: Annotated[int | None, Field(description="The result's id")] = None,
        loinc_code: Annotated[str | None, Field(max_length=10, description="e.g. 2345-7 (glucose)")] = None,
        test_name: Annotated[str | None, Field(max_length=200)] = None,
        value: Annotated[str | None, Field(max_length=200, description="e.g. 5.4, <0.5, positive")] = None,
        unit: Annotated[str | None, Field(max_length=30, description="e.g. mg/dL")] = None,
        reference_low: float | None = None,
        reference_high: float | None = None,
        reference_text: Annotated[str | None, Field(max_length=100, description="e.g. negative")] = None,
        abnormal_flag: Annotated[Literal["N", "L", "H", "LL", "HH", "A"] | None, Field()] = None,
        status: Annotated[Literal["preliminary", "final", "corrected"] | None, Field()] = None,
        collected_at: Annotated[str | None, Field(description="ISO 8601; default now")] = None,
        report: Annotated[str | None, Field(max_length=20000)] = None,
        encounter_id: Annotated[int | None, Field()] = None,
        ordered_by_id: Annotated[int | None, Field(description="Ordering provider")] = None,
        abnormal_only: Annotated[bool | None, Field(description="(list) only abnormal results")] = None,
        limit: Annotated[int | None, Field(ge=1, le=500)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.LabsOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            LABS.check(action, args)
            key = idem("managePatientLabs", idempotency_key, args)
            details = LabInput(**{k: args[k] for k in ("loinc_code", *_LAB)})
            lid = lab_id or 0
            if action == "list":
                rows = await app.labs.for_patient(
                    p,
                    patient_id or 0,
                    abnormal_only=bool(abnormal_only),
                    loinc_code=loinc_code,
                    limit=limit or 100,
                )
            elif action == "get":
                rows = [await app.labs.get(p, lid)]
            elif action == "add":
                rows = [await app.labs.add(p, patient_id or 0, details, key)]
            elif action == "update":
                rows = [await app.labs.update(p, lid, details, key)]
            else:
                rows = [await app.labs.update(p, lid, LabInput(status="entered_in_error"), key)]
            data = shapes.LabsOut(
                action=action, labs=[shapes.LabOut(**plain(r)) for r in rows], count=len(rows)
            )
            text = "\n".join(
                f"#{r.id} {r.collected_at:%Y-%m-%d} {r.test_name} ({r.loinc_code}): {r.value} {r.unit or ''}"
                f"{' [' + (r.abnormal_flag or '') + ']' if r.abnormal else ''} ({r.status})"
                for r in rows
            )
            return Reply(data, text or "No lab results.")

        return await run(ctx, resolve, act)
