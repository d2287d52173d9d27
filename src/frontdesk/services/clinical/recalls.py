"""Recalls: a reason and a due date to bring a patient back; due recalls are listed for outreach.

Front-desk staff run the outreach: they see who is due and how to reach them, and may mark a recall
scheduled against a booked appointment, but the recall's reason (clinical) is withheld from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical.status import RECALL_TRANSITIONS, RecallStatus, check, parse
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.timeparse import parse_date
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.models import Appointment
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import chart, records

R = RecallStatus
OUTREACH = (access.CLINICAL_READ, access.APPOINTMENTS_READ)
PAGE_MAX = 100


@dataclass(frozen=True, slots=True)
class RecallInput:
    due_date: str | None = None
    reason: str | None = None
    provider_id: int | None = None
    status: str | None = None
    appointment_id: int | None = None
    comments: str | None = None

    @property
    def clinical(self) -> bool:
        """Whether the change is more than scheduling (open or scheduled, with the appointment booked):
        closing a recall (done, cancelled) or changing its content is a clinician's decision."""
        content = any(x is not None for x in (self.due_date, self.reason, self.provider_id, self.comments))
        return content or self.status in ("done", "cancelled")


class RecallService(base.ChartBase):
    async def for_patient(
        self, p: Principal, patient_id: int, *, include_closed: bool = False
    ) -> list[dto.RecallInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[dto.RecallInfo]:
            pat = await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            statuses = None if include_closed else [R.OPEN.value, R.SCHEDULED.value]
            rows = await records.for_patient(
                s,
                c.Recall,
                p.practice_id,
                patient_id,
                order=c.Recall.due_date,
                descending=False,
                statuses=statuses,
            )
            await audit.record(s, p, now, "recall.list", "patient", patient_id, detail=f"{len(rows)} recalls")
            today = now.astimezone(tz).date()
            return [mapping.recall(r, pat, tz, today, clinical=True) for r in rows]

        return await self.uc.read(p, "recall.list", "patient", patient_id, body)

    async def due(
        self,
        p: Principal,
        *,
        until: str | None = None,
        since: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> tuple[list[dto.RecallInfo], bool]:
        """Open recalls due by `until` (default: 30 days from today), oldest first, for outreach."""

        async def body(s: AsyncSession, now: datetime) -> tuple[list[dto.RecallInfo], bool]:
            if page < 1:
                raise Invalid("page must be 1 or more", field="page")
            if not 1 <= page_size <= PAGE_MAX:
                raise Invalid(f"page_size must be between 1 and {PAGE_MAX}", field="page_size")
            tz = await base.practice_zone(s, p.practice_id)
            today = now.astimezone(tz).date()
            hi = parse_date(until, field="until") if until else today + timedelta(days=30)
            lo = parse_date(since, field="since") if since else None
            rows = await chart.due_recalls(
                s, p.practice_id, hi, since=lo, limit=page_size + 1, offset=(page - 1) * page_size
            )
            pats = {
                x.id: x
                for x in await patient_repo.get_many(s, p.practice_id, list({r.patient_id for r in rows}))
            }
            await audit.record(
                s, p, now, "recall.due", "recall", None, detail=f"{min(len(rows), page_size)} due"
            )
            clinical = base.sees_clinical(p)
            out = [
                mapping.recall(r, pats[r.patient_id], tz, today, clinical=clinical) for r in rows[:page_size]
            ]
            return out, len(rows) > page_size

        return await self.uc.read(p, "recall.due", "recall", None, body, scopes=OUTREACH)

    async def add(
        self, p: Principal, patient_id: int, d: RecallInput, idem: Idempotency | None = None
    ) -> dto.RecallInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.RecallInfo:
            pat = await base.patient(s, p.practice_id, patient_id, writable=True)
            if not d.due_date:
                raise Invalid("due_date is required (ISO 8601 date)", field="due_date")
            row = c.Recall(
                practice_id=p.practice_id,
                patient_id=patient_id,
                due_date=parse_date(d.due_date, field="due_date"),
                reason=base.text(d.reason, field="reason", max_len=200, required=True),
                status=R.OPEN.value,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            await self._apply(s, p, row, d)
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "recall.add", "recall", row.id, detail=f"patient {patient_id}")
            tz = await base.practice_zone(s, p.practice_id)
            return mapping.recall(row, pat, tz, now.astimezone(tz).date(), clinical=True)

        return await self.uc.write(p, "recall.add", "patient", patient_id, body, dto.RecallInfo, idem)

    async def update(
        self, p: Principal, recall_id: int, d: RecallInput, idem: Idempotency | None = None
    ) -> dto.RecallInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.RecallInfo:
            if d.clinical:
                p.require(access.CLINICAL_WRITE)
            row = await base.record(
                s, c.Recall, p.practice_id, recall_id, field="recall_id", hint="list the recalls", lock=True
            )
            pat = await base.patient(s, p.practice_id, row.patient_id, writable=True)
            if d.due_date is not None:
                row.due_date = parse_date(d.due_date, field="due_date")
            if d.reason is not None:
                row.reason = base.text(d.reason, field="reason", max_len=200, required=True) or row.reason
            await self._apply(s, p, row, d)
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "recall.update", "recall", row.id)
            tz = await base.practice_zone(s, p.practice_id)
            return mapping.recall(row, pat, tz, now.astimezone(tz).date(), clinical=base.sees_clinical(p))

        scope = access.CLINICAL_WRITE if d.clinical else access.APPOINTMENTS_WRITE
        return await self.uc.write(
            p, "recall.update", "recall", recall_id, body, dto.RecallInfo, idem, scope=scope
        )

    async def _apply(self, s: AsyncSession, p: Principal, row: c.Recall, d: RecallInput) -> None:
        if d.provider_id is not None:
            prov = await base.provider(s, p.practice_id, d.provider_id, field="provider_id")
            row.provider_id = prov.id if prov else None
        if d.comments is not None:
            row.comments = base.text(d.comments, field="comments")
        if d.appointment_id is not None:
            appt = await records.get(s, Appointment, p.practice_id, d.appointment_id)
            if appt is None or appt.patient_id != row.patient_id:
                raise NotFound(
                    f"no appointment with id {d.appointment_id} for this patient", field="appointment_id"
                )
            row.appointment_id = appt.id
            if d.status is None and row.status == R.OPEN.value:
                row.status = R.SCHEDULED.value
        if d.status is not None:
            target = parse(R, d.status)
            check(RECALL_TRANSITIONS, R(row.status), target, "recall")
            row.status = target.value
