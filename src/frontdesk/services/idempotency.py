"""Idempotency keys for write tools: the same key and arguments give the first result again; the same
key with other arguments is refused. The key is stored in the same transaction as the write it guards,
and claimed before that write, so a concurrent duplicate waits for the first and then replays it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Invalid
from frontdesk.services.context import Principal
from frontdesk.storage.models import IdempotencyKey
from frontdesk.storage.repositories import idempotency as repo

KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Idempotency:
    key: str
    fingerprint: str  # a hash of the call's name and arguments, made by the adapter


@dataclass(frozen=True, slots=True)
class Claim:
    """A key claimed in this transaction (`stored` None: run the write, then `keep` its result), or
    the key of an earlier call (`stored`: that call's result, to replay)."""

    row: IdempotencyKey
    stored: str | None

    def keep(self, payload: dict[str, object]) -> None:
        self.row.response = json.dumps(payload, default=str)


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX:
        raise Invalid(f"idempotency_key must be 1 to {KEY_MAX} characters", field="idempotency_key")
    return key


async def claim(s: AsyncSession, p: Principal, idem: Idempotency, now: datetime) -> Claim:
    row = await repo.find(s, p.practice_id, p.actor, idem.key)
    if row is not None:
        if row.fingerprint != idem.fingerprint:
            raise Invalid(
                "idempotency_key was already used with different arguments; use a new key for a new request",
                field="idempotency_key",
            )
        return Claim(row, row.response)
    row = IdempotencyKey(
        practice_id=p.practice_id, actor=p.actor, key=idem.key, fingerprint=idem.fingerprint, created_at=now
    )
    await repo.add(s, row)
    return Claim(row, None)
