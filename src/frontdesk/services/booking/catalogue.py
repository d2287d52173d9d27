"""What the public may see of a practice: its public agenda (the one named, else the default),
the services bookable through it (active, discoverable, with an assigned provider, linked to the
agenda where it links any), whether providers are shown, and a booking's public-safe view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.text import fold
from frontdesk.domain.validation import split_name
from frontdesk.services.booking.views import Identity, PublicBookingView
from frontdesk.services.clients import contact
from frontdesk.services.context import Principal
from frontdesk.services.patients import create_patient
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories import setup as setup_repo

NAME_MAX = 200


async def agenda(s: AsyncSession, practice_id: int, slug: str | None) -> m.Agenda | None:
    """The agenda a public request goes through. None: the practice has no agenda at all, so its
    discoverable services are offered under its own policies."""
    if slug:
        row = await repo.by_slug(s, practice_id, slug.strip().lower())
        if row is None or not row.is_active or not row.is_public:
            raise NotFound("no public agenda with this slug at this practice", field="agendaSlug")
        return row
    row = await repo.default(s, practice_id)
    if row is None:
        if await repo.all_of(s, practice_id):
            raise NotFound("this practice takes no public bookings", field="orgSlug")
        return None
    if not row.is_active or not row.is_public:
        raise NotFound("this practice takes no public bookings", field="orgSlug")
    return row


async def services(s: AsyncSession, practice_id: int, ag: m.Agenda | None) -> list[m.Service]:
    linked = set(await repo.service_ids(s, practice_id, ag.id)) if ag is not None else set()
    # Who delivers each service, in one query (a query per service was a fifth of a slot search).
    delivering: dict[int, list[int]] = {}
    for a in await setup_repo.assignments(s, practice_id):
        delivering.setdefault(a.service_id, []).append(a.provider_id)
    out = []
    for row in await dir_repo.services(s, practice_id):
        if not row.discoverable or (linked and row.id not in linked):
            continue
        providers = delivering.get(row.id, [])
        if not providers or (ag is not None and ag.provider_id and ag.provider_id not in providers):
            continue
        out.append(row)
    return out


async def service(s: AsyncSession, practice_id: int, ag: m.Agenda | None, service_id: int) -> m.Service:
    for row in await services(s, practice_id, ag):
        if row.id == service_id:
            return row
    raise NotFound(
        f"no publicly bookable service with id {service_id}; call public_service_list", field="serviceId"
    )


def hides_providers(ag: m.Agenda | None) -> bool:
    """Without an agenda, or where it assigns providers itself, who delivers is not shown."""
    return ag is None or ag.provider_mode in ("auto", "hidden") or not ag.show_provider_list


async def provider_for(
    s: AsyncSession, practice_id: int, ag: m.Agenda | None, svc: m.Service, provider_id: int | None
) -> int | None:
    """The provider a request books with: the agenda's own, the one asked for where the agenda lets
    the person choose, else None (assigned by the strategy)."""
    if provider_id is not None and hides_providers(ag):
        raise Invalid("this agenda assigns the provider itself; leave providerId out", field="providerId")
    if ag is not None and ag.provider_id:
        if provider_id not in (None, ag.provider_id):
            raise NotFound("no provider with this id takes bookings through this agenda", field="providerId")
        return ag.provider_id
    if provider_id is not None:
        if provider_id not in await setup_repo.providers_of(s, practice_id, svc.id):
            raise NotFound("no provider with this id delivers this service here", field="providerId")
        return provider_id
    if ag is not None and (ag.provider_mode == "required" or ag.assignment_strategy == "manual"):
        raise Invalid("this agenda needs the provider chosen: give providerId", field="providerId")
    return None


async def delivered_by(
    s: AsyncSession, practice_id: int, ag: m.Agenda | None, provider_id: int, service_ids: list[int]
) -> list[int]:
    """Those of `service_ids` the provider asked for delivers, where the agenda lets the person
    choose the provider (as a booking with providerId would be refused otherwise)."""
    if hides_providers(ag):
        raise Invalid("this agenda assigns the provider itself; leave providerId out", field="providerId")
    if ag is not None and ag.provider_id and provider_id != ag.provider_id:
        raise NotFound("no provider with this id takes bookings through this agenda", field="providerId")
    row = await dir_repo.provider(s, practice_id, provider_id)
    theirs = set(await setup_repo.services_of(s, practice_id, provider_id)) if row and row.active else set()
    ids = [x for x in service_ids if x in theirs]
    if not ids:
        raise NotFound("no provider with this id delivers this service here", field="providerId")
    return ids


async def identity(s: AsyncSession, practice_id: int, who: Identity) -> Identity:
    """The requester as stored: a full name, and an email and/or a phone (E.164)."""
    name = " ".join((who.full_name or "").split())
    if not name:
        raise Invalid("requester.fullName is required", field="requester.fullName")
    if len(name) > NAME_MAX:
        raise Invalid(f"requester.fullName must be at most {NAME_MAX} characters", field="requester.fullName")
    email = contact.email(who.email, field="requester.email")
    phone = contact.phone(who.phone, await contact.region(s, practice_id), field="requester.phone")
    if not email and not phone:
        raise Invalid("give requester.email or requester.phone (or both)", field="requester.email")
    return Identity(name, email, phone)


async def patient(s: AsyncSession, p: Principal, now: datetime, who: Identity) -> m.Patient:
    """The practice's record of the requester: found by email, else by name and phone, else new."""
    if who.email:
        found = await patient_repo.by_email(s, p.practice_id, who.email)
        if found is not None:
            return found
    first, last = split_name(who.full_name, field="requester.fullName")
    if who.phone:
        found = await patient_repo.find_by_name_and_phone(
            s, p.practice_id, fold(f"{first} {last}"), who.phone
        )
        if found is not None:
            return found
    return await create_patient(s, p, now, first_name=first, last_name=last, phone=who.phone, email=who.email)


async def view(
    s: AsyncSession, row: m.Appointment, pub: m.PublicBooking, ag: m.Agenda | None
) -> PublicBookingView:
    await s.flush()
    named = await appt_repo.named(s, row.practice_id, row.id)
    assert named is not None  # the token's composite key names this very booking
    pending = row.status == AppointmentStatus.PENDING_CONFIRMATION.value
    return PublicBookingView(
        status=row.status,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=named.timezone,
        service_name=named.service_name,
        location_name=named.datebook_name,
        provider_name=None if hides_providers(ag) else named.provider_name,
        full_name=pub.full_name,
        channel=pub.channel,
        agent_assisted=pub.agent_assisted,
        confirm_by=row.hold_expires_at if pending else None,
        penalty_cents=row.penalty_cents,
        penalty_currency=row.penalty_currency,
    )
