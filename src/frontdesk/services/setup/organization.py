"""The organization: its profile (name, description, logo, vertical: practice settings' basics) and
a compact summary with the onboarding checklist (what is missing before anyone can book)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid
from frontdesk.services.admin.settings import SettingsService, values
from frontdesk.services.context import Principal
from frontdesk.services.currencies import plain
from frontdesk.services.setup import rules
from frontdesk.services.setup.shapes import (
    Onboarding,
    OrganizationOut,
    OrganizationSummary,
    Step,
    SummaryLocation,
    SummaryProvider,
    SummaryService,
)
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as repo

READ = (access.APPOINTMENTS_READ, access.ADMIN)
LIST_MAX = 12  # per list in the summary: it stays about 500 tokens; the counts are complete


@dataclass(frozen=True, slots=True)
class Profile:
    name: str | None = None
    description: str | None = None
    logo_url: str | None = None
    vertical: str | None = None


def _hours(rows: Sequence[m.WorkingHours]) -> str:
    """'Mon-Fri 09:00-17:00, Sat 09:00-13:00': days with the same hours joined."""
    by_day: dict[int, list[str]] = {}
    for r in sorted(rows, key=lambda r: (r.weekday, r.start_time)):
        if r.kind == "work":
            by_day.setdefault(r.weekday, []).append(f"{r.start_time}-{r.end_time}")
    groups: list[tuple[list[int], str]] = []
    for day in sorted(by_day):
        text = " ".join(by_day[day])
        if groups and groups[-1][1] == text and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))

    def name(d: int) -> str:
        return rules.DAYS[d][:3].title()

    parts = [
        (name(ds[0]) if len(ds) == 1 else f"{name(ds[0])}-{name(ds[-1])}") + f" {text}" for ds, text in groups
    ]
    return ", ".join(parts) or "no hours"


def _checklist(
    books: Sequence[m.Datebook],
    providers: Sequence[m.Provider],
    services: Sequence[m.Service],
    assigned: dict[int, list[int]],
    hours: dict[int, int],
) -> Onboarding:
    active = {p.id for p in providers if p.active}
    names = {p.id: p.name for p in providers}
    live = [s for s in services if s.active]
    orphans = [s.name for s in live if not any(pid in active for pid in assigned.get(s.id, []))]
    idle = [names[pid] for pid in sorted(active) if not hours.get(pid)]
    unbookable = [
        s.name for s in live if not any(pid in active and hours.get(pid) for pid in assigned.get(s.id, []))
    ]
    steps = [
        Step(step="location", done=any(b.active for b in books), detail="an active location (datebook)"),
        Step(step="provider", done=bool(active), detail="an active provider"),
        Step(step="service", done=bool(live), detail="an active service"),
        Step(
            step="service_providers",
            done=bool(live) and not orphans,
            detail="services without a provider: " + ", ".join(orphans) if orphans else None,
        ),
        Step(
            step="availability",
            done=bool(active) and not idle,
            detail="providers without weekly hours: " + ", ".join(idle) if idle else None,
        ),
    ]
    missing = []
    hints = {
        "location": "create a location (manage_locations; setting weekly hours makes the first one)",
        "provider": "create a provider (manage_providers / provider_create)",
        "service": "create a service (manage_services / service_create)",
        "service_providers": "assign a provider to each service (manage_services / service_assign_provider)",
        "availability": "set each provider's weekly hours (manage_availability / admin_set_availability)",
    }
    for st in steps:
        if not st.done:
            missing.append(hints[st.step] + (f": {st.detail}" if st.detail and ":" in st.detail else ""))
    ready = steps[0].done and steps[1].done and steps[2].done and len(unbookable) < len(live)
    return Onboarding(ready=ready, steps=steps, missing=missing)


class OrganizationService:
    def __init__(self, uc: UseCases, settings: SettingsService) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)
        self.settings = settings

    async def update(self, p: Principal, profile: Profile) -> OrganizationOut:
        """Only the given fields change (through the practice settings: one audited write)."""
        changes: dict[str, object] = {}
        if profile.name is not None:
            if not profile.name.strip():
                raise Invalid("name must not be empty", field="name")
            changes["basics.name"] = profile.name
        if profile.description is not None:
            changes["basics.description"] = profile.description
        if profile.logo_url is not None:
            changes["basics.logoUrl"] = rules.url(profile.logo_url, field="logo_url") or ""
        if profile.vertical is not None:
            changes["basics.vertical"] = profile.vertical
        if not changes:
            raise Invalid("give at least one of name, description, logo_url, vertical", field="name")
        done = await self.settings.update(p, changes)
        return _profile(done["basics"])

    async def summary(self, p: Principal) -> OrganizationSummary:
        async def body(s: AsyncSession, now: datetime) -> OrganizationSummary:
            v = await values(s, p.practice_id)
            books = await dir_repo.datebooks(s, p.practice_id, active_only=False)
            providers = await dir_repo.providers(s, p.practice_id, active_only=False)
            services = await dir_repo.services(s, p.practice_id, active_only=False)
            assigned: dict[int, list[int]] = {}
            for a in await repo.assignments(s, p.practice_id):
                assigned.setdefault(a.service_id, []).append(a.provider_id)
            hours = await repo.hours_by_provider(s, p.practice_id)
            weekly = {pr.id: await repo.weekly(s, p.practice_id, pr.id) for pr in providers[:LIST_MAX]}
            per_provider: dict[int, int] = {}
            for pids in assigned.values():
                for pid in pids:
                    per_provider[pid] = per_provider.get(pid, 0) + 1
            counts = await repo.counts(s, p.practice_id, now)
            return OrganizationSummary(
                name=str(v["basics.name"]),
                timezone=str(v["basics.timezone"]),
                vertical=str(v["basics.vertical"]),
                currency=str(v["basics.currency"]),
                description=str(v["basics.description"]) or None,
                logo_url=str(v["basics.logoUrl"]) or None,
                locations=[
                    SummaryLocation(id=b.id, name=b.name, timezone=b.timezone) for b in books[:LIST_MAX]
                ],
                providers=[
                    SummaryProvider(
                        id=pr.id,
                        name=pr.name,
                        specialty=pr.specialty,
                        active=pr.active,
                        services=per_provider.get(pr.id, 0),
                        hours=_hours(weekly[pr.id]),
                    )
                    for pr in providers[:LIST_MAX]
                ],
                services=[
                    SummaryService(
                        id=sv.id,
                        name=sv.name,
                        minutes=sv.duration_minutes,
                        price=plain(sv.price_cents, sv.currency),
                        providers=assigned.get(sv.id, []),
                        active=sv.active,
                    )
                    for sv in services[:LIST_MAX]
                ],
                counts=counts,
                truncated=max(len(books), len(providers), len(services)) > LIST_MAX,
                onboarding_status=_checklist(books, providers, services, assigned, hours),
            )

        return await self.uc.read(p, "organization.summary", "practice", p.practice_id, body)


def _profile(basics: dict[str, object]) -> OrganizationOut:
    return OrganizationOut(
        name=str(basics["name"]),
        description=str(basics["description"]),
        logo_url=str(basics["logoUrl"]),
        vertical=str(basics["vertical"]),
        timezone=str(basics["timezone"]),
    )
