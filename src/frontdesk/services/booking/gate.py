"""The skeleton every public booking request goes through: the practice found by its slug, the
caller's rate limits, one transaction for the body, and every refusal audited with its decision
code (the caller sees only the error; an expired token and a wrong one look the same)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Conflict, Declined, FrontdeskError, Invalid, NotFound
from frontdesk.domain.settings import Values
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.booking.limits import PublicLimiter
from frontdesk.services.booking.lookup import Decided
from frontdesk.services.booking.views import PublicContext
from frontdesk.services.context import Principal
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import directory as dir_repo

T = TypeVar("T")
_IDENTITY = ("requester.fullName", "requester.email", "requester.phone")

Body = Callable[[AsyncSession, datetime, Principal, Values, Decided], Awaitable[T]]


def decision(exc: FrontdeskError) -> str:
    """The decision code of a refusal whose body did not name one."""
    if "decision" in exc.details:
        return str(exc.details["decision"])
    if isinstance(exc, Invalid) and exc.field in _IDENTITY:
        return "invalid_identity"
    if isinstance(exc, Conflict) and exc.field in ("starts_at", "scheduledAt"):
        return "slot_taken"
    return {"invalid": "invalid", "not_found": "not_found", "conflict": "conflict"}.get(exc.code, exc.code)


class Gate:
    """Runs a public request's body as the practice-scoped principal `public:<ip>` (scope
    public:book only)."""

    def __init__(self, uc: UseCases, limiter: PublicLimiter | None = None) -> None:
        self.uc = uc
        self.limiter = limiter or PublicLimiter()

    async def _enter(self, ctx: PublicContext, org_slug: str, action: str) -> tuple[Principal, Values]:
        async with self.uc.db.read() as s:
            practice = await dir_repo.practice_by_slug(s, org_slug.strip().lower())
            if practice is None:
                raise NotFound("no practice with this orgSlug", field="orgSlug")
            v = await settings_values(s, practice.id)
        p = Principal(practice.id, f"public:{ctx.ip}"[:120], frozenset({access.PUBLIC_BOOKING}))
        retry = await self.limiter.hit(
            practice.id,
            ctx.ip,
            int(v["policies.publicRequestsPerMinuteIp"]),
            int(v["policies.publicRequestsPerMinutePractice"]),
        )
        if retry:
            exc = Declined(
                f"too many booking requests; try again in {retry} seconds",
                details={"decision": "rate_limited", "retryAfterSeconds": retry},
            )
            await self._refused(p, action, ctx, exc, "rate_limited")
            raise exc
        return p, v

    async def _run(self, ctx: PublicContext, org_slug: str, action: str, body: Body[T]) -> T:
        p, v = await self._enter(ctx, org_slug, action)
        p.require(access.PUBLIC_BOOKING)
        decided = Decided()
        try:
            return await self.uc.run(lambda s, now: body(s, now, p, v, decided))
        except FrontdeskError as exc:
            # The decision goes to the audit trail only: a caller must not tell an expired token
            # from a wrong one.
            await self._refused(p, action, ctx, exc, decided.code or decision(exc))
            raise

    async def _refused(
        self, p: Principal, action: str, ctx: PublicContext, exc: FrontdeskError, code: str
    ) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            detail = f"decision={code} via={ctx.via}" + (f" field={exc.field}" if exc.field else "")
            await audit.record(s, p, now, action, "public_booking", None, outcome=code, detail=detail)

        try:
            await self.uc.run(body)
        except FrontdeskError:  # the refusal stands even if its record cannot be written
            pass


async def accepted(
    s: AsyncSession, p: Principal, now: datetime, action: str, record_id: object, detail: str = ""
) -> None:
    """The audit record of an accepted public request."""
    text = "decision=accepted" + (f" {detail}" if detail else "")
    await audit.record(s, p, now, action, "appointment", record_id, outcome="accepted", detail=text)
