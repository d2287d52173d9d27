"""Agendas: a practice's shareable booking configurations (Coordinalo's public agendas). Each has a
slug unique in its practice, a linked provider and/or services (assigning a provider links the
services they deliver), a booking flow, selection modes, an assignment strategy, booking and
cancellation policies, privacy flags and a prepayment flag (recorded). One is the default: the first
created, or the one last made default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.booking import agendas as rules
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.services import audit
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.scheduling import lifecycle
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as setup_repo

# Columns a caller may set (create or partial update), with their defaults for a new agenda.
DEFAULTS: Mapping[str, Any] = {
    "title": None,
    "description": None,
    "is_public": True,
    "is_active": True,
    "is_default": False,
    "provider_id": None,
    "booking_flow": "service_first",
    "service_mode": "required",
    "provider_mode": "optional",
    "assignment_strategy": None,
    "min_advance_minutes": 60,
    "max_advance_days": 60,
    "same_day": True,
    "on_demand": False,
    "cancellation_type": None,
    "cancellation_deadline_hours": None,
    "penalty_kind": None,
    "penalty_value": None,
    "show_sessions": False,
    "show_client_names": False,
    "show_provider_utilization": False,
    "show_provider_list": True,
    "prepayment": False,
}


@dataclass(frozen=True, slots=True)
class AgendaInfo:
    id: int
    slug: str
    values: dict[str, Any]
    service_ids: list[int]
    published: bool
    session_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Deleted:
    id: int
    slug: str
    cancelled_session_ids: list[int] = field(default_factory=list)
    unlinked_services: int = 0


def _info(row: m.Agenda, service_ids: list[int], sessions: int) -> AgendaInfo:
    return AgendaInfo(
        id=row.id,
        slug=row.slug,
        values={k: getattr(row, k) for k in DEFAULTS},
        service_ids=service_ids,
        published=row.published,
        session_count=sessions,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class AgendaService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=(access.APPOINTMENTS_READ,), write=access.ADMIN)

    async def all(self, p: Principal) -> list[AgendaInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[AgendaInfo]:
            counts = await repo.session_counts(s, p.practice_id)
            out = [
                _info(r, await repo.service_ids(s, p.practice_id, r.id), counts.get(r.id, 0))
                for r in await repo.all_of(s, p.practice_id)
            ]
            await audit.record(s, p, now, "agenda.list", "agenda", None, detail=str(len(out)))
            return out

        return await self.uc.read(p, "agenda.list", "agenda", None, body)

    async def get(self, p: Principal, agenda_id: int) -> AgendaInfo:
        async def body(s: AsyncSession, now: datetime) -> AgendaInfo:
            row = await self._row(s, p.practice_id, agenda_id)
            await audit.record(s, p, now, "agenda.read", "agenda", row.id)
            return await self._read(s, row)

        return await self.uc.read(p, "agenda.read", "agenda", agenda_id, body)

    async def create(
        self, p: Principal, slug: str, changes: Mapping[str, Any], service_ids: list[int] | None
    ) -> AgendaInfo:
        async def body(s: AsyncSession, now: datetime) -> AgendaInfo:
            values = {**DEFAULTS, **changes}
            if not values.get("title"):
                raise Invalid("title is required", field="title")
            clean = rules.slug(slug)
            if await repo.by_slug(s, p.practice_id, clean) is not None:
                raise Conflict(f"an agenda with slug {clean!r} exists already", field="slug")
            first = not await repo.all_of(s, p.practice_id)
            row = m.Agenda(practice_id=p.practice_id, slug=clean, created_at=now, updated_at=now)
            await self._apply(s, row, values, service_ids, first=True)
            row.is_default = bool(values["is_default"]) or first  # the first agenda is the default
            s.add(row)
            await self._save(s)
            await self._links(s, row, values, service_ids)
            if row.is_default:
                await repo.clear_default(s, p.practice_id, row.id)
            await audit.record(s, p, now, "agenda.create", "agenda", row.id, detail=clean)
            return await self._read(s, row)

        return await self.uc.write(p, "agenda.create", "agenda", None, body, AgendaInfo)

    async def update(
        self,
        p: Principal,
        agenda_id: int,
        changes: Mapping[str, Any],
        service_ids: list[int] | None,
        slug: str | None = None,
    ) -> AgendaInfo:
        """Only the given fields change. Assigning a provider links the services they deliver."""

        async def body(s: AsyncSession, now: datetime) -> AgendaInfo:
            row = await self._row(s, p.practice_id, agenda_id, lock=True)
            if slug is not None:
                clean = rules.slug(slug)
                other = await repo.by_slug(s, p.practice_id, clean)
                if other is not None and other.id != row.id:
                    raise Conflict(f"an agenda with slug {clean!r} exists already", field="slug")
                row.slug = clean
            if changes.get("is_default") is False and row.is_default:
                raise Invalid("make another agenda the default instead", field="isDefault")
            await self._apply(s, row, changes, service_ids, first=False)
            row.updated_at = now
            await self._save(s)
            await self._links(s, row, changes, service_ids)
            if row.is_default:
                await repo.clear_default(s, p.practice_id, row.id)
            fields = ",".join(sorted(changes)) + (",services" if service_ids is not None else "")
            await audit.record(s, p, now, "agenda.update", "agenda", row.id, detail=fields or None)
            return await self._read(s, row)

        return await self.uc.write(p, "agenda.update", "agenda", agenda_id, body, AgendaInfo)

    async def delete(self, p: Principal, agenda_id: int, consent: Consent = Consent.MISSING) -> Deleted:
        """Permanently. Cascades: the sessions booked through it and still active are cancelled
        (each a recorded transition), its service links are removed, its bookings keep their history
        without the agenda. Another agenda becomes the default if this one was."""

        async def body(s: AsyncSession, now: datetime) -> Deleted:
            row = await self._row(s, p.practice_id, agenda_id, lock=True)
            cancelled = []
            for appt in await repo.active_sessions(s, p.practice_id, row.id):
                if AppointmentStatus(appt.status) in (AppointmentStatus.IN_PROGRESS,):
                    continue  # a session under way is not cancelled by a configuration change
                await lifecycle.move(s, p, now, appt, AppointmentStatus.CANCELLED, reason="agenda deleted")
                await repo.retire_tokens(s, p.practice_id, appt.id, now, purpose="confirm")
                cancelled.append(appt.id)
            unlinked = await repo.unlink_services(s, p.practice_id, row.id)
            await repo.detach_bookings(s, p.practice_id, row.id)
            was_default, slug = row.is_default, row.slug
            await repo.remove(s, row)
            if was_default:
                rest = await repo.all_of(s, p.practice_id)
                if rest:
                    rest[0].is_default = True
            detail = f"slug={slug} cancelled={len(cancelled)} services={unlinked}"
            await audit.record(s, p, now, "agenda.delete", "agenda", agenda_id, detail=detail)
            return Deleted(agenda_id, slug, cancelled, unlinked)

        return await self.uc.write(
            p,
            "agenda.delete",
            "agenda",
            agenda_id,
            body,
            Deleted,
            destroys="deleting an agenda (its active sessions are cancelled)",
            consent=consent,
        )

    async def toggle_discoverable(
        self, p: Principal, discoverable: bool, agenda_id: int | None = None
    ) -> AgendaInfo:
        """Flips the flags only (isPublic and published) of the agenda, the default by default:
        there is no registry to publish to."""

        async def body(s: AsyncSession, now: datetime) -> AgendaInfo:
            if agenda_id is not None:
                row = await self._row(s, p.practice_id, agenda_id, lock=True)
            else:
                found = await repo.default(s, p.practice_id)
                if found is None:
                    raise NotFound("this practice has no agenda yet; call agendas_create", field="agendaId")
                row = found
            row.is_public = row.published = discoverable
            row.updated_at = now
            await audit.record(s, p, now, "agenda.discoverable", "agenda", row.id, detail=str(discoverable))
            return await self._read(s, row)

        return await self.uc.write(p, "agenda.discoverable", "agenda", agenda_id, body, AgendaInfo)

    # --- helpers -------------------------------------------------------------------------------

    async def _row(
        self, s: AsyncSession, practice_id: int, agenda_id: int, *, lock: bool = False
    ) -> m.Agenda:
        row = await repo.get(s, practice_id, agenda_id, lock=lock)
        if row is None:
            raise NotFound(f"no agenda with id {agenda_id}; call agendas_list", field="agendaId")
        return row

    async def _read(self, s: AsyncSession, row: m.Agenda) -> AgendaInfo:
        await s.flush()
        counts = await repo.session_counts(s, row.practice_id)
        return _info(row, await repo.service_ids(s, row.practice_id, row.id), counts.get(row.id, 0))

    async def _apply(
        self,
        s: AsyncSession,
        row: m.Agenda,
        values: Mapping[str, Any],
        service_ids: list[int] | None,
        *,
        first: bool,
    ) -> None:
        if values.get("provider_id") is not None:
            prov = await dir_repo.provider(s, row.practice_id, int(values["provider_id"]))
            if prov is None:
                raise NotFound(f"no provider with id {values['provider_id']}", field="providerId")
        for sid in service_ids or []:
            if await dir_repo.service(s, row.practice_id, sid) is None:
                raise NotFound(f"no service with id {sid}", field="serviceIds")
        kind = values.get("penalty_kind", row.penalty_kind if not first else None)
        value = values.get("penalty_value")
        if kind == "percent" and value is not None and value > 100:
            raise Invalid("a percent penalty is 0 to 100", field="cancellationPenaltyValue")
        for key, val in values.items():
            if key in DEFAULTS and key != "is_default" and (val is not None or key in _NULLABLE):
                setattr(row, key, val)
        if values.get("is_default"):
            row.is_default = True

    async def _links(
        self, s: AsyncSession, row: m.Agenda, values: Mapping[str, Any], service_ids: list[int] | None
    ) -> None:
        ids = list(service_ids) if service_ids is not None else None
        if values.get("provider_id") is not None:  # assigning a provider links their services
            theirs = await setup_repo.services_of(s, row.practice_id, int(values["provider_id"]))
            ids = sorted(
                set(ids if ids is not None else await repo.service_ids(s, row.practice_id, row.id))
                | set(theirs)
            )
        if ids is not None:
            await repo.set_services(s, row.practice_id, row.id, ids)

    @staticmethod
    async def _save(s: AsyncSession) -> None:
        # A concurrent agenda with the same slug fails here (uq_agendas_slug): the database layer
        # turns that into a Conflict.
        await s.flush()


# Fields a partial update may set back to null (the practice's own policy applies again).
_NULLABLE = frozenset(
    {
        "description",
        "provider_id",
        "assignment_strategy",
        "cancellation_type",
        "cancellation_deadline_hours",
        "penalty_kind",
        "penalty_value",
    }
)
