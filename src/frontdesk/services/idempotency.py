"""Idempotency keys for write tools: the same key and arguments give the first result again; the same
key with other arguments is refused. The key is stored in the same transaction as the write it guards,
and claimed before that write, so a concurrent duplicate waits for the first and then replays it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Invalid
from frontdesk.services.context import Principal
from frontdesk.storage.models import IdempotencyKey

KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Idempotency:
    key: str
    fingerprint: str  # a hash of the call's name and arguments, made by the adapter


class InFlight(Exception):
    """Another transaction claimed the same key first; retry to replay its result."""


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX:
        raise Invalid(f"idempotency_key must be 1 to {KEY_MAX} characters", field="idempotency_key")
    return key


async def claim(s: AsyncSession, p: Principal, idem: Idempotency, now: datetime) -> str | None:
    """The stored response of an earlier call with this key, or None after claiming the key."""
    row = (
        await s.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.practice_id == p.practice_id,
                IdempotencyKey.actor == p.actor,
                IdempotencyKey.key == idem.key,
            )
        )
    ).scalar_one_or_none()
    if row is not None:
        if row.fingerprint != idem.fingerprint:
            raise Invalid(
                "idempotency_key was already used with different arguments; use a new key for a new request",
                field="idempotency_key",
            )
        return row.response
    s.add(
        IdempotencyKey(
            practice_id=p.practice_id,
            actor=p.actor,
            key=idem.key,
            fingerprint=idem.fingerprint,
            created_at=now,
        )
    )
    await s.flush()  # a concurrent claim of the same key now waits for this transaction
    return None


async def store(s: AsyncSession, p: Principal, idem: Idempotency, payload: dict[str, object]) -> None:
    row = (
        await s.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.practice_id == p.practice_id,
                IdempotencyKey.actor == p.actor,
                IdempotencyKey.key == idem.key,
            )
        )
    ).scalar_one()
    row.response = json.dumps(payload, default=str)
