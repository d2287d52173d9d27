"""The public slot search: the free times of some services within the agenda's advance rules,
read as a reader of working hours and busy times only (never patient data); providers hidden where
the agenda assigns them at booking, and then one time offered by two providers is one slot."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from frontdesk.domain import access
from frontdesk.domain.booking.agendas import check_advance
from frontdesk.domain.errors import Invalid
from frontdesk.services.booking import catalogue as cat
from frontdesk.services.booking.holds import booking_policy
from frontdesk.services.booking.views import PublicSlot
from frontdesk.services.context import Principal
from frontdesk.services.scheduling.availability import AvailabilityService
from frontdesk.storage import models as m

SLOTS_MAX = 100


async def free_slots(
    availability: AvailabilityService,
    p: Principal,
    ag: m.Agenda | None,
    service_ids: list[int],
    now: datetime,
    *,
    start: str | None,
    end: str | None,
    limit: int,
    provider_id: int | None = None,
) -> list[PublicSlot]:
    """Earliest first, at most `limit`; with `provider_id` (checked by the caller) that provider's
    alone, so a busy colleague's earlier times do not crowd theirs out of the answer."""
    reader = replace(p, scopes=frozenset({access.APPOINTMENTS_READ}))
    pol = booking_policy(ag)
    found: list[PublicSlot] = []
    hide = cat.hides_providers(ag)
    for sid in service_ids:
        rows = await availability.find(
            reader,
            start=start,
            end=end,
            provider_id=provider_id or (ag.provider_id if ag is not None else None),
            service_id=sid,
            limit=limit,
        )
        for x in rows:
            try:
                check_advance(x.starts_at, now, ZoneInfo(x.timezone), **pol)
            except Invalid:
                continue
            found.append(
                PublicSlot(
                    x.starts_at,
                    x.ends_at,
                    x.timezone,
                    sid,
                    x.datebook_name,
                    None if hide else x.provider_id,
                    None if hide else x.provider_name,
                )
            )
    found.sort(key=lambda x: (x.start, x.service_id or 0))
    return (_distinct(found) if hide else found)[:limit]


def _distinct(found: list[PublicSlot]) -> list[PublicSlot]:
    """The same time offered by two (hidden) providers is one public slot."""
    seen: set[tuple[datetime, int | None, str]] = set()
    out: list[PublicSlot] = []
    for x in found:
        k = (x.start, x.service_id, x.location_name)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out
