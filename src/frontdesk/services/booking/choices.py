"""What a public booking flow asks first and what it lets the person choose, from the agenda's
booking flow (service_first, provider_first, auto) and selection modes (required, optional, auto,
hidden), with the providers a patient may pick among and the services each delivers. The booking
page walks its steps by it; the limits and the audit are the public booking service's (the list of
services is read through it).

The rules (the seed names the settings, not their effect):
- Providers are offered only where the agenda shows them (mode required or optional, provider
  list shown) and does not name its own provider; otherwise no provider is named anywhere.
- provider_first: the provider is picked first, then among that provider's services, then among
  that provider's times; optional mode also offers "any provider". auto: provider first when the
  person must pick one (required), else the service first. Without providers to offer, service first.
- service_first: the service, then its times, each time labelled with its provider where shown
  (the time picked is the provider picked).
- Service mode auto or hidden: the service is not asked for; the first bookable one (of the
  provider, where picked) is taken, and hidden does not name it during the flow. optional: asked
  only when there is more than one to choose from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import NotFound
from frontdesk.services.booking import catalogue as cat
from frontdesk.services.booking.public import PublicBookingService
from frontdesk.services.booking.views import PublicContext, PublicService
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as setup_repo

SERVICE_FIRST, PROVIDER_FIRST = "service_first", "provider_first"


@dataclass(frozen=True, slots=True)
class PublicProvider:
    id: int
    name: str
    service_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PublicFlow:
    order: str  # service_first or provider_first (auto resolved)
    service_mode: str
    provider_mode: str
    services: list[PublicService]
    providers: list[PublicProvider]  # empty where no provider is shown

    @property
    def provider_required(self) -> bool:
        return self.provider_mode == "required"

    def asks_service(self, offered: int) -> bool:
        if self.service_mode in ("auto", "hidden"):
            return False
        return self.service_mode != "optional" or offered > 1

    @property
    def names_service(self) -> bool:
        return self.service_mode != "hidden"


def order(flow: str, provider_mode: str, offers_providers: bool) -> str:
    if not offers_providers:
        return SERVICE_FIRST
    if flow == "auto":
        return PROVIDER_FIRST if provider_mode == "required" else SERVICE_FIRST
    return PROVIDER_FIRST if flow == PROVIDER_FIRST else SERVICE_FIRST


class PublicChoices:
    def __init__(self, public: PublicBookingService) -> None:
        self.public = public
        self.db = public.uc.db

    async def flow(self, ctx: PublicContext, org_slug: str, agenda_slug: str | None = None) -> PublicFlow:
        services = await self.public.services(ctx, org_slug, agenda_slug)  # limited, audited, checked
        async with self.db.read() as s:
            practice = await dir_repo.practice_by_slug(s, org_slug.strip().lower())
            if practice is None:  # deleted in between
                raise NotFound("no practice with this orgSlug", field="orgSlug")
            ag = await cat.agenda(s, practice.id, agenda_slug)
            providers: list[PublicProvider] = []
            if not cat.hides_providers(ag) and not (ag is not None and ag.provider_id):
                providers = await _providers(s, practice.id, services)
        flow = ag.booking_flow if ag is not None else SERVICE_FIRST
        service_mode = ag.service_mode if ag is not None else "required"
        provider_mode = ag.provider_mode if ag is not None else "auto"
        return PublicFlow(
            order(flow, provider_mode, bool(providers)), service_mode, provider_mode, services, providers
        )


async def _providers(
    s: AsyncSession, practice_id: int, services: list[PublicService]
) -> list[PublicProvider]:
    """The active providers delivering any of the bookable services, by name, each with its own."""
    delivers: dict[int, list[int]] = {}
    for svc in services:
        for provider_id in await setup_repo.providers_of(s, practice_id, svc.id):
            delivers.setdefault(provider_id, []).append(svc.id)
    rows: list[m.Provider] = [p for p in await dir_repo.providers(s, practice_id) if p.id in delivers]
    rows.sort(key=lambda p: (p.name, p.id))
    return [PublicProvider(p.id, p.name, tuple(delivers[p.id])) for p in rows]
