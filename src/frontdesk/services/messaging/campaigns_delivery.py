"""A campaign's messages: one job per recipient, rendered for that client when its turn comes and
delivered once through the send log (Delivery, keyed `campaign:<id>:<client>`). An opt-out made since
the campaign was sent is honoured (the recipient is skipped); the last recipient to finish marks the
campaign sent."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import campaigns as rules
from frontdesk.domain.errors import FrontdeskError, Invalid
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.jobs.queue import ClaimedJob
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging import templates
from frontdesk.services.messaging.delivery import Delivery
from frontdesk.services.messaging.email import Email
from frontdesk.services.usecase import UseCases
from frontdesk.storage.models import Campaign, CampaignRecipient
from frontdesk.storage.repositories import campaigns as repo
from frontdesk.storage.repositories import messages as optout_repo
from frontdesk.storage.repositories import patients as patient_repo

KIND = "campaign"  # the job kind of one campaign message
SAMPLE = templates.variables(
    first_name="Ana", last_name="Diaz", email="ana@example.com", phone="+1", organization="X", lang="en"
)


def key(campaign_id: int, client_id: int) -> str:
    """The job's and the send log's dedupe key: one message per client per campaign, ever."""
    return f"campaign:{campaign_id}:{client_id}"


def check(text: str, field: str, *, html: bool) -> None:
    """Refuse a subject or body that cannot be rendered (unknown variable, forbidden construct),
    naming the argument it came in."""
    try:
        templates.render(text, SAMPLE, html=html)
    except Invalid as exc:
        raise Invalid(str(exc).replace("template:", f"{field}:", 1), field=field) from None


class _Text(HTMLParser):
    """The text part of an HTML message: its words, a line per block, scripts and styles left out."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _document(body: str) -> str:
    return body if "<html" in body.lower() else f"<!doctype html><html><body>{body}</body></html>"


class CampaignMessages:
    """The job handler of one campaign message."""

    def __init__(self, uc: UseCases, delivery: Delivery) -> None:
        self.uc = uc
        self.delivery = delivery

    async def __call__(self, job: ClaimedJob, worker: str) -> None:
        pid, rid = job.practice_id, int(job.payload["recipient_id"])
        try:
            await self._deliver(job, worker)
        except Permanent as exc:
            await self._finish(pid, rid, rules.FAILED, str(exc))
            raise
        except (FrontdeskError, OSError, TimeoutError) as exc:
            last = job.attempt >= job.max_attempts  # the worker dead-letters it now
            status = rules.FAILED if last else rules.QUEUED
            await self._finish(pid, rid, status, f"{type(exc).__name__}: {exc}")
            raise

    async def _deliver(self, job: ClaimedJob, worker: str) -> None:
        pid, rid = job.practice_id, int(job.payload["recipient_id"])
        async with self.uc.db.read() as s:
            row = await repo.recipient(s, pid, rid)
            campaign = await repo.get(s, pid, row.campaign_id) if row is not None else None
            if row is None or campaign is None or row.status != rules.QUEUED:
                return  # already settled (a retry after the outcome was recorded)
            if campaign.status == rules.CANCELLED:
                skip: str | None = "the campaign was cancelled"
            elif await optout_repo.opted_out(s, pid, row.patient_id, row.channel):
                skip = f"opted out of {row.channel}"
            else:
                skip = None
                mail = await _render(s, campaign, row, job.dedupe_key)
        if skip is not None:
            await self._finish(pid, rid, rules.SKIPPED, skip)
            return
        if not self.delivery.email_on:
            raise Permanent("the email channel is not configured")
        status = await self.delivery.email(job, worker, mail)
        outcome = rules.UNCONFIRMED if status == rules.UNCONFIRMED else rules.SENT
        await self._finish(pid, rid, outcome, None if outcome == rules.SENT else "check the mail log")

    async def _finish(self, practice_id: int, recipient_id: int, status: str, error: str | None) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            row = await repo.recipient(s, practice_id, recipient_id)
            if row is None:
                return
            campaign = await repo.get(s, practice_id, row.campaign_id, lock=True)  # one finisher at a time
            sent_at = now if status in (rules.SENT, rules.UNCONFIRMED) else None
            await repo.set_delivery(s, practice_id, recipient_id, status, sent_at=sent_at, error=error)
            if campaign is None or campaign.status != rules.SENDING:
                return
            if not await repo.any_queued(s, practice_id, campaign.id):
                campaign.status, campaign.finished_at, campaign.updated_at = rules.SENT, now, now

        await self.uc.run(body)


async def _render(s: AsyncSession, campaign: Campaign, row: CampaignRecipient, message_key: str) -> Email:
    patient = await patient_repo.get(s, campaign.practice_id, row.patient_id)
    v = await settings_values(s, campaign.practice_id)
    values = templates.variables(
        first_name=patient.first_name if patient else "",
        last_name=patient.last_name if patient else "",
        email=patient.email if patient else row.address,
        phone=patient.phone if patient else None,
        organization=str(v["basics.name"]),
        lang="es",
    )
    html = _document(templates.render(campaign.body, values, html=True))
    subject = templates.render(campaign.subject, values)[:200]
    return Email(row.address, subject, text_of(html), html, message_key=message_key)
