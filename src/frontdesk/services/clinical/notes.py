"""Quick clinical notes: short observations and messages between providers about a patient."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Invalid
from frontdesk.services import audit
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import records

NOTE_MAX = 5000


class NoteService(base.ChartBase):
    async def for_patient(self, p: Principal, patient_id: int, *, limit: int = 100) -> list[dto.NoteInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[dto.NoteInfo]:
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            rows = await records.for_patient(
                s,
                c.ClinicalNote,
                p.practice_id,
                patient_id,
                order=c.ClinicalNote.created_at,
                not_removed=True,
                limit=max(1, min(limit, 200)),
            )
            await audit.record(s, p, now, "note.list", "patient", patient_id, detail=f"{len(rows)} notes")
            rows = sorted(rows, key=lambda r: (not r.pinned, -r.created_at.timestamp(), -r.id))
            return [mapping.note(r, tz) for r in rows]

        return await self.uc.read(p, "note.list", "patient", patient_id, body)

    async def add(
        self,
        p: Principal,
        patient_id: int,
        text: str | None,
        pinned: bool | None,
        idem: Idempotency | None = None,
    ) -> dto.NoteInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.NoteInfo:
            await base.patient(s, p.practice_id, patient_id, writable=True)
            row = c.ClinicalNote(
                practice_id=p.practice_id,
                patient_id=patient_id,
                text=base.text(text, field="text", max_len=NOTE_MAX, required=True),
                pinned=bool(pinned),
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            s.add(row)
            await s.flush()
            await audit.record(s, p, now, "note.add", "note", row.id, detail=f"patient {patient_id}")
            return mapping.note(row, await base.practice_zone(s, p.practice_id))

        return await self.uc.write(p, "note.add", "patient", patient_id, body, dto.NoteInfo, idem)

    async def update(
        self,
        p: Principal,
        note_id: int,
        *,
        text: str | None = None,
        pinned: bool | None = None,
        remove: bool = False,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.NoteInfo:
        """Change a note's text or pin, or remove it (with the person's consent)."""
        action = "note.remove" if remove else "note.update"

        async def body(s: AsyncSession, now: datetime) -> dto.NoteInfo:
            row = await base.record(
                s, c.ClinicalNote, p.practice_id, note_id, field="note_id", hint="list the notes", lock=True
            )
            if row.removed_at is not None:
                raise Invalid("this note was removed", field="note_id")
            await base.patient(s, p.practice_id, row.patient_id, writable=True)
            if remove:
                row.removed_at = now
            else:
                if text is None and pinned is None:
                    raise Invalid("give text or pinned to change", field="text")
                if text is not None:
                    row.text = base.text(text, field="text", max_len=NOTE_MAX, required=True) or row.text
                if pinned is not None:
                    row.pinned = pinned
            row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, action, "note", row.id)
            return mapping.note(row, await base.practice_zone(s, p.practice_id))

        return await self.uc.write(
            p,
            action,
            "note",
            note_id,
            body,
            dto.NoteInfo,
            idem,
            destroys="removing a note" if remove else None,
            consent=consent,
        )

    async def question(self, p: Principal, note_id: int) -> str:
        """What to ask before removing a note (reading it is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.ClinicalNote, p.practice_id, note_id, field="note_id", hint="list the notes"
            )
            if row.removed_at is not None:
                raise Invalid("this note was removed", field="note_id")
            await audit.record(s, p, now, "note.read", "note", row.id)
            tz = await base.practice_zone(s, p.practice_id)
            by = await removals.author(s, p.practice_id, row.created_by)
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            when = removals.day(row.created_at.astimezone(tz))
            return f"Remove the note of {when} by {by} from {name}'s chart?"

        return await self.uc.read(p, "note.read", "note", note_id, body)
