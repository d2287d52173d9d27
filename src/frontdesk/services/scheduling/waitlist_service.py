"""The waitlist's use cases: join, list, leave, accept an offer, and the worker's sweep of lapsed
offers. Lapsed offers are also closed lazily whenever the waitlist is touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import Conflict, NotFound
from frontdesk.domain.scheduling import waitlist as rules
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services import audit, mapping
from frontdesk.services.context import Principal
from frontdesk.services.directory import resolve_datebook, resolve_provider
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.scheduling import lifecycle, shapes
from frontdesk.services.scheduling import waitlist as engine
from frontdesk.services.scheduling.series_shapes import (
    OfferOut,
    WaitlistAcceptOut,
    WaitlistEntryOut,
    WaitlistOut,
)
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories import waitlist as repo

S = AppointmentStatus
ACTIVE = (engine.WAITING, engine.OFFERED)
STATUSES = (engine.WAITING, engine.OFFERED, engine.BOOKED, engine.LEFT)


@dataclass(frozen=True, slots=True)
class JoinRequest:
    patient_id: int
    service_id: int
    provider_id: int | None = None
    datebook_id: int | None = None
    from_date: date | None = None
    to_date: date | None = None
    time_of_day: str | None = None
    from_time: str | None = None
    to_time: str | None = None
    priority: int = 0
    notes: str | None = None
    idempotency: Idempotency | None = None


class WaitlistService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=(access.APPOINTMENTS_READ,), write=access.APPOINTMENTS_WRITE)

    async def join(self, p: Principal, req: JoinRequest) -> WaitlistEntryOut:
        rules.check_dates(req.from_date, req.to_date)
        rules.check_priority(req.priority)
        from_time, to_time = rules.time_window(req.time_of_day, req.from_time, req.to_time)

        async def body(s: AsyncSession, now: datetime) -> WaitlistEntryOut:
            notes = validation.notes(req.notes)
            if await patient_repo.get(s, p.practice_id, req.patient_id) is None:
                raise NotFound(f"no client with id {req.patient_id}; call find_patients", field="patient_id")
            service = await dir_repo.service(s, p.practice_id, req.service_id)
            if service is None or not service.active:
                raise NotFound(
                    f"no active service with id {req.service_id}; call list_services", field="service_id"
                )
            if req.provider_id is not None:
                await resolve_provider(s, p.practice_id, provider_id=req.provider_id)
            if req.datebook_id is not None:
                await resolve_datebook(s, p.practice_id, req.datebook_id, None)
            await engine.expire_lapsed(s, p, now)
            same = await repo.entries(
                s, p.practice_id, statuses=ACTIVE, patient_id=req.patient_id, service_id=req.service_id
            )
            if same:
                raise Conflict(
                    f"this client is already on the waitlist for this service (entry {same[0].id})",
                    field="service_id",
                    details={"entry_id": same[0].id},
                )
            row = m.WaitlistEntry(
                practice_id=p.practice_id,
                patient_id=req.patient_id,
                service_id=req.service_id,
                provider_id=req.provider_id,
                datebook_id=req.datebook_id,
                from_date=req.from_date,
                to_date=req.to_date,
                from_time=from_time,
                to_time=to_time,
                priority=req.priority,
                status=engine.WAITING,
                notes=notes,
                created_by=p.actor[:120],
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            await s.flush()
            await audit.record(
                s, p, now, "waitlist.join", "waitlist_entry", row.id, detail=f"priority {req.priority}"
            )
            return await _entry_out(s, p.practice_id, row, None)

        return await self.uc.write(
            p, "waitlist.join", "waitlist_entry", None, body, WaitlistEntryOut, req.idempotency
        )

    async def list(
        self,
        p: Principal,
        *,
        patient_id: int | None = None,
        service_id: int | None = None,
        status: str | None = None,
    ) -> WaitlistOut:
        """Entries in serving order (waiting and offered ones unless `status` says otherwise). Lapsed
        offers are closed first (and their slots passed on), so this is a write under a read scope."""
        statuses = (status,) if status else ACTIVE

        async def body(s: AsyncSession, now: datetime) -> WaitlistOut:
            await engine.expire_lapsed(s, p, now)
            rows = await repo.entries(
                s, p.practice_id, statuses=statuses, patient_id=patient_id, service_id=service_id
            )
            offers = await repo.open_offers_of(s, p.practice_id, [r.id for r in rows])
            out = [await _entry_out(s, p.practice_id, r, offers.get(r.id)) for r in rows]
            await audit.record(s, p, now, "waitlist.list", "waitlist", None, detail=f"{len(out)} entries")
            return WaitlistOut(entries=out, count=len(out))

        return await self.uc.write(
            p, "waitlist.list", "waitlist", None, body, WaitlistOut, scope=access.APPOINTMENTS_READ
        )

    async def leave(
        self, p: Principal, entry_id: int, idempotency: Idempotency | None = None
    ) -> WaitlistEntryOut:
        """The client leaves the waitlist; a slot held for them goes to the next matching entry."""

        async def body(s: AsyncSession, now: datetime) -> WaitlistEntryOut:
            row = await _entry(s, p.practice_id, entry_id)
            if row.status not in ACTIVE:
                raise Conflict(f"this entry is {row.status}, not on the waitlist any more", field="entry_id")
            offer = await repo.open_offer(s, p.practice_id, row.id)
            row.status, row.updated_at = engine.LEFT, now
            if offer is not None:
                await appt_repo.lock_providers(s, p.practice_id, [offer.provider_id])
                appt = await engine.close_offer(s, p, offer, engine.WITHDRAWN, now, reason="waitlist_left")
                if appt is not None:
                    await engine.slot_freed(
                        s, p, offer.provider_id, appt.datebook_id, offer.starts_at, offer.ends_at, now
                    )
            await audit.record(s, p, now, "waitlist.leave", "waitlist_entry", row.id)
            return await _entry_out(s, p.practice_id, row, None)

        return await self.uc.write(
            p, "waitlist.leave", "waitlist_entry", entry_id, body, WaitlistEntryOut, idempotency
        )

    async def accept(
        self, p: Principal, entry_id: int, idempotency: Idempotency | None = None
    ) -> WaitlistAcceptOut:
        """The client takes the slot offered to them: the hold becomes a booked appointment."""

        async def lapse(s: AsyncSession, now: datetime) -> int:
            return await engine.expire_lapsed(s, p, now)

        async def body(s: AsyncSession, now: datetime) -> WaitlistAcceptOut:
            row = await _entry(s, p.practice_id, entry_id)
            offer = await repo.open_offer(s, p.practice_id, row.id)
            if offer is None or offer.expires_at <= now:
                raise Conflict(
                    "no slot is held for this entry (the offer expired or none was made); "
                    "it is still waiting",
                    field="entry_id",
                )
            await appt_repo.lock_providers(s, p.practice_id, [offer.provider_id])
            appt = await appt_repo.get(s, p.practice_id, offer.appointment_id, lock=True)
            assert appt is not None and appt.status == S.HELD.value  # an open offer keeps its hold
            # Booking the hold takes the offer and books the entry (lifecycle.move, whatever the path).
            await lifecycle.move(s, p, now, appt, S.SCHEDULED, reason="waitlist offer accepted")
            await s.flush()
            await audit.record(
                s, p, now, "waitlist.accept", "waitlist_entry", row.id, detail=f"offer {offer.id}"
            )
            await audit.record(s, p, now, "appointment.confirm", "appointment", appt.id, detail="waitlist")
            named = await appt_repo.named(s, p.practice_id, appt.id)
            assert named is not None
            info = shapes.appointment(mapping.appointment(named))
            return WaitlistAcceptOut(entry=await _entry_out(s, p.practice_id, row, offer), appointment=info)

        # Lapsed offers are closed (and their slots passed on) in a transaction of their own first, so
        # that a refusal below does not roll that back.
        await self.uc.write(p, "waitlist.expire", "waitlist", None, lapse, int)
        return await self.uc.write(
            p, "waitlist.accept", "waitlist_entry", entry_id, body, WaitlistAcceptOut, idempotency
        )

    async def expire_offers(self, now: datetime | None = None) -> int:
        """The worker's sweep: close every practice's lapsed offers and pass their slots on, one
        transaction per practice. Returns how many lapsed."""
        at = now or self.uc.clock()

        async def practices(s: AsyncSession, _: datetime) -> list[int]:
            return sorted({o.practice_id for o in await repo.lapsed(s, None, at)})

        total = 0
        for practice_id in await self.uc.run(practices):

            async def sweep(s: AsyncSession, _: datetime, practice_id: int = practice_id) -> int:
                return await engine.expire_lapsed(s, Principal(practice_id, engine.SYSTEM), at)

            total += await self.uc.run(sweep)
        return total


async def _entry(s: AsyncSession, practice_id: int, entry_id: int) -> m.WaitlistEntry:
    row = await repo.entry(s, practice_id, entry_id, lock=True)
    if row is None:
        raise NotFound(f"no waitlist entry with id {entry_id}; list the waitlist", field="entry_id")
    return row


async def _entry_out(
    s: AsyncSession, practice_id: int, row: m.WaitlistEntry, offer: m.WaitlistOffer | None
) -> WaitlistEntryOut:
    tz = None
    offer_out = None
    if offer is not None:
        appt = await appt_repo.get(s, practice_id, offer.appointment_id)
        book = await dir_repo.datebook(s, practice_id, appt.datebook_id) if appt is not None else None
        tz = ZoneInfo(book.timezone) if book is not None else ZoneInfo("UTC")
        offer_out = OfferOut(
            id=offer.id,
            appointment_id=offer.appointment_id,
            start=to_local_iso(offer.starts_at, tz),
            end=to_local_iso(offer.ends_at, tz),
            status=offer.status,
            expires_at=to_local_iso(offer.expires_at, tz),
        )
    return WaitlistEntryOut(
        id=row.id,
        patient_id=row.patient_id,
        service_id=row.service_id,
        doctor_id=row.provider_id,
        datebook_id=row.datebook_id,
        from_date=row.from_date.isoformat() if row.from_date else None,
        to_date=row.to_date.isoformat() if row.to_date else None,
        from_time=row.from_time,
        to_time=row.to_time,
        priority=row.priority,
        status=row.status,
        joined_at=row.created_at.isoformat(timespec="seconds"),
        offer=offer_out,
    )
