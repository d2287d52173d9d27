"""Encounters: a visit's SOAP note and structured findings, linked to its appointment when there is one.
A draft is edited freely; signing locks it, and later changes are addenda with their author and time."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical.status import ENCOUNTER_TRANSITIONS, EncounterStatus, check
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.timeparse import parse_datetime
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling import lifecycle
from frontdesk.storage import clinical_models as c
from frontdesk.storage.models import Appointment
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories.clinical import chart, records

E = EncounterStatus
READERS = (access.CLINICAL_READ, access.BILLING_READ)  # billing sees when, who and where, not the note
SOAP = ("chief_complaint", "hpi", "review_of_systems", "physical_exam", "assessment", "plan")
FINDINGS_MAX = 100


@dataclass(frozen=True, slots=True)
class EncounterInput:
    appointment_id: int | None = None
    provider_id: int | None = None
    datebook_id: int | None = None
    occurred_at: str | None = None
    visit_type: str | None = None
    chief_complaint: str | None = None
    hpi: str | None = None
    review_of_systems: str | None = None
    physical_exam: str | None = None
    assessment: str | None = None
    plan: str | None = None
    findings: list[dict[str, Any]] | None = None

    def given(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self) if getattr(self, f.name) is not None]


def findings(raw: list[dict[str, Any]]) -> list[dto.Finding]:
    if len(raw) > FINDINGS_MAX:
        raise Invalid(f"findings may hold at most {FINDINGS_MAX} entries", field="findings")
    out = []
    for i, item in enumerate(raw):
        field = f"findings.{i}"
        if not isinstance(item, dict):
            raise Invalid(f"{field} must be an object with system and finding", field=field)
        unknown = set(item) - {"system", "finding", "value", "abnormal"}
        if unknown:
            raise Invalid(
                f"{field}: unknown keys {sorted(unknown)}; use system, finding, value, abnormal", field=field
            )
        abnormal = item.get("abnormal")
        if abnormal is not None and not isinstance(abnormal, bool):
            raise Invalid(f"{field}.abnormal must be true or false", field=f"{field}.abnormal")
        out.append(
            dto.Finding(
                system=base.text(_str(item.get("system")), field=f"{field}.system", max_len=60, required=True)
                or "",
                finding=base.text(
                    _str(item.get("finding")), field=f"{field}.finding", max_len=200, required=True
                )
                or "",
                value=base.text(_str(item.get("value")), field=f"{field}.value", max_len=200),
                abnormal=abnormal,
            )
        )
    return out


def _str(value: object) -> str | None:
    return None if value is None else str(value)


async def encounter_infos(
    s: AsyncSession, p: Principal, rows: Sequence[c.Encounter]
) -> list[dto.EncounterInfo]:
    tz = await base.practice_zone(s, p.practice_id)
    provs = {r.id: r for r in await dir_repo.providers(s, p.practice_id, active_only=False)}
    books = {b.id: b for b in await dir_repo.datebooks(s, p.practice_id, active_only=False)}
    notes: dict[int, list[c.EncounterAddendum]] = {}
    for a in await chart.addenda(s, p.practice_id, [r.id for r in rows]):
        notes.setdefault(a.encounter_id, []).append(a)
    clinical = base.sees_clinical(p)
    return [
        mapping.encounter(
            r,
            tz,
            notes.get(r.id, []),
            provs.get(r.provider_id) if r.provider_id else None,
            books.get(r.datebook_id) if r.datebook_id else None,
            clinical=clinical,
        )
        for r in rows
    ]


class EncounterService(base.ChartBase):
    async def for_patient(self, p: Principal, patient_id: int, *, limit: int = 20) -> list[dto.EncounterInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[dto.EncounterInfo]:
            await base.patient(s, p.practice_id, patient_id)
            rows = await records.for_patient(
                s,
                c.Encounter,
                p.practice_id,
                patient_id,
                order=c.Encounter.occurred_at,
                limit=max(1, min(limit, 200)),
            )
            await audit.record(
                s, p, now, "encounter.list", "patient", patient_id, detail=f"{len(rows)} encounters"
            )
            return await self.infos(s, p, rows)

        return await self.uc.read(p, "encounter.list", "patient", patient_id, body, scopes=READERS)

    async def get(self, p: Principal, encounter_id: int) -> dto.EncounterInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.EncounterInfo:
            row = await self._row(s, p, encounter_id)
            await audit.record(s, p, now, "encounter.read", "encounter", row.id)
            return (await self.infos(s, p, [row]))[0]

        return await self.uc.read(p, "encounter.read", "encounter", encounter_id, body, scopes=READERS)

    async def create(
        self, p: Principal, patient_id: int, d: EncounterInput, idem: Idempotency | None = None
    ) -> dto.EncounterInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.EncounterInfo:
            await base.patient(s, p.practice_id, patient_id, writable=True)
            tz = await base.practice_zone(s, p.practice_id)
            row = c.Encounter(
                practice_id=p.practice_id,
                patient_id=patient_id,
                occurred_at=now,
                status=E.DRAFT.value,
                findings_json="[]",
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            if d.appointment_id is not None:
                appt = await records.get(s, Appointment, p.practice_id, d.appointment_id)
                if appt is None or appt.patient_id != patient_id:
                    raise NotFound(
                        f"no appointment with id {d.appointment_id} for this patient", field="appointment_id"
                    )
                existing = await chart.encounter_for_appointment(s, p.practice_id, appt.id)
                if existing is not None:
                    raise Conflict(
                        f"appointment {appt.id} already has encounter {existing.id}; update that one",
                        field="appointment_id",
                        details={"encounter_id": existing.id},
                    )
                row.appointment_id, row.provider_id = appt.id, appt.provider_id
                row.datebook_id, row.occurred_at = appt.datebook_id, appt.starts_at
            await self._apply(s, p, row, d, tz)
            s.add(row)
            await s.flush()
            await audit.record(
                s, p, now, "encounter.create", "encounter", row.id, detail=f"patient {patient_id}"
            )
            return (await self.infos(s, p, [row]))[0]

        return await self.uc.write(
            p, "encounter.create", "patient", patient_id, body, dto.EncounterInfo, idem
        )

    async def update(
        self, p: Principal, encounter_id: int, d: EncounterInput, idem: Idempotency | None = None
    ) -> dto.EncounterInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.EncounterInfo:
            if not d.given():
                raise Invalid("give at least one field to change", field="encounter_id")
            if d.appointment_id is not None:
                raise Invalid("an encounter's appointment is set when it is created", field="appointment_id")
            row = await self._row(s, p, encounter_id, lock=True)
            self._draft(row)
            await self._apply(s, p, row, d, await base.practice_zone(s, p.practice_id))
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "encounter.update", "encounter", row.id, detail=",".join(d.given()))
            return (await self.infos(s, p, [row]))[0]

        return await self.uc.write(
            p, "encounter.update", "encounter", encounter_id, body, dto.EncounterInfo, idem
        )

    async def sign(
        self, p: Principal, encounter_id: int, idem: Idempotency | None = None
    ) -> dto.EncounterInfo:
        """The provider signs the draft: it is locked from then on."""

        async def body(s: AsyncSession, now: datetime) -> dto.EncounterInfo:
            row = await self._row(s, p, encounter_id, lock=True)
            self._draft(row)
            if row.provider_id is None:
                raise Invalid("set the encounter's provider_id before signing", field="provider_id")
            if not any(getattr(row, x) for x in SOAP):
                raise Invalid(
                    "an empty note cannot be signed: write at least one SOAP section", field="assessment"
                )
            check(ENCOUNTER_TRANSITIONS, E(row.status), E.SIGNED, "encounter")
            row.status, row.signed_at, row.signed_by, row.updated_at = E.SIGNED.value, now, p.actor[:120], now
            await s.flush()
            await audit.record(s, p, now, "encounter.sign", "encounter", row.id)
            if row.appointment_id is not None:
                await lifecycle.document(s, p, now, row.practice_id, row.appointment_id)
            return (await self.infos(s, p, [row]))[0]

        return await self.uc.write(
            p, "encounter.sign", "encounter", encounter_id, body, dto.EncounterInfo, idem
        )

    async def addendum(
        self, p: Principal, encounter_id: int, text: str | None, idem: Idempotency | None = None
    ) -> dto.EncounterInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.EncounterInfo:
            row = await self._row(s, p, encounter_id, lock=True)
            if row.status != E.SIGNED.value:
                raise Conflict(
                    f"addenda are for signed encounters; this one is {row.status} (edit it with update)",
                    field="encounter_id",
                )
            note = c.EncounterAddendum(
                practice_id=p.practice_id,
                encounter_id=row.id,
                text=base.text(text, field="text", max_len=base.TEXT_MAX, required=True) or "",
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            s.add(note)
            await s.flush()
            await audit.record(
                s, p, now, "encounter.addendum", "encounter", row.id, detail=f"addendum {note.id}"
            )
            return (await self.infos(s, p, [row]))[0]

        return await self.uc.write(
            p, "encounter.addendum", "encounter", encounter_id, body, dto.EncounterInfo, idem
        )

    async def discard(
        self,
        p: Principal,
        encounter_id: int,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.EncounterInfo:
        """Withdraw a draft opened by mistake (kept as entered_in_error; a signed note stays), with the
        person's consent."""

        async def body(s: AsyncSession, now: datetime) -> dto.EncounterInfo:
            row = await self._row(s, p, encounter_id, lock=True)
            self._draft(row)
            row.status, row.updated_at = E.ENTERED_IN_ERROR.value, now
            await s.flush()
            await audit.record(s, p, now, "encounter.discard", "encounter", row.id)
            return (await self.infos(s, p, [row]))[0]

        return await self.uc.write(
            p,
            "encounter.discard",
            "encounter",
            encounter_id,
            body,
            dto.EncounterInfo,
            idem,
            destroys="discarding an encounter",
            consent=consent,
        )

    async def question(self, p: Principal, encounter_id: int) -> str:
        """What to ask before discarding a draft (reading it is an audited read). A signed encounter
        cannot be discarded: that is said now rather than after asking."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await self._row(s, p, encounter_id)
            self._draft(row)
            await audit.record(s, p, now, "encounter.read", "encounter", row.id)
            info = (await self.infos(s, p, [row]))[0]
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            who = f" with {info.provider_name}" if info.provider_name else ""
            return f"Discard the draft encounter of {removals.day(info.occurred_at)}{who} for {name}?"

        return await self.uc.read(p, "encounter.read", "encounter", encounter_id, body)

    # --- helpers ------------------------------------------------------------------------------

    async def infos(
        self, s: AsyncSession, p: Principal, rows: Sequence[c.Encounter]
    ) -> list[dto.EncounterInfo]:
        return await encounter_infos(s, p, rows)

    async def _row(
        self, s: AsyncSession, p: Principal, encounter_id: int, *, lock: bool = False
    ) -> c.Encounter:
        row = await base.record(
            s,
            c.Encounter,
            p.practice_id,
            encounter_id,
            field="encounter_id",
            hint="list the encounters",
            lock=lock,
        )
        return row

    @staticmethod
    def _draft(row: c.Encounter) -> None:
        if row.status == E.SIGNED.value:
            raise Conflict(
                "this encounter is signed and locked; add an addendum (action addendum) instead",
                field="encounter_id",
            )
        if row.status != E.DRAFT.value:
            raise Conflict(f"this encounter is {row.status} and cannot change", field="encounter_id")

    async def _apply(
        self, s: AsyncSession, p: Principal, row: c.Encounter, d: EncounterInput, tz: Any
    ) -> None:
        if d.provider_id is not None:
            prov = await base.provider(s, p.practice_id, d.provider_id, field="provider_id")
            row.provider_id = prov.id if prov else None
        if d.datebook_id is not None:
            book = await dir_repo.datebook(s, p.practice_id, d.datebook_id)
            if book is None:
                raise NotFound(
                    f"no facility with id {d.datebook_id}; call list_datebooks", field="datebook_id"
                )
            row.datebook_id = book.id
        if d.occurred_at is not None:
            row.occurred_at = parse_datetime(d.occurred_at, tz, field="occurred_at")
        if d.visit_type is not None:
            row.visit_type = base.text(d.visit_type, field="visit_type", max_len=60)
        for name in SOAP:
            value = getattr(d, name)
            if value is not None:
                setattr(row, name, base.text(value, field=name, max_len=base.TEXT_MAX))
        if d.findings is not None:
            row.findings_json = json.dumps([dataclasses.asdict(f) for f in findings(d.findings)])
