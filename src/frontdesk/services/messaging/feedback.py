"""The feedback page's use cases (/{slug}/feedback/{token}: no account, the link is the key) and the
staff's summary of the answers (nps_summary on /mcp).

A link reaches its request until it expires (nps.LINK_DAYS); a wrong or expired one is "not found".
The answer is stored once: a second submission changes nothing and is told it was answered already.
Every view and answer is audited in the practice (actor `public:<ip>`), refusals too, and rate
limited with the public booking flow's per-IP and per-practice limits.

NPS: promoters answer 9-10, detractors 0-6; NPS = % promoters - % detractors (-100 to 100)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Declined, FrontdeskError, Invalid, NotFound
from frontdesk.domain.timeparse import parse_datetime, zone
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.booking.limits import PublicLimiter
from frontdesk.services.context import Principal
from frontdesk.services.messaging import nps
from frontdesk.services.oauth_model import digest
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import feeds as repo

COMMENT_MAX = 2000
COMMENTS_SHOWN = 20
DEFAULT_DAYS = 90


@dataclass(frozen=True, slots=True)
class FeedbackView:
    practice: str
    service: str
    starts_at: datetime
    timezone: str
    score: int | None
    comment: str | None
    answered: bool
    just_answered: bool = False


@dataclass(frozen=True, slots=True)
class Comment:
    score: int
    comment: str | None
    answered_at: datetime
    provider: str
    service: str | None


@dataclass(frozen=True, slots=True)
class NpsSummary:
    start: datetime
    end: datetime
    asked: int
    responses: int
    response_rate: float | None
    average: float | None
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    recent: list[Comment]


def figures(scores: list[int]) -> tuple[float | None, int, int, int, float | None]:
    """(average, promoters, passives, detractors, NPS) of 0-10 scores."""
    if not scores:
        return None, 0, 0, 0, None
    pro = sum(1 for x in scores if x >= 9)
    det = sum(1 for x in scores if x <= 6)
    n = len(scores)
    return round(sum(scores) / n, 2), pro, n - pro - det, det, round(100 * (pro - det) / n, 1)


def _bounds(start: str | None, end: str | None, tz: str, now: datetime) -> tuple[datetime, datetime]:
    where = zone(tz)
    hi = parse_datetime(end, where, field="end") if end else now + timedelta(seconds=1)  # up to now
    lo = parse_datetime(start, where, field="start") if start else hi - timedelta(days=DEFAULT_DAYS)
    if lo >= hi:
        raise Invalid("start must be before end", field="start")
    if hi - lo > timedelta(days=366):
        raise Invalid("the range may span at most 366 days", field="end")
    return lo, hi


class FeedbackService:
    def __init__(self, uc: UseCases, limiter: PublicLimiter | None = None) -> None:
        self.uc = uc.scoped(read=(access.PATIENTS_READ, access.ADMIN), write=access.ADMIN)
        self.limiter = limiter or PublicLimiter()

    # --- the public page -------------------------------------------------------------------------

    async def _enter(self, slug: str, ip: str, action: str) -> Principal:
        async with self.uc.db.read() as s:
            practice = await dir_repo.practice_by_slug(s, slug.strip().lower()[:63])
            if practice is None:
                raise NotFound("not found", field="token")
            v = await settings_values(s, practice.id)
        p = Principal(practice.id, f"public:{ip}"[:120], frozenset())
        retry = await self.limiter.hit(
            practice.id,
            ip,
            int(v["policies.publicRequestsPerMinuteIp"]),
            int(v["policies.publicRequestsPerMinutePractice"]),
        )
        if retry:
            exc = Declined(
                f"too many requests; try again in {retry} seconds", details={"decision": "rate_limited"}
            )
            await self._refused(p, action, "rate_limited")
            raise exc
        return p

    async def _refused(self, p: Principal, action: str, code: str) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            await audit.record(s, p, now, action, "feedback", None, outcome=code)

        await self.uc.run(body)

    async def _view(self, s: AsyncSession, row: m.FeedbackRequest, practice: str) -> FeedbackView:
        appt = await appt_repo.get(s, row.practice_id, row.appointment_id)
        if appt is None:
            raise NotFound("not found", field="token")
        book = await dir_repo.datebook(s, row.practice_id, appt.datebook_id)
        service = await dir_repo.service(s, row.practice_id, row.service_id) if row.service_id else None
        return FeedbackView(
            practice=practice,
            service=service.name if service else "",
            starts_at=appt.starts_at,
            timezone=book.timezone if book else "UTC",
            score=row.score,
            comment=row.comment,
            answered=row.answered_at is not None,
        )

    async def _run_public(
        self, slug: str, token: str, ip: str, action: str, answer: tuple[int, str] | None
    ) -> FeedbackView:
        p = await self._enter(slug, ip, action)
        if not nps.well_formed(token):
            await self._refused(p, action, "token_invalid")
            raise NotFound("not found", field="token")

        async def body(s: AsyncSession, now: datetime) -> FeedbackView:
            row = await repo.request_by_token(s, p.practice_id, digest(token), now, lock=answer is not None)
            if row is None:
                raise NotFound("not found", field="token")
            v = await settings_values(s, p.practice_id)
            practice = await dir_repo.practice_by_id(s, p.practice_id)
            view = await self._view(s, row, str(v["basics.name"]) or (practice.name if practice else ""))
            if answer is None or row.answered_at is not None:
                outcome = "already_answered" if answer is not None else "ok"
                await audit.record(s, p, now, action, "feedback", row.id, outcome=outcome)
                return view
            row.score, row.comment, row.answered_at = answer[0], answer[1] or None, now
            await nps.drop_pending(s, p.practice_id, row.appointment_id)
            await audit.record(s, p, now, action, "feedback", row.id, detail=f"score={answer[0]}")
            return FeedbackView(
                view.practice, view.service, view.starts_at, view.timezone, answer[0], row.comment, True, True
            )

        try:
            return await self.uc.run(body)
        except FrontdeskError as exc:
            await self._refused(p, action, exc.code)
            raise

    async def view(self, slug: str, token: str, ip: str) -> FeedbackView:
        return await self._run_public(slug, token, ip, "feedback.view", None)

    async def answer(self, slug: str, token: str, ip: str, score: str, comment: str) -> FeedbackView:
        """Store the score (0-10, required) and comment once; a second answer changes nothing."""
        value = int(score) if score.strip().isdigit() and len(score.strip()) <= 2 else -1
        if not 0 <= value <= 10:
            raise Invalid("score must be a whole number from 0 to 10", field="score")
        if len(comment) > COMMENT_MAX:
            raise Invalid(f"comment must be at most {COMMENT_MAX} characters", field="comment")
        return await self._run_public(slug, token, ip, "feedback.answer", (value, comment.strip()))

    # --- the staff's summary ---------------------------------------------------------------------

    async def summary(
        self,
        p: Principal,
        *,
        start: str | None = None,
        end: str | None = None,
        provider_id: int | None = None,
        service_id: int | None = None,
    ) -> NpsSummary:
        async def body(s: AsyncSession, now: datetime) -> NpsSummary:
            v = await settings_values(s, p.practice_id)
            lo, hi = _bounds(start, end, str(v["basics.timezone"]), now)
            if provider_id is not None and await dir_repo.provider(s, p.practice_id, provider_id) is None:
                raise NotFound(f"no provider with id {provider_id}", field="provider_id")
            if service_id is not None and await dir_repo.service(s, p.practice_id, service_id) is None:
                raise NotFound(f"no service with id {service_id}", field="service_id")
            rows, asked = await repo.answers(
                s, p.practice_id, lo, hi, provider_id=provider_id, service_id=service_id
            )
            scores = [int(r[0]) for r in rows]
            avg, pro, pas, det, score = figures(scores)
            recent = [Comment(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows if r[1]][:COMMENTS_SHOWN]
            await audit.record(s, p, now, "feedback.summary", "feedback", None)
            return NpsSummary(
                lo,
                hi,
                asked,
                len(scores),
                round(len(scores) / asked, 3) if asked else None,
                avg,
                pro,
                pas,
                det,
                score,
                recent,
            )

        return await self.uc.read(p, "feedback.summary", "feedback", None, body)
