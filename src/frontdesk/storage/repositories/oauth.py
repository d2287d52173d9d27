"""OAuth clients (a global registry) and, per practice, authorizations, grants and tokens.
Every secret is looked up by its SHA-256 hash; the practice id comes from the secret's prefix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Result, and_, bindparam, delete, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage import revocations
from frontdesk.storage.models import OAuthAuthorization, OAuthClient, OAuthGrant, OAuthToken

# --- clients ---------------------------------------------------------------------------------------


async def client(s: AsyncSession, client_id: str) -> OAuthClient | None:
    return await s.get(OAuthClient, client_id)


async def clients(s: AsyncSession) -> Sequence[OAuthClient]:
    return (await s.execute(select(OAuthClient).order_by(OAuthClient.created_at))).scalars().all()


# --- authorizations ----------------------------------------------------------------------------------


async def authorization_by_consent(
    s: AsyncSession, practice_id: int, digest: str
) -> OAuthAuthorization | None:
    q = select(OAuthAuthorization).where(
        OAuthAuthorization.practice_id == practice_id, OAuthAuthorization.consent_hash == digest
    )
    return (await s.execute(q)).scalar_one_or_none()


async def authorization_by_code(s: AsyncSession, practice_id: int, digest: str) -> OAuthAuthorization | None:
    q = select(OAuthAuthorization).where(
        OAuthAuthorization.practice_id == practice_id, OAuthAuthorization.code_hash == digest
    )
    return (await s.execute(q)).scalar_one_or_none()


async def decide(s: AsyncSession, row: OAuthAuthorization, decision: str, now: datetime) -> bool:
    """Record the approve/deny decision once; False when it was already decided (a replayed form)."""
    q = (
        update(OAuthAuthorization)
        .where(
            OAuthAuthorization.practice_id == row.practice_id,
            OAuthAuthorization.id == row.id,
            OAuthAuthorization.decision.is_(None),
        )
        .values(decision=decision, decided_at=now)
    )
    return _rows(await s.execute(q)) == 1


async def use_code(s: AsyncSession, row: OAuthAuthorization, now: datetime) -> bool:
    """Mark the code used; False when another exchange got there first (a replayed code)."""
    q = (
        update(OAuthAuthorization)
        .where(
            OAuthAuthorization.practice_id == row.practice_id,
            OAuthAuthorization.id == row.id,
            OAuthAuthorization.code_used_at.is_(None),
        )
        .values(code_used_at=now)
    )
    return _rows(await s.execute(q)) == 1


async def reload(s: AsyncSession, row: OAuthAuthorization) -> None:
    """Read the authorization again (what a concurrent exchange committed meanwhile)."""
    await s.refresh(row)


# --- grants and tokens --------------------------------------------------------------------------------


async def grant(s: AsyncSession, practice_id: int, grant_id: int) -> OAuthGrant | None:
    q = select(OAuthGrant).where(OAuthGrant.practice_id == practice_id, OAuthGrant.id == grant_id)
    return (await s.execute(q)).scalar_one_or_none()


# Run on every request an access token authenticates: built once (see repositories/directory.py).
_TOKEN_WITH_GRANT = (
    select(OAuthToken, OAuthGrant)
    .join(
        OAuthGrant,
        (OAuthGrant.practice_id == OAuthToken.practice_id) & (OAuthGrant.id == OAuthToken.grant_id),
    )
    .where(
        OAuthToken.practice_id == bindparam("practice_id"),
        OAuthToken.token_hash == bindparam("digest"),
        OAuthToken.kind == bindparam("kind"),
    )
)


async def token_with_grant(
    s: AsyncSession, practice_id: int, digest: str, kind: str
) -> tuple[OAuthToken, OAuthGrant] | None:
    params = {"practice_id": practice_id, "digest": digest, "kind": kind}
    row = (await s.execute(_TOKEN_WITH_GRANT, params)).first()
    return None if row is None else (row[0], row[1])


async def use_refresh(s: AsyncSession, token: OAuthToken, now: datetime) -> bool:
    """Mark a refresh token rotated; False when it already was (a replayed refresh token)."""
    q = (
        update(OAuthToken)
        .where(
            OAuthToken.practice_id == token.practice_id,
            OAuthToken.id == token.id,
            OAuthToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return _rows(await s.execute(q)) == 1


async def revoke_grant(s: AsyncSession, practice_id: int, grant_id: int, now: datetime, reason: str) -> None:
    q = (
        update(OAuthGrant)
        .where(
            OAuthGrant.practice_id == practice_id, OAuthGrant.id == grant_id, OAuthGrant.revoked_at.is_(None)
        )
        .values(revoked_at=now, revoke_reason=reason)
    )
    revocations.mark(s)
    await s.execute(q)


async def revoke_grants(
    s: AsyncSession,
    practice_id: int,
    now: datetime,
    reason: str,
    *,
    actor: str | None = None,
    client_id: str | None = None,
) -> int:
    """Revoke every live grant of one actor (a user or a key) and/or one client in a practice."""
    q = update(OAuthGrant).where(OAuthGrant.practice_id == practice_id, OAuthGrant.revoked_at.is_(None))
    if actor is not None:
        q = q.where(OAuthGrant.actor == actor)
    if client_id is not None:
        q = q.where(OAuthGrant.client_id == client_id)
    revocations.mark(s)
    result = await s.execute(q.values(revoked_at=now, revoke_reason=reason))
    return _rows(result)


async def live_grants(s: AsyncSession, practice_id: int, now: datetime) -> Sequence[OAuthGrant]:
    q = (
        select(OAuthGrant)
        .where(
            OAuthGrant.practice_id == practice_id,
            OAuthGrant.revoked_at.is_(None),
            OAuthGrant.expires_at > now,
        )
        .order_by(OAuthGrant.id)
    )
    return (await s.execute(q)).scalars().all()


async def purge_expired(s: AsyncSession, before: datetime) -> int:
    """Delete, in every practice (a maintenance job), tokens that expired before `before`, and grants
    whose absolute lifetime ended before it with their tokens and authorizations; also consents
    that expired unanswered. Returns how many rows went."""
    dead = select(OAuthGrant.practice_id, OAuthGrant.id).where(OAuthGrant.expires_at < before)
    gone = 0
    gone += _rows(
        await s.execute(
            delete(OAuthToken).where(
                or_(
                    OAuthToken.expires_at < before,
                    tuple_(OAuthToken.practice_id, OAuthToken.grant_id).in_(dead),
                )
            )
        )
    )
    a = OAuthAuthorization
    gone += _rows(
        await s.execute(
            delete(a).where(
                or_(
                    tuple_(a.practice_id, a.grant_id).in_(dead),
                    and_(a.grant_id.is_(None), a.consent_expires_at < before),
                )
            )
        )
    )
    gone += _rows(await s.execute(delete(OAuthGrant).where(OAuthGrant.expires_at < before)))
    return gone


def _rows(result: Result[Any]) -> int:
    """How many rows an UPDATE changed (a CursorResult's rowcount)."""
    return int(getattr(result, "rowcount", 0))
