"""Campaign use cases: list, get (progress and the delivery log), create an email campaign (a draft
for a predefined audience or ad-hoc filters) and send it: its recipients are fixed then, and a job per
recipient is enqueued in the same transaction, due one after another at the channel's rate
(communication.emailPerMinute), after any campaign message of the practice still queued."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain import campaigns as rules
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.jobs.queue import JobQueue
from frontdesk.services.messaging.campaigns_delivery import KIND, check, key
from frontdesk.services.messaging.delivery import Delivery
from frontdesk.services.usecase import UseCases
from frontdesk.storage.models import Campaign
from frontdesk.storage.repositories import campaigns as repo
from frontdesk.storage.repositories import directory as dir_repo

RECIPIENTS_MAX = 20_000  # one campaign's recipients, all enqueued in one transaction


@dataclass(frozen=True, slots=True)
class Filters:
    """An ad-hoc audience: every filter given must hold. Dates are the practice's local days."""

    last_visit_after: date | None = None  # the last visit on or after this day
    last_visit_before: date | None = None  # the last visit before this day (never visited: no)
    never_visited: bool | None = None
    created_after: date | None = None  # added on or after this day
    created_before: date | None = None
    has_phone: bool | None = None
    include_inactive: bool = False  # also clients whose record is marked inactive


@dataclass(frozen=True, slots=True)
class Draft:
    name: str
    subject: str
    html_body: str
    audience_type: str  # predefined | adhoc
    audience_id: str | None = None
    filters: Filters | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    total: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    unconfirmed: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryLog:
    client_id: int
    client_name: str
    channel: str
    recipient: str
    status: str
    due_at: datetime
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class CampaignInfo:
    id: int
    name: str
    channel: str
    subject: str
    status: str
    audience_type: str
    audience_id: str | None
    filters: dict[str, Any]
    recipient_count: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: Progress
    html_body: str | None = None
    without_email: int | None = None  # at creation: the audience's clients with no address
    logs: list[DeliveryLog] | None = None
    logs_truncated: bool = False
    last_due_at: datetime | None = None  # at sending: when its last message is due


def _segment(
    draft_type: str, audience_id: str | None, filters: dict[str, Any], now: datetime, v: Any, tz: ZoneInfo
) -> rules.Segment:
    if draft_type == "predefined":
        assert audience_id is not None
        months, days = int(v["communication.activeMonths"]), int(v["communication.newClientDays"])
        return rules.predefined(audience_id, now, active_months=months, new_days=days)

    def day(name: str) -> datetime | None:
        value = filters.get(name)
        return datetime.combine(date.fromisoformat(value), time(0), tz) if value else None

    statuses = ("active", "inactive") if filters.get("include_inactive") else ("active",)
    return rules.Segment(
        visited_from=day("last_visit_after"),
        visited_before=day("last_visit_before"),
        never_visited=filters.get("never_visited"),
        created_from=day("created_after"),
        created_before=day("created_before"),
        has_phone=filters.get("has_phone"),
        record_statuses=statuses,
    )


def _info(c: Campaign, progress: Progress, **more: Any) -> CampaignInfo:
    return CampaignInfo(
        id=c.id,
        name=c.name,
        channel=c.channel,
        subject=c.subject,
        status=c.status,
        audience_type=c.audience_type,
        audience_id=c.audience_id,
        filters=json.loads(c.filters),
        recipient_count=c.recipient_count,
        created_at=c.created_at,
        started_at=c.started_at,
        finished_at=c.finished_at,
        progress=progress,
        **more,
    )


def _progress(counts: dict[str, int]) -> Progress:
    return Progress(total=sum(counts.values()), **{k: counts.get(k, 0) for k in rules.DELIVERY_STATES})


class CampaignService:
    def __init__(self, uc: UseCases, delivery: Delivery) -> None:
        self.uc = uc.scoped(read=(access.PATIENTS_READ, access.ADMIN), write=access.PATIENTS_WRITE)
        self.delivery = delivery

    async def _audience(
        self, s: AsyncSession, practice_id: int, c: Campaign | Draft, filters: dict[str, Any], now: datetime
    ) -> list[repo.Member]:
        v = await settings_values(s, practice_id)
        practice = await dir_repo.practice_by_id(s, practice_id)
        tz = ZoneInfo(practice.timezone if practice else "UTC")
        seg = _segment(c.audience_type, c.audience_id, filters, now, v, tz)
        return await repo.members(s, practice_id, seg, now)

    async def list(self, p: Principal, status: str | None = None, limit: int = 50) -> list[CampaignInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[CampaignInfo]:
            rows = await repo.listed(s, p.practice_id, status, limit)
            out = [_info(c, _progress(await repo.counts(s, p.practice_id, c.id))) for c in rows]
            await audit.record(s, p, now, "comms.campaign.list", "practice", p.practice_id)
            return out

        return await self.uc.read(p, "comms.campaign.list", "practice", p.practice_id, body)

    async def get(self, p: Principal, campaign_id: int, logs: int | None = None) -> CampaignInfo:
        """The campaign with its progress; with `logs`, the first that many recipients' deliveries."""

        async def body(s: AsyncSession, now: datetime) -> CampaignInfo:
            c = await _campaign(s, p.practice_id, campaign_id)
            progress = _progress(await repo.counts(s, p.practice_id, c.id))
            more: dict[str, Any] = {"html_body": c.body}
            if logs is not None:
                rows = await repo.logs(s, p.practice_id, c.id, logs + 1)
                more["logs"] = [_log(r) for r in rows[:logs]]
                more["logs_truncated"] = len(rows) > logs
            await audit.record(s, p, now, "comms.campaign.read", "campaign", c.id)
            return _info(c, progress, **more)

        return await self.uc.read(p, "comms.campaign.read", "campaign", campaign_id, body)

    async def create(
        self,
        p: Principal,
        draft: Draft,
        *,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> CampaignInfo:
        _check_draft(draft)
        filters = (
            {k: v for k, v in asdict(draft.filters).items() if v not in (None, False)}
            if draft.filters
            else {}
        )
        filters = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items()}

        async def body(s: AsyncSession, now: datetime) -> CampaignInfo:
            people = await self._audience(s, p.practice_id, draft, filters, now)
            reachable = sum(1 for m in people if m.email)
            c = await repo.add(
                s,
                Campaign(
                    practice_id=p.practice_id,
                    name=draft.name,
                    channel="email",
                    subject=draft.subject,
                    body=draft.html_body,
                    audience_type=draft.audience_type,
                    audience_id=draft.audience_id,
                    filters=json.dumps(filters, sort_keys=True),
                    status=rules.DRAFT,
                    recipient_count=reachable,
                    created_by=p.actor[:120],
                    created_at=now,
                    updated_at=now,
                ),
            )
            await audit.record(
                s, p, now, "comms.campaign.create", "campaign", c.id, detail=draft.audience_type
            )
            return _info(c, Progress(), without_email=len(people) - reachable)

        return await self.uc.write(
            p,
            "comms.campaign.create",
            "campaign",
            None,
            body,
            CampaignInfo,
            idem,
            destroys="creating an email campaign",
            consent=consent,
        )

    async def send(
        self,
        p: Principal,
        campaign_id: int,
        *,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> CampaignInfo:
        """Fix the recipients and enqueue their messages; returns at once (get shows the progress)."""
        if not self.delivery.email_on:
            raise Invalid("the email channel is not configured on this server", field="campaign_id")

        async def body(s: AsyncSession, now: datetime) -> CampaignInfo:
            c = await _campaign(s, p.practice_id, campaign_id, lock=True)
            if c.status not in rules.SENDABLE:
                raise Conflict(
                    f"campaign {c.id} is {c.status}: only a draft or scheduled campaign can be sent",
                    field="campaign_id",
                )
            v = await settings_values(s, p.practice_id)
            if c.channel not in v["communication.channels"]:
                raise Invalid(
                    f"the practice does not send on {c.channel} (communication.channels)", field="campaign_id"
                )
            people = [
                m for m in await self._audience(s, p.practice_id, c, json.loads(c.filters), now) if m.email
            ]
            if len(people) > RECIPIENTS_MAX:
                raise Invalid(
                    f"a campaign reaches at most {RECIPIENTS_MAX} clients; narrow the audience",
                    field="campaign_id",
                )
            last = await _enqueue(s, p.practice_id, c, people, now, int(v["communication.emailPerMinute"]))
            queued = last is not None
            c.status = rules.SENDING if queued else rules.SENT
            c.recipient_count, c.started_at, c.updated_at = len(people), now, now
            c.finished_at = None if queued else now
            await audit.record(s, p, now, "comms.campaign.send", "campaign", c.id, detail=str(len(people)))
            progress = _progress(await repo.counts(s, p.practice_id, c.id))
            return _info(c, progress, last_due_at=last)

        return await self.uc.write(
            p,
            "comms.campaign.send",
            "campaign",
            campaign_id,
            body,
            CampaignInfo,
            idem,
            destroys="sending an email campaign to its clients",
            consent=consent,
        )


async def _enqueue(
    s: AsyncSession, practice_id: int, c: Campaign, people: list[repo.Member], now: datetime, per_minute: int
) -> datetime | None:
    """A recipient row per client (skipped when opted out) and a job per message, due `60/per_minute`
    seconds apart; the last due time, or None when nothing was queued."""
    gap = timedelta(seconds=60 / per_minute)
    earlier = await repo.last_due(s, practice_id, c.channel)
    due = max(now, earlier + gap) if earlier is not None else now
    opted = await repo.opted_out(s, practice_id, c.channel)
    rows: list[dict[str, Any]] = []
    when: dict[int, datetime] = {}
    for m in people:
        skip = m.patient_id in opted
        row = {
            "practice_id": practice_id,
            "campaign_id": c.id,
            "patient_id": m.patient_id,
            "channel": c.channel,
            "address": m.email or "",
            "sent_at": None,
            "status": rules.SKIPPED if skip else rules.QUEUED,
            "due_at": now if skip else due,
            "error": f"opted out of {c.channel}" if skip else None,
        }
        rows.append(row)
        if not skip:
            when[m.patient_id] = due
            due += gap
    await repo.add_recipients(s, rows)
    jobs = [
        (
            key(c.id, patient_id),
            {"campaign_id": c.id, "recipient_id": rid, "patient_id": patient_id},
            when[patient_id],
        )
        for rid, patient_id in await repo.ids_of(s, practice_id, c.id)
    ]
    await JobQueue.enqueue_many(s, practice_id, KIND, jobs, now=now, subject=("campaign", c.id))
    return max(when.values()) if when else None


def _check_draft(d: Draft) -> None:
    check(d.subject, "subject", html=False)
    check(d.html_body, "html_body", html=True)
    if d.audience_type == "predefined":
        if d.audience_id not in rules.AUDIENCES:
            raise Invalid(f"audience_id must be one of: {', '.join(rules.AUDIENCES)}", field="audience_id")
        if d.filters is not None:
            raise Invalid("filters are for an adhoc audience", field="filters")
    elif d.audience_id is not None:
        raise Invalid(
            "audience_id is for a predefined audience; an adhoc one takes filters", field="audience_id"
        )
    f = d.filters
    if f and f.last_visit_after and f.last_visit_before and f.last_visit_after >= f.last_visit_before:
        raise Invalid("filters.lastVisitAfter must be before filters.lastVisitBefore", field="filters")


def _log(r: repo.LogRow) -> DeliveryLog:
    x = r.recipient
    name = f"{r.first_name} {r.last_name}".strip()
    return DeliveryLog(x.patient_id, name, x.channel, x.address, x.status, x.due_at, x.sent_at, x.error)


async def _campaign(s: AsyncSession, practice_id: int, campaign_id: int, *, lock: bool = False) -> Campaign:
    c = await repo.get(s, practice_id, campaign_id, lock=lock)
    if c is None:
        raise NotFound(f"no campaign with id {campaign_id}", field="campaign_id")
    return c
