"""Practices and their secret keys (shown once, SHA-256 at rest)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import validation
from frontdesk.domain.errors import Conflict, NotFound
from frontdesk.domain.timeparse import zone
from frontdesk.services import audit, dto, mapping
from frontdesk.services.context import ALL_SCOPES, Principal
from frontdesk.services.credentials import CredentialCache
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import keys as repo
from frontdesk.storage.repositories import oauth as oauth_repo

KEY_PREFIX = "fd_sk_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def practice_of_key(secret: str) -> int | None:
    """Keys read fd_sk_<practice id>_<random>: the practice id keeps the lookup inside one practice."""
    if not secret.startswith(KEY_PREFIX):
        return None
    head, _, rest = secret[len(KEY_PREFIX) :].partition("_")
    if not head.isdigit() or len(rest) < 32:
        return None
    return int(head)


class PracticeService:
    """The CLI's practice and key commands (no caller to check: whoever runs the CLI owns the
    database) and the check of a key presented as a bearer token."""

    def __init__(self, uc: UseCases) -> None:
        self.uc = uc
        self.db = uc.db
        self.verified: CredentialCache[Principal] = CredentialCache(uc.clock)

    async def create(self, slug: str, name: str, timezone: str) -> dto.PracticeInfo:
        validation.slug(slug)
        zone(timezone)
        name = validation.required_text(name, field="name", max_len=200)

        async def body(s: AsyncSession, now: datetime) -> dto.PracticeInfo:
            if await dir_repo.practice_by_slug(s, slug) is not None:
                raise Conflict(f"a practice with slug {slug!r} already exists", field="slug")
            row = m.Practice(slug=slug, name=name, timezone=timezone, created_at=now)
            s.add(row)
            await s.flush()
            return mapping.practice(row)

        return await self.uc.run(body)

    async def get(self, slug: str) -> dto.PracticeInfo:
        async with self.db.read() as s:
            row = await dir_repo.practice_by_slug(s, slug)
            if row is None:
                raise NotFound(f"no practice with slug {slug!r}", field="practice")
            return mapping.practice(row)

    async def by_id(self, practice_id: int) -> dto.PracticeInfo:
        async with self.db.read() as s:
            row = await dir_repo.practice_by_id(s, practice_id)
            if row is None:
                raise NotFound("no such practice", field="practice")
            return mapping.practice(row)

    async def list_all(self) -> list[dto.PracticeInfo]:
        async with self.db.read() as s:
            return [mapping.practice(r) for r in await dir_repo.list_practices(s)]

    async def create_key(self, slug: str, name: str) -> dto.NewApiKey:
        name = validation.required_text(name, field="name")

        async def body(s: AsyncSession, now: datetime) -> dto.NewApiKey:
            practice = await _practice(s, slug)
            return await _add_key(s, practice.id, name, now)

        return await self.uc.run(body)

    async def list_keys(self, slug: str) -> list[dto.ApiKeyInfo]:
        async with self.db.read() as s:
            practice = await _practice(s, slug)
            return [mapping.api_key(r) for r in await repo.list_for(s, practice.id)]

    async def revoke_key(self, slug: str, key_id: int) -> dto.ApiKeyInfo:
        """Revoke a key at once: the key itself and every access token issued for it (client credentials)."""

        async def body(s: AsyncSession, now: datetime) -> dto.ApiKeyInfo:
            practice = await _practice(s, slug)
            row = await _key(s, practice.id, key_id, slug)
            await _revoke(s, row, now, "key.revoke")
            return mapping.api_key(row)

        return await self.uc.run(body)

    async def rotate_key(self, slug: str, key_id: int) -> dto.NewApiKey:
        """Replace a key: the old one (and its tokens) stop working immediately; the new one, with the
        same name, is returned once."""

        async def body(s: AsyncSession, now: datetime) -> dto.NewApiKey:
            practice = await _practice(s, slug)
            old = await _key(s, practice.id, key_id, slug)
            if old.revoked_at is not None:
                raise Conflict(f"key {key_id} is already revoked; create a new one instead", field="key_id")
            await _revoke(s, old, now, "key.rotate")
            return await _add_key(s, practice.id, old.name, now)

        return await self.uc.run(body)

    async def verify_key(self, secret: str) -> Principal | None:
        """The practice a live key belongs to, or None. Unknown, malformed and revoked keys look alike."""
        practice_id = practice_of_key(secret)
        if practice_id is None:
            return None
        hashed = hash_key(secret)
        known = self.verified.get(hashed)
        if known is not None:
            return known
        stamp = self.verified.stamp()
        async with self.db.read() as s:
            row = await repo.by_hash(s, practice_id, hashed)
            if row is None or row.revoked_at is not None:
                return None
            principal = Principal(practice_id=practice_id, actor=f"key:{row.id}", scopes=ALL_SCOPES)
        self.verified.put(hashed, principal, stamp)
        return principal


async def _practice(s: AsyncSession, slug: str) -> m.Practice:
    row = await dir_repo.practice_by_slug(s, slug)
    if row is None:
        raise NotFound(f"no practice with slug {slug!r}", field="practice")
    return row


async def _add_key(s: AsyncSession, practice_id: int, name: str, now: datetime) -> dto.NewApiKey:
    secret = f"{KEY_PREFIX}{practice_id}_{secrets.token_urlsafe(32)}"
    row = m.ApiKey(
        practice_id=practice_id,
        name=name,
        key_hash=hash_key(secret),
        prefix=secret[: len(KEY_PREFIX) + len(str(practice_id)) + 5],
        created_at=now,
    )
    s.add(row)
    await s.flush()
    await audit.record(s, Principal(practice_id, "cli"), now, "key.create", "api_key", row.id)
    return dto.NewApiKey(info=mapping.api_key(row), secret=secret)


async def _key(s: AsyncSession, practice_id: int, key_id: int, slug: str) -> m.ApiKey:
    row = await repo.get(s, practice_id, key_id)
    if row is None:
        raise NotFound(f"no key with id {key_id} in practice {slug!r}", field="key_id")
    return row


async def _revoke(s: AsyncSession, row: m.ApiKey, now: datetime, action: str) -> None:
    if row.revoked_at is None:
        row.revoked_at = now
        await audit.record(s, Principal(row.practice_id, "cli"), now, action, "api_key", row.id)
    await oauth_repo.revoke_grants(s, row.practice_id, now, "key_revoked", actor=f"key:{row.id}")
