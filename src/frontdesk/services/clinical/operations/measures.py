"""manage_patient_vitals (units, BMI, trends, templates) and manage_patient_labs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.dto import LabInfo, TrendInfo, VitalsInfo
from frontdesk.services.clinical.labs import LabInput
from frontdesk.services.clinical.operations.common import Comments, Limit200, Moment, PatientId, plain
from frontdesk.services.clinical.vitals import VitalsInput
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

Value = Annotated[float | None, Field(description="Plausible human range is checked after conversion")]
VitalKind = Literal[
    "systolic", "diastolic", "pulse", "temperature", "respiratory_rate", "spo2", "weight", "height"
]
Units = Literal["metric", "us"]


class VitalsIn(Input):
    action: Literal["list", "add", "update", "remove", "templates", "define_template"]
    patient_id: PatientId = None
    vitals_id: Annotated[OptionalId, Field(description="(update, remove) the reading's id")] = None
    systolic: Annotated[float | None, Field(description="mmHg")] = None
    diastolic: Annotated[float | None, Field(description="mmHg")] = None
    pulse: Annotated[float | None, Field(description="beats per minute")] = None
    temperature: Value = None
    temperature_unit: Literal["C", "F"] | None = None
    respiratory_rate: Annotated[float | None, Field(description="breaths per minute")] = None
    spo2: Annotated[float | None, Field(description="%")] = None
    weight: Value = None
    weight_unit: Literal["kg", "g", "lb", "oz"] | None = None
    height: Value = None
    height_unit: Literal["cm", "m", "in", "ft"] | None = None
    measured_at: Annotated[Moment, Field(description="ISO 8601; default now")] = None
    encounter_id: Annotated[OptionalId, Field(description="The visit it belongs to")] = None
    template: Annotated[str | None, Field(max_length=80, description="Template key or name")] = None
    units: Annotated[Units | None, Field(description="Unit system of the answer")] = None
    comments: Comments = None
    limit: Limit200 = None
    template_name: Annotated[str | None, Field(max_length=80)] = None
    template_kinds: Annotated[
        list[VitalKind] | None, Field(max_length=20, description="(define_template) signs")
    ] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


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


def _vitals(call: Call[VitalsIn], rows: Sequence[VitalsInfo], trends: Sequence[TrendInfo] = ()) -> Result:
    readings = [shapes.VitalsReading(**plain(r)) for r in rows]
    found = [shapes.Trend(**plain(t)) for t in trends]
    data = shapes.VitalsOut(action=call.args.action, readings=readings, trends=found, count=len(readings))
    lines = [
        f"#{r.id} {r.measured_at}: " + ", ".join(f"{m.kind} {m.value:g} {m.unit}" for m in r.measurements)
        for r in readings
    ]
    lines += [f"{t.label}: {t.latest:g} {t.unit} ({t.direction})" for t in found]
    return Result(data, "\n".join(lines) or "No vital signs recorded.")


async def _list_vitals(call: Call[VitalsIn]) -> Result:
    a = call.args
    rows, trends = await call.app.vitals.for_patient(
        call.p, a.patient_id or 0, units=a.units, limit=a.limit or 50
    )
    return _vitals(call, rows, trends)


def _values(a: VitalsIn, *extra: str) -> VitalsInput:
    return VitalsInput(**{k: getattr(a, k) for k in (*_VALUES, "measured_at", "comments", *extra)})


async def _add_vitals(call: Call[VitalsIn]) -> Result:
    a = call.args
    values = _values(a, "encounter_id", "template")
    return _vitals(call, [await call.app.vitals.add(call.p, a.patient_id or 0, values, a.units, call.idem)])


async def _update_vitals(call: Call[VitalsIn]) -> Result:
    a = call.args
    return _vitals(
        call, [await call.app.vitals.update(call.p, a.vitals_id or 0, _values(a), a.units, call.idem)]
    )


async def _remove_vitals(call: Call[VitalsIn]) -> Result:
    rid = call.args.vitals_id or 0
    return _vitals(call, [await call.app.vitals.remove(call.p, rid, call.idem, call.consent)])


async def _ask_vitals(call: Call[VitalsIn]) -> str | None:
    return await call.app.vitals.question(call.p, call.args.vitals_id or 0)


async def _templates(call: Call[VitalsIn]) -> Result:
    found = [shapes.Template(**plain(t)) for t in await call.app.vitals.templates(call.p)]
    text = "\n".join(f"{t.key}: {t.name} ({', '.join(t.kinds)}; {t.units})" for t in found)
    return Result(shapes.VitalsOut(action=call.args.action, templates=found, count=len(found)), text)


async def _define_template(call: Call[VitalsIn]) -> Result:
    a = call.args
    made = await call.app.vitals.define_template(
        call.p, a.template_name or "", list(a.template_kinds or []), a.units or "metric", call.idem
    )
    t = shapes.Template(**plain(made))
    return Result(shapes.VitalsOut(action=a.action, templates=[t], count=1), f"Template {t.key}: {t.name}")


MANAGE_PATIENT_VITALS = Operation(
    name="manage_patient_vitals",
    title="Manage patient vital signs",
    description="Clinicians: vital signs (blood pressure, pulse, temperature, respiratory rate, SpO2, "
    "weight, height; BMI computed from weight and the latest height). Values may be sent in kg or lb, "
    "cm, m or in, °C or °F (the *_unit fields; default from the template, else metric) and are shown "
    "in `units` (metric or us). list returns readings with each sign's trend (latest, previous, "
    "change, rising/falling/stable). Templates (action templates) fix which signs a visit type records.",
    scopes=(access.CLINICAL_READ,),
    hints=MANAGE,
    input=VitalsIn,
    output=shapes.VitalsOut,
    actions={
        "list": Action(
            "readings newest first, with the trend of each vital sign",
            _list_vitals,
            ("patient_id",),
            ("units", "limit"),
        ),
        "add": Action(
            "record a reading (any of the values; BMI is computed)",
            _add_vitals,
            ("patient_id",),
            (*_VALUES, "measured_at", "encounter_id", "template", "units", "comments"),
        ),
        "update": Action(
            "correct a reading: the values given replace the stored ones; BMI is computed again",
            _update_vitals,
            ("vitals_id",),
            (*_VALUES, "measured_at", "units", "comments"),
        ),
        "remove": Action(
            "withdraw a reading entered in error", _remove_vitals, ("vitals_id",), ask=_ask_vitals
        ),
        "templates": Action("the practice's vital-sign templates", _templates),
        "define_template": Action(
            "admins: a new template", _define_template, ("template_name", "template_kinds"), ("units",)
        ),
    },
)


class LabsIn(Input):
    action: Literal["list", "get", "add", "update", "remove"]
    patient_id: PatientId = None
    lab_id: Annotated[OptionalId, Field(description="The result's id")] = None
    loinc_code: Annotated[str | None, Field(max_length=10, description="e.g. 2345-7 (glucose)")] = None
    test_name: Annotated[str | None, Field(max_length=200)] = None
    value: Annotated[str | None, Field(max_length=200, description="e.g. 5.4, <0.5, positive")] = None
    unit: Annotated[str | None, Field(max_length=30, description="e.g. mg/dL")] = None
    reference_low: float | None = None
    reference_high: float | None = None
    reference_text: Annotated[str | None, Field(max_length=100, description="e.g. negative")] = None
    abnormal_flag: Literal["N", "L", "H", "LL", "HH", "A"] | None = None
    status: Literal["preliminary", "final", "corrected"] | None = None
    collected_at: Annotated[Moment, Field(description="ISO 8601; default now")] = None
    report: Annotated[str | None, Field(max_length=20000), MULTILINE] = None
    encounter_id: OptionalId = None
    ordered_by_id: Annotated[OptionalId, Field(description="Ordering provider")] = None
    abnormal_only: Annotated[bool | None, Field(description="(list) only abnormal results")] = None
    limit: Annotated[int | None, Field(ge=1, le=500)] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


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


def _labs(call: Call[LabsIn], rows: Sequence[LabInfo]) -> Result:
    data = shapes.LabsOut(
        action=call.args.action, labs=[shapes.LabOut(**plain(r)) for r in rows], count=len(rows)
    )
    text = "\n".join(
        f"#{r.id} {r.collected_at:%Y-%m-%d} {r.test_name} ({r.loinc_code}): {r.value} {r.unit or ''}"
        f"{' [' + (r.abnormal_flag or '') + ']' if r.abnormal else ''} ({r.status})"
        for r in rows
    )
    return Result(data, text or "No lab results.")


def _lab(a: LabsIn) -> LabInput:
    return LabInput(**{k: getattr(a, k) for k in ("loinc_code", *_LAB)})


async def _list_labs(call: Call[LabsIn]) -> Result:
    a = call.args
    rows = await call.app.labs.for_patient(
        call.p,
        a.patient_id or 0,
        abnormal_only=bool(a.abnormal_only),
        loinc_code=a.loinc_code,
        limit=a.limit or 100,
    )
    return _labs(call, rows)


async def _get_lab(call: Call[LabsIn]) -> Result:
    return _labs(call, [await call.app.labs.get(call.p, call.args.lab_id or 0)])


async def _add_lab(call: Call[LabsIn]) -> Result:
    a = call.args
    return _labs(call, [await call.app.labs.add(call.p, a.patient_id or 0, _lab(a), call.idem)])


async def _update_lab(call: Call[LabsIn]) -> Result:
    a = call.args
    return _labs(call, [await call.app.labs.update(call.p, a.lab_id or 0, _lab(a), call.idem)])


async def _remove_lab(call: Call[LabsIn]) -> Result:
    change = LabInput(status="entered_in_error")
    return _labs(
        call, [await call.app.labs.update(call.p, call.args.lab_id or 0, change, call.idem, call.consent)]
    )


async def _ask_lab(call: Call[LabsIn]) -> str | None:
    return await call.app.labs.question(call.p, call.args.lab_id or 0)


MANAGE_PATIENT_LABS = Operation(
    name="manage_patient_labs",
    title="Manage patient lab results",
    description="Clinicians: laboratory results with a LOINC code (check digit verified), value, unit, "
    "reference range and abnormal flag (computed from the range when not given: L, H or N), status and "
    "the full report. list omits reports (use get for one); abnormal_only lists the results to act on.",
    scopes=(access.CLINICAL_READ,),
    hints=MANAGE,
    input=LabsIn,
    output=shapes.LabsOut,
    actions={
        "list": Action(
            "results newest first, without reports",
            _list_labs,
            ("patient_id",),
            ("abnormal_only", "loinc_code", "limit"),
        ),
        "get": Action("one result with its full report", _get_lab, ("lab_id",)),
        "add": Action(
            "record a result", _add_lab, ("patient_id", "loinc_code", "test_name", "value"), _LAB[2:]
        ),
        "update": Action(
            "correct a result (a changed final value becomes corrected)",
            _update_lab,
            ("lab_id",),
            ("loinc_code", *_LAB),
        ),
        "remove": Action("withdraw a result entered in error", _remove_lab, ("lab_id",), ask=_ask_lab),
    },
)

OPERATIONS = (MANAGE_PATIENT_VITALS, MANAGE_PATIENT_LABS)
