"""The skeleton every use case runs in: the one place a transaction opens and commits.

- `write`: the caller's scope is checked, the person's consent to a destructive change (cancelling,
  removing, merging), its idempotency key claimed, the body run in one write
  transaction (the body records its own audit entries there), the transaction run again (a few times)
  when the database picked it as a deadlock victim or a concurrent call with the same key committed
  first (whose result is then replayed), and a refusal (invalid, conflict, not found, forbidden...)
  recorded in the audit trail after the rollback.
- `read`: an audited read: the scope check, the body in a read transaction whose audit entries are
  stored before the answer is handed back, a refusal recorded like a write's.
- `run`: a write with no caller to check (the CLI's practice, key and staff commands, the OAuth
  flows): one transaction, retried like the others; it records whatever audit entries it makes.

A keyed write's result is stored as JSON by the pydantic TypeAdapter of the result type the use case
declares (`result`), and a replay is validated back into that type: one format for every service.
A service declares the scopes its use cases need once (`scoped`); a use case names one only where it
differs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Conflict, Unavailable
from frontdesk.services import idempotency
from frontdesk.services.audit import AuditService, on_failure
from frontdesk.services.consent import Consent, require
from frontdesk.services.context import Clock, Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.storage.db import Database

T = TypeVar("T")
Body = Callable[[AsyncSession, datetime], Awaitable[T]]

ATTEMPTS = 3  # bounded: deadlock victims and idempotency races are rare and resolve at once


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(result: Any) -> TypeAdapter[Any]:
    """One TypeAdapter per result type, built on its first keyed call (building one costs milliseconds)."""
    adapter = _ADAPTERS.get(result)
    if adapter is None:
        adapter = _ADAPTERS[result] = TypeAdapter(result)
    return adapter


def _again(exc: Conflict | Unavailable) -> bool:
    """A concurrent call with the same key committed first (run again: it replays that result), or the
    database chose this transaction as a deadlock victim (nothing was changed: run it again)."""
    return bool(exc.details.get("idempotency_in_flight") or exc.details.get("retryable"))


def stored_result(stored: str) -> Any:
    """The result part of a stored response. A response stored before there was one format (the
    scheduling service's own) holds the result's fields at the top level instead."""
    data = json.loads(stored)
    return data["result"] if isinstance(data, dict) and data.keys() == {"result"} else data


class UseCases:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        trail: AuditService,
        *,
        reads: tuple[str, ...] = (),
        writes: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.trail = trail
        self.reads = reads  # a read's scopes (any one will do) unless it names its own
        self.writes = writes  # a write's scope unless it names its own

    def scoped(self, *, read: tuple[str, ...], write: str) -> UseCases:
        """The same skeleton with a service's own scopes, declared once for its use cases."""
        return UseCases(self.db, self.clock, self.trail, reads=read, writes=write)

    async def run(self, body: Body[T]) -> T:
        """`body` in one write transaction, committed when it returns; run again (a few times) when
        the database could not complete it for a reason that goes away (see `_again`)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self.db.write() as s:
                    return await body(s, self.clock())
            except (Conflict, Unavailable) as exc:
                if attempt < ATTEMPTS and _again(exc):
                    await asyncio.sleep(0.01 * attempt)
                    continue
                raise
        raise AssertionError("unreachable")

    async def write(
        self,
        p: Principal,
        action: str,
        record_type: str | None,
        record_id: object,
        body: Body[T],
        result: type[T],
        idem: Idempotency | None = None,
        *,
        scope: str | None = None,
        destroys: str | None = None,
        consent: Consent = Consent.MISSING,
    ) -> T:
        """A caller's write. `action`, `record_type` and `record_id` name a refusal's audit entry;
        `result` is the type `body` returns (how a keyed call's result is stored and replayed).
        A destructive write says what it destroys ("cancelling an appointment"): it runs only with the
        person's `consent`, checked after the scope (a caller who may not make the change is told so
        rather than asked to confirm it)."""
        needed = scope or self.writes
        if not needed:
            raise TypeError(f"{action}: a write names its scope (or its service a default)")
        async with on_failure(self.trail, p, action, record_type, record_id):
            p.require(needed)
            if destroys is not None:
                require(consent, destroys)
            if idem is None:
                return await self.run(body)
            return await self.run(_keyed(p, idem, _adapter(result), body))

    async def read(
        self,
        p: Principal,
        action: str,
        record_type: str | None,
        record_id: object,
        body: Body[T],
        *,
        scopes: tuple[str, ...] | None = None,
    ) -> T:
        """An audited read: the caller holds one of `scopes`; the entries `body` records are stored
        before its answer is returned (if they cannot be, the read fails)."""
        needed = scopes or self.reads
        if not needed:
            raise TypeError(f"{action}: a read names its scopes (or its service a default)")
        async with on_failure(self.trail, p, action, record_type, record_id):
            p.require_any(*needed)
            async with self.trail.reading() as s:
                return await body(s, self.clock())


def _keyed(p: Principal, idem: Idempotency, adapter: TypeAdapter[Any], body: Body[T]) -> Body[T]:
    """`body` behind an idempotency key: claimed first; an earlier call's stored result is replayed."""

    async def keyed(s: AsyncSession, now: datetime) -> T:
        claim = await idempotency.claim(s, p, idem, now)
        if claim.stored is not None:
            replayed: T = adapter.validate_python(stored_result(claim.stored))
            return replayed
        out = await body(s, now)
        claim.keep({"result": adapter.dump_python(out, mode="json")})
        return out

    return keyed
