"""The clients use cases: list (search, provider filter, keyset pages), details with recent sessions,
create (a person already known by email is linked, not duplicated), update (not the email), and the
titular provider. Every write needs patients:write (front desk and up) and is audited."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.clinical.status import PatientStatus
from frontdesk.domain.errors import Invalid
from frontdesk.domain.settings import missing_client_data
from frontdesk.domain.text import fold
from frontdesk.services import audit, mapping
from frontdesk.services.admin import settings
from frontdesk.services.clients import contact, naming, titular
from frontdesk.services.clients.dto import Changes, Client, ClientDetail, ClientPage, Created, Draft
from frontdesk.services.clinical.base import patient as chart_patient
from frontdesk.services.clinical.base import practice_zone
from frontdesk.services.context import Principal
from frontdesk.services.patients import create_patient
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import clients as repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import chart
from frontdesk.storage.repositories.clinical import patients as profile_repo

LIST_MAX = 100
SEARCH_MAX = 120
RECENT_SESSIONS = 10


def encode_cursor(row: m.Patient) -> str:
    return base64.urlsafe_b64encode(json.dumps([row.search_name, row.id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        name, last = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(name, str) and isinstance(last, int):
            return name, last
    except (ValueError, TypeError, binascii.Error):
        pass
    raise Invalid(
        "cursor is not one a previous page returned (nextCursor); leave it out to start", field="cursor"
    )


def listing(search: str | None, provider_id: int | None, cursor: str | None) -> repo.Listing:
    text = (search or "").strip()
    if len(text) > SEARCH_MAX:
        raise Invalid(f"search must be at most {SEARCH_MAX} characters", field="search")
    numbers = "".join(ch for ch in text if ch.isdigit())
    return repo.Listing(
        words=tuple(fold(text).split()),
        text=text.lower() or None,
        phone_digits=numbers if len(numbers) >= 4 else None,
        provider_id=provider_id,
        after=decode_cursor(cursor) if cursor else None,
    )


def last_name(value: str | None) -> str:
    """A last name may be left empty (MedApp and Odonto.me book with a single name)."""
    text = (value or "").strip()
    if len(text) > validation.NAME_MAX:
        raise Invalid(f"last_name must be at most {validation.NAME_MAX} characters", field="last_name")
    return text


async def client_of(s: AsyncSession, row: m.Patient) -> Client:
    tz = await practice_zone(s, row.practice_id)
    prof = await profile_repo.profile(s, row.practice_id, row.id)
    held = await titular.of(s, row.practice_id, row.id)
    return to_client(row, prof.status if prof is not None else None, held, tz)


def to_client(row: m.Patient, status: str | None, titular: int | None, tz: ZoneInfo) -> Client:
    return Client(
        id=row.id,
        uid=row.uid,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        date_of_birth=row.date_of_birth,
        status=status or PatientStatus.ACTIVE.value,
        titular_provider_id=titular,
        created_at=row.created_at.astimezone(tz),
    )


async def link_or_create(s: AsyncSession, p: Principal, now: datetime, d: Draft) -> Created:
    """The client this email already identifies (linked: nothing changes), or a new one."""
    v = await settings.values(s, p.practice_id)
    first = validation.required_text(d.first_name, field="first_name")
    last = last_name(d.last_name)
    email = contact.email(d.email)
    phone = contact.phone(d.phone, str(v["basics.defaultRegion"]))
    lacking = missing_client_data(v, last_name=last, email=email, phone=phone)
    if lacking is not None:
        field = {"lastName": "last_name"}.get(lacking, lacking)
        raise Invalid(
            f"{field} is required for a new client in this practice (settings client_data)", field=field
        )
    if d.titular_provider_id is not None:
        await titular.provider(s, p.practice_id, d.titular_provider_id, field="titular_provider_id")
    if email is not None:
        found = await patient_repo.by_email(s, p.practice_id, email)
        if found is not None:
            await audit.record(s, p, now, "patient.link", "patient", found.id, detail="same email")
            return Created(await client_of(s, found), linked=True)
    row = await create_patient(s, p, now, first_name=first, last_name=last, phone=phone, email=email)
    if d.titular_provider_id is not None:
        await titular.assign(s, p, now, row.id, d.titular_provider_id)
    return Created(await client_of(s, row), linked=False)


class ClientRecordService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=(access.PATIENTS_READ,), write=access.PATIENTS_WRITE)

    async def list(
        self,
        p: Principal,
        *,
        search: str | None = None,
        provider_id: int | None = None,
        cursor: str | None = None,
        limit: int = 25,
        tenant_id: int | None = None,
    ) -> ClientPage:
        """A page of clients (`tenant_id`: MedCor's, see naming.tenant)."""
        if not 1 <= limit <= LIST_MAX:
            raise Invalid(f"limit must be between 1 and {LIST_MAX}", field="limit")
        k = listing(search, provider_id, cursor)

        async def body(s: AsyncSession, now: datetime) -> ClientPage:
            naming.tenant(p, tenant_id)
            if provider_id is not None:
                await titular.provider(s, p.practice_id, provider_id, field="provider_id")
            rows = await repo.listing(s, p.practice_id, k, limit + 1)
            page = rows[:limit]
            ids = [r.id for r in page]
            profs = await profile_repo.profiles(s, p.practice_id, ids)
            titulars = await repo.titulars(s, p.practice_id, ids)
            tz = await practice_zone(s, p.practice_id)
            clients = [
                to_client(r, profs[r.id].status if r.id in profs else None, titulars.get(r.id), tz)
                for r in page
            ]
            await audit.record(s, p, now, "patient.search", "patient", None, detail=f"{len(page)} results")
            more = len(rows) > limit
            return ClientPage(clients, encode_cursor(page[-1]) if more and page else None)

        return await self.uc.read(p, "patient.search", "patient", None, body)

    async def get(self, p: Principal, client_id: int, *, sessions: int = RECENT_SESSIONS) -> ClientDetail:
        """The client and their most recent sessions (newest first, expired holds left out)."""

        async def body(s: AsyncSession, now: datetime) -> ClientDetail:
            row = await chart_patient(s, p.practice_id, client_id)
            rows = await chart.patient_appointments(s, p.practice_id, row.id, limit=sessions)
            await audit.record(s, p, now, "patient.read", "patient", row.id, detail="client details")
            return ClientDetail(await client_of(s, row), [mapping.appointment(r) for r in rows])

        return await self.uc.read(p, "patient.read", "patient", client_id, body)

    async def create(self, p: Principal, d: Draft, *, tenant_id: int | None = None) -> Created:
        async def body(s: AsyncSession, now: datetime) -> Created:
            naming.tenant(p, tenant_id)
            return await link_or_create(s, p, now, d)

        return await self.uc.write(p, "patient.create", "patient", None, body, Created)

    async def update(self, p: Principal, client_id: int, c: Changes) -> Client:
        async def body(s: AsyncSession, now: datetime) -> Client:
            if not c.given():
                raise Invalid("give at least one field to change", field="client_id")
            if c.titular_provider_id is not None and c.clear_titular_provider:
                raise Invalid(
                    "give titular_provider_id or clear_titular_provider, not both",
                    field="titular_provider_id",
                )
            row = await chart_patient(s, p.practice_id, client_id, writable=True)
            current = row.email.lower() if row.email else None
            if c.email is not None and contact.email(c.email) != current:
                raise Invalid(
                    "email cannot be changed through MCP (it identifies the person); leave email out",
                    field="email",
                )
            changed = []
            if c.first_name is not None:
                row.first_name = validation.required_text(c.first_name, field="first_name")
                changed.append("first_name")
            if c.last_name is not None:
                row.last_name = last_name(c.last_name)
                changed.append("last_name")
            row.search_name = fold(f"{row.first_name} {row.last_name}")
            if c.phone is not None:
                row.phone = contact.phone(c.phone, await contact.region(s, p.practice_id))
                changed.append("phone")
            await s.flush()
            if changed:
                await audit.record(s, p, now, "patient.update", "patient", row.id, detail=",".join(changed))
            if c.titular_provider_id is not None or c.clear_titular_provider:
                await titular.assign(s, p, now, row.id, c.titular_provider_id)
            return await client_of(s, row)

        return await self.uc.write(p, "patient.update", "patient", client_id, body, Client)
