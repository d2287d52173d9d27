"""Vital signs: readings in any accepted unit (stored in one), BMI, trends, per-practice templates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical import vitals as v
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import chart, records

LIST_MAX = 200


@dataclass(frozen=True, slots=True)
class VitalsInput:
    systolic: float | None = None
    diastolic: float | None = None
    pulse: float | None = None
    temperature: float | None = None
    temperature_unit: str | None = None
    respiratory_rate: float | None = None
    spo2: float | None = None
    weight: float | None = None
    weight_unit: str | None = None
    height: float | None = None
    height_unit: str | None = None
    measured_at: str | None = None
    encounter_id: int | None = None
    template: str | None = None
    comments: str | None = None

    def values(self, template: v.VitalTemplate | None) -> dict[v.Kind, float]:
        """Every given value in its stored unit; units default to the template's system."""
        system = template.units if template else v.UnitSystem.METRIC
        out: dict[v.Kind, float] = {}
        for kind in v.MEASURED:
            raw = getattr(self, kind.value)
            if raw is None:
                continue
            if template is not None and kind not in template.kinds:
                raise Invalid(
                    f"{kind.value} is not recorded with template {template.name!r}", field=kind.value
                )
            unit = getattr(self, f"{kind.value}_unit", None) or v.PREFERRED[system].get(kind)
            out[kind] = v.to_stored(kind, float(raw), unit, field=kind.value)
        return out


def template_info(t: v.VitalTemplate, row_id: int | None = None) -> dto.TemplateInfo:
    return dto.TemplateInfo(
        id=row_id,
        key=t.key,
        name=t.name,
        kinds=[k.value for k in t.kinds],
        units=t.units.value,
        builtin=row_id is None,
    )


def _from_row(row: c.VitalTemplateRow) -> v.VitalTemplate:
    kinds = v.template_kinds(json.loads(row.kinds_json))
    return v.VitalTemplate(f"practice-{row.id}", row.name, kinds, v.UnitSystem(row.units))


async def templates(s: AsyncSession, practice_id: int) -> list[tuple[v.VitalTemplate, int | None]]:
    out: list[tuple[v.VitalTemplate, int | None]] = [(t, None) for t in v.BUILTIN_TEMPLATES]
    out.extend((_from_row(r), r.id) for r in await chart.vital_templates(s, practice_id))
    return out


async def _template(
    s: AsyncSession, practice_id: int, key: str | None
) -> tuple[v.VitalTemplate, int | None] | None:
    if key is None or not key.strip():
        return None
    wanted = key.strip().lower()
    for t, row_id in await templates(s, practice_id):
        if wanted in (t.key, t.name.lower()):
            return t, row_id
    raise NotFound(
        f"no vital template {key.strip()!r}; list them with manage_patient_vitals (action templates)",
        field="template",
    )


async def _template_of(s: AsyncSession, practice_id: int, template_id: int | None) -> v.VitalTemplate | None:
    """The practice template a reading was taken with (built-in templates are not stored on it)."""
    if template_id is None:
        return None
    for t, row_id in await templates(s, practice_id):
        if row_id == template_id:
            return t
    return None


async def _live_reading(s: AsyncSession, p: Principal, reading_id: int, removed: str) -> c.VitalReading:
    """A reading to change: locked, of a patient whose chart is writable, not withdrawn."""
    row = await base.record(
        s, c.VitalReading, p.practice_id, reading_id, field="vitals_id", hint="list the vitals", lock=True
    )
    await base.patient(s, p.practice_id, row.patient_id, writable=True)
    if row.removed_at is not None:
        raise Conflict(removed, field="vitals_id")
    return row


async def _set_bmi(s: AsyncSession, row: c.VitalReading) -> None:
    """BMI from the reading's weight and its own height, else the latest height measured before it."""
    if row.weight is None:
        return
    height = row.height or await chart.latest_height(s, row.practice_id, row.patient_id, row.measured_at)
    row.bmi = v.bmi(row.weight, height) if height else None


class VitalService(base.ChartBase):
    async def for_patient(
        self, p: Principal, patient_id: int, *, units: str | None = None, limit: int = 50
    ) -> tuple[list[dto.VitalsInfo], list[dto.TrendInfo]]:
        """Readings newest first, and per vital sign the trend over those readings."""

        async def body(s: AsyncSession, now: datetime) -> tuple[list[dto.VitalsInfo], list[dto.TrendInfo]]:
            system = v.unit_system(units)
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            rows = await records.for_patient(
                s,
                c.VitalReading,
                p.practice_id,
                patient_id,
                order=c.VitalReading.measured_at,
                not_removed=True,
                limit=max(1, min(limit, LIST_MAX)),
            )
            await audit.record(
                s, p, now, "vitals.list", "patient", patient_id, detail=f"{len(rows)} readings"
            )
            return [mapping.vitals(r, tz, system) for r in rows], mapping.trends(rows, tz, system)

        return await self.uc.read(p, "vitals.list", "patient", patient_id, body)

    async def add(
        self,
        p: Principal,
        patient_id: int,
        d: VitalsInput,
        units: str | None = None,
        idem: Idempotency | None = None,
    ) -> dto.VitalsInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.VitalsInfo:
            await base.patient(s, p.practice_id, patient_id, writable=True)
            tz = await base.practice_zone(s, p.practice_id)
            found = await _template(s, p.practice_id, d.template)
            template, template_id = found if found else (None, None)
            values = d.values(template)
            v.check_reading(values)
            measured = parse_datetime(d.measured_at, tz, field="measured_at") if d.measured_at else now
            if measured > now:
                raise Invalid("measured_at must not be in the future", field="measured_at")
            enc = await base.encounter_of(s, p.practice_id, patient_id, d.encounter_id)
            row = c.VitalReading(
                practice_id=p.practice_id,
                patient_id=patient_id,
                encounter_id=enc.id if enc else None,
                template_id=template_id,
                measured_at=measured,
                comments=base.text(d.comments, field="comments"),
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            for kind, value in values.items():
                setattr(row, kind.value, value)
            await _set_bmi(s, row)
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "vitals.add", "vitals", row.id, detail=f"patient {patient_id}")
            system = v.unit_system(units) if units else (template.units if template else v.UnitSystem.METRIC)
            return mapping.vitals(row, tz, system)

        return await self.uc.write(p, "vitals.add", "patient", patient_id, body, dto.VitalsInfo, idem)

    async def update(
        self,
        p: Principal,
        reading_id: int,
        d: VitalsInput,
        units: str | None = None,
        idem: Idempotency | None = None,
    ) -> dto.VitalsInfo:
        """Correct a reading: the values given replace the stored ones (units as in add, defaulting to
        the reading's template), measured_at and comments likewise; BMI is computed again."""

        async def body(s: AsyncSession, now: datetime) -> dto.VitalsInfo:
            row = await _live_reading(s, p, reading_id, "this reading was removed; record a new one instead")
            if d.template is not None or d.encounter_id is not None:
                field = "template" if d.template is not None else "encounter_id"
                raise Invalid(
                    f"{field} cannot be changed; remove the reading and record it again", field=field
                )
            tz = await base.practice_zone(s, p.practice_id)
            template = await _template_of(s, p.practice_id, row.template_id)
            changes = d.values(template)
            merged = {k: getattr(row, k.value) for k in v.MEASURED if getattr(row, k.value) is not None}
            merged.update(changes)
            v.check_reading(merged)
            measured = row.measured_at
            if d.measured_at:
                measured = parse_datetime(d.measured_at, tz, field="measured_at")
                if measured > now:
                    raise Invalid("measured_at must not be in the future", field="measured_at")
            if not changes and measured == row.measured_at and d.comments is None:
                raise Invalid("give at least one value, measured_at or comments to change", field="vitals_id")
            for kind, value in changes.items():
                setattr(row, kind.value, value)
            row.measured_at = measured
            if d.comments is not None:
                row.comments = base.text(d.comments, field="comments")
            await _set_bmi(s, row)
            row.updated_at = now
            await s.flush()
            changed = sorted(k.value for k in changes) + (["measured_at"] if d.measured_at else [])
            changed += ["comments"] if d.comments is not None else []
            await audit.record(s, p, now, "vitals.update", "vitals", row.id, detail=",".join(changed))
            system = v.unit_system(units) if units else (template.units if template else v.UnitSystem.METRIC)
            return mapping.vitals(row, tz, system)

        return await self.uc.write(p, "vitals.update", "vitals", reading_id, body, dto.VitalsInfo, idem)

    async def remove(
        self,
        p: Principal,
        reading_id: int,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.VitalsInfo:
        """Withdraw a reading entered in error (kept, hidden from lists and trends), with the person's
        consent."""

        async def body(s: AsyncSession, now: datetime) -> dto.VitalsInfo:
            row = await _live_reading(s, p, reading_id, "this reading was already removed")
            row.removed_at = row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "vitals.remove", "vitals", row.id)
            return mapping.vitals(row, await base.practice_zone(s, p.practice_id), v.UnitSystem.METRIC)

        return await self.uc.write(
            p,
            "vitals.remove",
            "vitals",
            reading_id,
            body,
            dto.VitalsInfo,
            idem,
            destroys="removing a vital-signs reading",
            consent=consent,
        )

    async def question(self, p: Principal, reading_id: int) -> str:
        """What to ask before withdrawing a reading (reading it is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.VitalReading, p.practice_id, reading_id, field="vitals_id", hint="list the vitals"
            )
            if row.removed_at is not None:
                raise Conflict("this reading was already removed", field="vitals_id")
            await audit.record(s, p, now, "vitals.read", "vitals", row.id)
            tz = await base.practice_zone(s, p.practice_id)
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            when = row.measured_at.astimezone(tz)
            return f"Remove the vital signs of {removals.day(when)} at {when:%H:%M} from {name}'s chart?"

        return await self.uc.read(p, "vitals.read", "vitals", reading_id, body)

    async def templates(self, p: Principal) -> list[dto.TemplateInfo]:
        p.require(access.APPOINTMENTS_READ)
        async with self.db.read() as s:
            return [template_info(t, row_id) for t, row_id in await templates(s, p.practice_id)]

    async def define_template(
        self, p: Principal, name: str, kinds: list[str], units: str, idem: Idempotency | None = None
    ) -> dto.TemplateInfo:
        """A practice's own template (admins): which vital signs, in which unit system."""

        async def body(s: AsyncSession, now: datetime) -> dto.TemplateInfo:
            label = base.text(name, field="template_name", max_len=80, required=True) or ""
            chosen = v.template_kinds(kinds, field="template_kinds")
            system = v.unit_system(units, field="units")
            if await chart.vital_template_by_name(s, p.practice_id, label) is not None or any(
                label.lower() == t.name.lower() for t in v.BUILTIN_TEMPLATES
            ):
                raise Conflict(f"a template named {label!r} already exists", field="template_name")
            row = c.VitalTemplateRow(
                practice_id=p.practice_id,
                name=label,
                kinds_json=json.dumps([k.value for k in chosen]),
                units=system.value,
                active=True,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "vitals.template", "vital_template", row.id)
            return template_info(_from_row(row), row.id)

        return await self.uc.write(
            p, "vitals.template", "vital_template", None, body, dto.TemplateInfo, idem, scope=access.ADMIN
        )
