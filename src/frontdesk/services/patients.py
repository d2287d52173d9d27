"""Patient directory: search and creation, full demographics, status, merging duplicates, findPatients."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.clinical.status import PatientStatus
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.text import fold
from frontdesk.services import audit, dto, mapping
from frontdesk.services.clients import contact, titular
from frontdesk.services.clients.dto import Registered
from frontdesk.services.clinical import dto as cdto
from frontdesk.services.clinical.base import ChartBase, practice_zone
from frontdesk.services.clinical.base import patient as chart_patient
from frontdesk.services.clinical.demographics import (
    PROFILE_FIELDS,
    Demographics,
    FindQuery,
    apply,
    criteria,
    new_profile,
)
from frontdesk.services.clinical.demographics import record as patient_record
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m
from frontdesk.storage.repositories import patients as repo
from frontdesk.storage.repositories.clinical import patients as profile_repo
from frontdesk.storage.repositories.clinical import records

SEARCH_LIMIT = 25
COMPLETE_LIMIT = 100  # names per completion (the MCP maximum)
COMPLETE_MIN_CHARS = 2  # fewer typed characters offer no names: no listing the whole practice


def new_uid() -> str:
    return "P-" + secrets.token_hex(4).upper()


async def create_patient(
    s: AsyncSession,
    p: Principal,
    now: datetime,
    *,
    first_name: str,
    last_name: str,
    phone: str | None = None,
    email: str | None = None,
) -> m.Patient:
    row = m.Patient(
        practice_id=p.practice_id,
        uid=new_uid(),
        first_name=first_name,
        last_name=last_name,
        search_name=fold(f"{first_name} {last_name}"),
        phone=phone,
        email=email,
        email_key=email,  # callers hand it normalised (clients.contact.email)
        created_at=now,
    )
    s.add(row)
    await s.flush()
    await audit.record(s, p, now, "patient.create", "patient", row.id)
    return row


async def resolve_or_create(
    s: AsyncSession,
    p: Principal,
    now: datetime,
    *,
    patient_id: int | None,
    patient_name: str | None,
    phone: str | None = None,
    reuse_by_phone: bool = False,
) -> m.Patient:
    """An existing patient by id, or a new record from a full name. With `reuse_by_phone`, a patient
    with the same name and phone is reused rather than duplicated (the public booking flow)."""
    if patient_id is not None:
        row = await repo.get(s, p.practice_id, patient_id)
        if row is None:
            raise NotFound(f"no patient with id {patient_id}; call find_patients", field="patient_id")
        return row
    if patient_name is None:
        raise Invalid(
            "give patient_id (from search_patients) or patient_name for a new patient", field="patient_id"
        )
    first, last = validation.split_name(patient_name)
    phone = contact.phone(phone, await contact.region(s, p.practice_id), field="patientPhone")
    if reuse_by_phone and phone:
        existing = await repo.find_by_name_and_phone(s, p.practice_id, fold(f"{first} {last}"), phone)
        if existing is not None:
            return existing
    return await create_patient(s, p, now, first_name=first, last_name=last, phone=phone)


class PatientService(ChartBase):
    reads = (access.PATIENTS_READ,)
    writes = access.PATIENTS_WRITE

    async def search(self, p: Principal, query: str, limit: int = SEARCH_LIMIT) -> list[dto.PatientInfo]:
        text = (query or "").strip()
        limit = max(1, min(limit, SEARCH_LIMIT))

        async def body(s: AsyncSession, now: datetime) -> list[dto.PatientInfo]:
            if not text:
                raise Invalid("query must not be empty: give part of a name or a patient UID", field="query")
            if len(text) > 120:
                raise Invalid("query must be at most 120 characters", field="query")
            rows = await repo.search(s, p.practice_id, fold(text), text, limit)
            detail = f"{len(rows)} results"
            await audit.record(s, p, now, "patient.search", "patient", None, detail=detail)
            return [mapping.patient(r) for r in rows]

        return await self.uc.read(p, "patient.search", "patient", None, body)

    async def complete_names(
        self, p: Principal, prefix: str, limit: int = COMPLETE_LIMIT
    ) -> tuple[list[str], bool]:
        """Patient names ("First Last") whose name or one of its words starts with `prefix` (accents
        and case ignored), alphabetical, at most `limit`; and whether there are more. Audited like a
        search, since it shows names."""
        folded = fold(prefix or "")
        limit = max(1, min(limit, COMPLETE_LIMIT))

        async def body(s: AsyncSession, now: datetime) -> tuple[list[str], bool]:
            if len(folded) > 120:
                raise Invalid("a name to complete must be at most 120 characters", field="value")
            rows = await repo.names_starting(s, p.practice_id, folded, limit + 1)
            detail = f"completion: {min(len(rows), limit)} results"
            await audit.record(s, p, now, "patient.search", "patient", None, detail=detail)
            names = list(dict.fromkeys(f"{first} {last}" for first, last in rows[:limit]))
            return names, len(rows) > limit

        if len(folded) < COMPLETE_MIN_CHARS:
            return [], False
        return await self.uc.read(p, "patient.search", "patient", None, body)

    async def create(
        self,
        p: Principal,
        *,
        first_name: str,
        last_name: str,
        phone: str | None = None,
        email: str | None = None,
    ) -> dto.PatientInfo:
        async def body(s: AsyncSession, now: datetime) -> dto.PatientInfo:
            first = validation.required_text(first_name, field="first_name")
            last = validation.required_text(last_name, field="last_name")
            row = await create_patient(
                s,
                p,
                now,
                first_name=first,
                last_name=last,
                phone=contact.phone(phone, await contact.region(s, p.practice_id)),
                email=contact.email(email),
            )
            return mapping.patient(row)

        return await self.uc.write(p, "patient.create", "patient", None, body, dto.PatientInfo)

    # --- full demographics (managePatient, findPatients) ---------------------------------------

    async def get(self, p: Principal, patient_id: int) -> cdto.PatientRecord:
        """Demographics, contact, emergency contact and insurance: no clinical content."""

        async def body(s: AsyncSession, now: datetime) -> cdto.PatientRecord:
            row = await chart_patient(s, p.practice_id, patient_id)
            prof = await profile_repo.profile(s, p.practice_id, patient_id)
            tz = await practice_zone(s, p.practice_id)
            await audit.record(s, p, now, "patient.read", "patient", row.id)
            return patient_record(
                row, prof, now.astimezone(tz).date(), tz, await titular.of(s, p.practice_id, row.id)
            )

        return await self.uc.read(p, "patient.read", "patient", patient_id, body)

    async def register(
        self,
        p: Principal,
        d: Demographics,
        idem: Idempotency | None = None,
        *,
        titular_provider_id: int | None = None,
    ) -> Registered:
        """A new patient; or, when a patient of the practice already has this email, that one
        (linked: nothing is created or changed)."""

        async def body(s: AsyncSession, now: datetime) -> Registered:
            validation.required_text(d.first_name, field="first_name")
            validation.required_text(d.last_name, field="last_name")
            tz = await practice_zone(s, p.practice_id)
            today = now.astimezone(tz).date()
            email = contact.email(d.email)
            found = await repo.by_email(s, p.practice_id, email) if email else None
            if found is not None:
                prof = await profile_repo.profile(s, p.practice_id, found.id)
                await audit.record(s, p, now, "patient.link", "patient", found.id, detail="same email")
                held = await titular.of(s, p.practice_id, found.id)
                return Registered(patient_record(found, prof, today, tz, held), linked=True)
            if titular_provider_id is not None:
                await titular.provider(s, p.practice_id, titular_provider_id, field="titular_provider_id")
            row = m.Patient(
                practice_id=p.practice_id, uid=new_uid(), first_name="", last_name="", created_at=now
            )
            prof = new_profile(p.practice_id, 0, p.actor, now)
            apply(row, prof, d, today, await contact.region(s, p.practice_id))
            row.email = row.email_key = email
            s.add(row)
            await s.flush()
            prof.patient_id = row.id
            s.add(prof)
            await s.flush()
            await audit.record(s, p, now, "patient.create", "patient", row.id)
            if titular_provider_id is not None:
                await titular.assign(s, p, now, row.id, titular_provider_id)
            return Registered(patient_record(row, prof, today, tz, titular_provider_id), linked=False)

        return await self.uc.write(p, "patient.create", "patient", None, body, Registered, idem)

    async def update(
        self,
        p: Principal,
        patient_id: int,
        d: Demographics,
        idem: Idempotency | None = None,
        *,
        titular_provider_id: int | None = None,
        clear_titular_provider: bool = False,
    ) -> cdto.PatientRecord:
        """Change details ("" clears one); the titular provider set or cleared (audited apart)."""
        assign = titular_provider_id is not None or clear_titular_provider

        async def body(s: AsyncSession, now: datetime) -> cdto.PatientRecord:
            if not d.given() and not assign:
                raise Invalid("give at least one field to change", field="patient_id")
            if titular_provider_id is not None and clear_titular_provider:
                raise Invalid(
                    "give titular_provider_id or clear_titular_provider, not both",
                    field="clear_titular_provider",
                )
            row = await chart_patient(s, p.practice_id, patient_id, writable=True)
            prof = await self._profile(s, p, row.id, now)
            tz = await practice_zone(s, p.practice_id)
            today = now.astimezone(tz).date()
            apply(row, prof, d, today, await contact.region(s, p.practice_id))
            if d.email is not None:
                await contact.set_email(s, row, d.email)
            prof.updated_at = now
            await s.flush()
            if d.given():
                detail = ",".join(d.given())
                await audit.record(s, p, now, "patient.update", "patient", row.id, detail=detail)
            if assign:
                await titular.assign(s, p, now, row.id, titular_provider_id)
            return patient_record(row, prof, today, tz, await titular.of(s, p.practice_id, row.id))

        return await self.uc.write(p, "patient.update", "patient", patient_id, body, cdto.PatientRecord, idem)

    async def set_status(
        self, p: Principal, patient_id: int, status: str, idem: Idempotency | None = None
    ) -> cdto.PatientRecord:
        """Activate or deactivate a record (merging is `merge`)."""

        async def body(s: AsyncSession, now: datetime) -> cdto.PatientRecord:
            if status not in (PatientStatus.ACTIVE.value, PatientStatus.INACTIVE.value):
                raise Invalid("status must be active or inactive", field="status")
            row = await chart_patient(s, p.practice_id, patient_id, writable=True)
            prof = await self._profile(s, p, row.id, now)
            prof.status = status
            prof.updated_at = now
            await s.flush()
            await audit.record(
                s, p, now, f"patient.{'activate' if status == 'active' else 'deactivate'}", "patient", row.id
            )
            tz = await practice_zone(s, p.practice_id)
            held = await titular.of(s, p.practice_id, row.id)
            return patient_record(row, prof, now.astimezone(tz).date(), tz, held)

        return await self.uc.write(p, "patient.status", "patient", patient_id, body, cdto.PatientRecord, idem)

    async def question(self, p: Principal, keep_id: int, duplicate_id: int) -> str:
        """What to ask before merging (reading both records is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            keep = await chart_patient(s, p.practice_id, keep_id)
            try:
                dup = await chart_patient(s, p.practice_id, duplicate_id)
            except NotFound as exc:
                raise NotFound(
                    exc.message.replace("patient_id", "duplicate_patient_id"), field="duplicate_patient_id"
                ) from None
            await audit.record(s, p, now, "patient.read", "patient", keep.id, detail="merge question")
            await audit.record(s, p, now, "patient.read", "patient", dup.id, detail="merge question")
            return (
                f"Merge {dup.first_name} {dup.last_name} (#{dup.id}) into {keep.first_name} {keep.last_name} "
                f"(#{keep.id})? The duplicate's appointments and chart move over and it becomes read-only."
            )

        return await self.uc.read(p, "patient.read", "patient", keep_id, body, scopes=(access.PATIENTS_READ,))

    async def merge(
        self,
        p: Principal,
        keep_id: int,
        duplicate_id: int,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> cdto.MergeResult:
        """Fold a duplicate into the record kept: its appointments and chart move over, details the kept
        record lacks are copied, and the duplicate is marked merged (kept, read-only, for the trail).
        It needs the person's consent."""

        async def body(s: AsyncSession, now: datetime) -> cdto.MergeResult:
            if keep_id == duplicate_id:
                raise Invalid(
                    "duplicate_patient_id must differ from patient_id", field="duplicate_patient_id"
                )
            keep = await chart_patient(s, p.practice_id, keep_id, writable=True)
            try:
                dup = await chart_patient(s, p.practice_id, duplicate_id, writable=True)
            except (Conflict, NotFound) as exc:
                raise type(exc)(
                    exc.message.replace("patient_id", "duplicate_patient_id"), field="duplicate_patient_id"
                ) from None
            if keep.date_of_birth and dup.date_of_birth and keep.date_of_birth != dup.date_of_birth:
                raise Conflict(
                    "the records have different dates of birth; correct one first if it is the same person",
                    field="duplicate_patient_id",
                )
            keep_prof = await self._profile(s, p, keep.id, now)
            dup_prof = await self._profile(s, p, dup.id, now)
            for name in ("phone", "date_of_birth"):
                if getattr(keep, name) is None and getattr(dup, name) is not None:
                    setattr(keep, name, getattr(dup, name))
            # The duplicate gives up its email (a merged record identifies nobody); the kept record
            # takes it when it has none.
            address, dup.email_key = dup.email, None
            await s.flush()
            if keep.email is None and address is not None:
                await contact.set_email(s, keep, address)
            for column in (*PROFILE_FIELDS, "search_preferred"):
                if getattr(keep_prof, column) is None and getattr(dup_prof, column) is not None:
                    setattr(keep_prof, column, getattr(dup_prof, column))
            moved = await records.move_patient(s, p.practice_id, dup.id, keep.id)
            dup_prof.status = PatientStatus.MERGED.value
            dup_prof.merged_into_id = keep.id
            dup_prof.updated_at = keep_prof.updated_at = now
            await s.flush()
            detail = f"merged patient {dup.id}; " + ",".join(f"{k}={v}" for k, v in moved.items() if v)
            await audit.record(s, p, now, "patient.merge", "patient", keep.id, detail=detail)
            await audit.record(s, p, now, "patient.merged_into", "patient", dup.id, detail=f"into {keep.id}")
            tz = await practice_zone(s, p.practice_id)
            held = await titular.of(s, p.practice_id, keep.id)
            kept = patient_record(keep, keep_prof, now.astimezone(tz).date(), tz, held)
            return cdto.MergeResult(kept=kept, merged_id=dup.id, moved={k: v for k, v in moved.items() if v})

        return await self.uc.write(
            p,
            "patient.merge",
            "patient",
            keep_id,
            body,
            cdto.MergeResult,
            idem,
            destroys="merging patients",
            consent=consent,
        )

    async def find(self, p: Principal, q: FindQuery) -> cdto.PatientPage:
        """findPatients: demographic criteria for anyone who may read patients; medical criteria (active
        diagnosis, medication, allergy) only with clinical access. The criteria are not written to the
        audit trail (they can be clinical), only that a search ran and how many it found."""

        async def body(s: AsyncSession, now: datetime) -> cdto.PatientPage:
            if q.medical:
                p.require(access.CLINICAL_READ)
            if q.provider_id is not None:
                await titular.provider(s, p.practice_id, q.provider_id, field="provider_id")
            tz = await practice_zone(s, p.practice_id)
            today = now.astimezone(tz).date()
            crit = criteria(q, today)
            rows = await profile_repo.find(
                s, p.practice_id, crit, limit=q.page_size + 1, offset=(q.page - 1) * q.page_size
            )
            found = [patient_record(r, prof, today, tz) for r, prof in rows[: q.page_size]]
            detail = f"{len(found)} results" + (" (medical criteria)" if q.medical else "")
            await audit.record(s, p, now, "patient.find", "patient", None, detail=detail)
            return cdto.PatientPage(found, q.page, q.page_size, len(rows) > q.page_size)

        return await self.uc.read(p, "patient.find", "patient", None, body)

    async def _profile(
        self, s: AsyncSession, p: Principal, patient_id: int, now: datetime
    ) -> c.PatientProfile:
        prof = await profile_repo.profile(s, p.practice_id, patient_id)
        if prof is None:
            prof = new_profile(p.practice_id, patient_id, p.actor, now)
            s.add(prof)
            await s.flush()
        return prof
