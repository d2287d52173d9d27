"""The booking rules that read the practice's policies: retroactive sessions and the no-show block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.domain.scheduling.policies import RETROACTIVE_DAYS, blocked_until
from frontdesk.domain.settings import Values
from frontdesk.services.directory import resolve_provider
from frontdesk.storage import models as m
from frontdesk.storage.repositories import bookings as repo
from frontdesk.storage.repositories import directory as dir_repo


def check_retroactive(start: datetime, now: datetime) -> None:
    if start > now:
        raise Invalid("a retroactive session must be in the past", field="starts_at")
    if start < now - timedelta(days=RETROACTIVE_DAYS):
        raise Invalid(
            f"a retroactive session may be at most {RETROACTIVE_DAYS} days in the past", field="starts_at"
        )


async def retroactive_place(
    s: AsyncSession,
    practice_id: int,
    books: Sequence[m.Datebook],
    provider: m.Provider | None,
    patient_id: int,
) -> tuple[m.Datebook, m.Provider]:
    """A past session's provider (the named one, else the client's titular provider) and location
    (the named one, else the first where that provider has working hours, else the first)."""
    if provider is None:
        titular = await repo.titular(s, practice_id, patient_id)
        if titular is None:
            raise Invalid(
                "name the provider of a retroactive session (the client has no titular provider)",
                field="provider_id",
            )
        provider = await resolve_provider(s, practice_id, provider_id=titular)
    if len(books) == 1:
        return books[0], provider
    rows = await dir_repo.hours_for(s, practice_id, [provider.id], None)
    worked = {r.datebook_id for r in rows}
    return next((b for b in books if b.id in worked), books[0]), provider


async def check_no_show_block(
    s: AsyncSession, practice_id: int, patient_id: int, now: datetime, v: Values, override: bool
) -> bool:
    """Refuse a client whose no-shows reached policies.noShowMaxStrikes within its block
    (policies.noShowBlockDays), unless staff override it. True when an override was used."""
    times = await repo.client_no_shows(s, practice_id, patient_id)
    until = blocked_until(times, int(v["policies.noShowMaxStrikes"]), int(v["policies.noShowBlockDays"]))
    if until is None or until <= now:
        return False
    if override:
        return True
    raise Conflict(
        f"this client missed {v['policies.noShowMaxStrikes']} appointments and cannot book until "
        f"{until.date().isoformat()} (policies.noShowBlockDays); staff may override the block",
        field="patient_id",
        details={"blocked_until": until.isoformat()},
    )
