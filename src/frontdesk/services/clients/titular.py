"""A client's titular provider (Coordinalo): set, changed or cleared, audited when it changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import NotFound
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.storage.repositories import clients as repo
from frontdesk.storage.repositories import directory as dir_repo


async def provider(s: AsyncSession, practice_id: int, provider_id: int, *, field: str) -> None:
    """The provider exists in this practice (another practice's id is not found)."""
    if await dir_repo.provider(s, practice_id, provider_id) is None:
        raise NotFound(f"no provider with id {provider_id}; call list_doctors", field=field)


async def of(s: AsyncSession, practice_id: int, patient_id: int) -> int | None:
    return (await repo.titulars(s, practice_id, [patient_id])).get(patient_id)


async def assign(
    s: AsyncSession, p: Principal, now: datetime, patient_id: int, provider_id: int | None
) -> None:
    """Make `provider_id` the client's titular provider (None clears it)."""
    if provider_id is not None:
        await provider(s, p.practice_id, provider_id, field="titular_provider_id")
    if await repo.set_titular(s, p.practice_id, patient_id, provider_id, now):
        detail = f"titular provider {provider_id}" if provider_id else "titular provider cleared"
        await audit.record(s, p, now, "patient.titular", "patient", patient_id, detail=detail)
