"""Datebooks, providers and services: listing, searching and resolving references from callers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Ambiguous, Invalid, NotFound
from frontdesk.domain.text import fold
from frontdesk.services import dto, mapping
from frontdesk.services.context import Principal
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import directory as repo


async def resolve_datebook(
    s: AsyncSession, practice_id: int, datebook_id: int | None, datebook_name: str | None
) -> m.Datebook:
    if datebook_id is not None:
        row = await repo.datebook(s, practice_id, datebook_id)
        if row is None or not row.active:
            raise NotFound(f"no datebook with id {datebook_id}; call list_datebooks", field="datebook_id")
        return row
    if datebook_name is not None and datebook_name.strip():
        rows = [r for r in await repo.datebook_by_name(s, practice_id, datebook_name) if r.active]
        if not rows:
            raise NotFound(
                f"no datebook named {datebook_name.strip()!r}; call list_datebooks", field="datebook_name"
            )
        return rows[0]
    raise Invalid("give datebook_id or datebook_name (call list_datebooks to see them)", field="datebook_id")


async def resolve_provider(
    s: AsyncSession,
    practice_id: int,
    *,
    provider_id: int | None = None,
    uid: str | None = None,
    name: str | None = None,
    specialty: str | None = None,
    field: str = "doctor_id",
) -> m.Provider:
    """Find one active provider by id, uid, or name (+ specialty). Several name matches raise
    Ambiguous carrying the candidates, so the assistant can ask which one was meant."""
    if provider_id is not None:
        row = await repo.provider(s, practice_id, provider_id)
        if row is None or not row.active:
            raise NotFound(f"no active doctor with id {provider_id}; call list_doctors", field=field)
        return row
    if uid is not None and uid.strip():
        row = await repo.provider_by_uid(s, practice_id, uid.strip())
        if row is None or not row.active:
            raise NotFound("no active doctor with that id; call search_doctors", field=field)
        return row
    if name is not None and name.strip():
        matches = match_providers(await repo.providers(s, practice_id), name=name, specialty=specialty)
        if not matches:
            raise NotFound(f"no active doctor matches {name.strip()!r}", field="doctorName")
        if len(matches) > 1:
            raise Ambiguous(
                f"{len(matches)} doctors match {name.strip()!r}; ask which one, or pass the specialty",
                field="doctorName",
                details={
                    "matches": [
                        {"id": r.uid, "name": r.name, "specialty": r.specialty, "city": r.city}
                        for r in matches
                    ]
                },
            )
        return matches[0]
    raise Invalid("identify the doctor by id or by name", field=field)


def match_providers(
    rows: Iterable[m.Provider],
    *,
    name: str | None = None,
    specialty: str | None = None,
    city: str | None = None,
) -> list[m.Provider]:
    """Accent- and case-insensitive word match on name ('Dr.' ignored), substring on specialty/city."""
    words = [w for w in fold(name or "").replace(".", " ").split() if w not in {"dr", "dra", "doctor"}]
    spec = fold(specialty or "")
    town = fold(city or "")
    out: list[m.Provider] = []
    for r in rows:
        folded = fold(r.name).replace(".", " ")
        if any(w not in folded for w in words):
            continue
        if spec and spec not in fold(r.specialty):
            continue
        if town and town not in fold(r.city or ""):
            continue
        out.append(r)
    return out


class DirectoryService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def list_datebooks(self, p: Principal) -> list[dto.DatebookInfo]:
        p.require("appointments:read")
        async with self.db.read() as s:
            return [mapping.datebook(r) for r in await repo.datebooks(s, p.practice_id)]

    async def list_providers(self, p: Principal) -> list[dto.ProviderInfo]:
        p.require("appointments:read")
        async with self.db.read() as s:
            return [mapping.provider(r) for r in await repo.providers(s, p.practice_id)]

    async def search_providers(
        self, p: Principal, *, name: str | None, specialty: str | None, city: str | None
    ) -> list[dto.ProviderInfo]:
        p.require("appointments:read")
        async with self.db.read() as s:
            rows = await repo.providers(s, p.practice_id)
        return [mapping.provider(r) for r in match_providers(rows, name=name, specialty=specialty, city=city)]

    async def get_provider(
        self, p: Principal, *, uid: str | None = None, name: str | None = None, specialty: str | None = None
    ) -> dto.ProviderInfo:
        p.require("appointments:read")
        async with self.db.read() as s:
            row = await resolve_provider(
                s, p.practice_id, uid=uid, name=name, specialty=specialty, field="doctorId"
            )
            return mapping.provider(row)

    async def list_services(self, p: Principal) -> list[dto.ServiceInfo]:
        p.require("appointments:read")
        async with self.db.read() as s:
            return [mapping.service(r) for r in await repo.services(s, p.practice_id)]
