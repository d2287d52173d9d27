"""Which provider may deliver which service: the booking rule, in one place."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Invalid
from frontdesk.storage import models as m
from frontdesk.storage.repositories import setup as repo


async def require_bookable(
    s: AsyncSession, practice_id: int, service: m.Service | None, provider_id: int
) -> None:
    """A booking of `service` with the provider: refused when the service has no provider assigned
    (nobody can deliver it yet) or when this provider is not one of them."""
    if service is None:
        return
    assigned = await repo.providers_of(s, practice_id, service.id)
    if not assigned:
        raise Invalid(
            f"service {service.name!r} has no provider assigned yet, so it cannot be booked; "
            "an owner or admin must assign a provider to it first",
            field="service_id",
        )
    if provider_id not in assigned:
        raise Invalid(
            f"this provider does not deliver {service.name!r}; pick one of the providers assigned "
            "to it (provider ids " + ", ".join(map(str, assigned)) + ")",
            field="service_id",
        )


async def deliverers(s: AsyncSession, practice_id: int, service: m.Service | None) -> set[int] | None:
    """The providers who deliver `service` (None: no service asked for, anyone may be offered)."""
    if service is None:
        return None
    return set(await repo.providers_of(s, practice_id, service.id))
