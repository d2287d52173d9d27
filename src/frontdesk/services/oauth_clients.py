"""OAuth clients: one global registry (dynamic registration, RFC 7591), and per practice the grants
each client holds. Client secrets are stored as SHA-256 hashes only."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import NotFound
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.oauth_model import digest, scope_list
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import oauth as repo


@dataclass(frozen=True, slots=True)
class ClientRecord:
    client_id: str
    name: str | None
    metadata_json: str
    confidential: bool
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class GrantInfo:
    id: int
    client_id: str
    actor: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime


class ClientService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc
        self.db = uc.db
        self.clock = uc.clock

    async def register_client(self, client_id: str, secret: str | None, name: str | None, meta: str) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            s.add(
                m.OAuthClient(
                    client_id=client_id,
                    secret_hash=digest(secret) if secret else None,
                    name=(name or "")[:200] or None,
                    metadata_json=meta,
                    created_at=now,
                )
            )

        await self.uc.run(body)

    async def get_client(self, client_id: str) -> ClientRecord | None:
        async with self.db.read() as s:
            row = await repo.client(s, client_id[:64])
            return None if row is None or row.revoked_at is not None else _client(row)

    async def authenticate_client(self, client_id: str, secret: str | None) -> bool:
        async with self.db.read() as s:
            row = await repo.client(s, client_id[:64])
        if row is None or row.revoked_at is not None:
            return False
        if row.secret_hash is None:
            return True  # a public client: PKCE is its proof
        return secret is not None and hmac.compare_digest(row.secret_hash, digest(secret))

    async def list_clients(self) -> list[ClientRecord]:
        async with self.db.read() as s:
            return [_client(r) for r in await repo.clients(s)]

    async def revoke_client(self, client_id: str) -> int:
        """Remove a registration everywhere: no new sign-ins, and every practice's grants to it end."""

        async def body(s: AsyncSession, now: datetime) -> int:
            row = await repo.client(s, client_id)
            if row is None:
                raise NotFound(f"no client {client_id!r}", field="client_id")
            row.revoked_at = row.revoked_at or now
            count = 0
            for practice in await dir_repo.list_practices(s):
                n = await repo.revoke_grants(s, practice.id, now, "client_revoked", client_id=client_id)
                if n:
                    await audit.record(
                        s, Principal(practice.id, "cli"), now, "oauth.client_revoke", detail=client_id
                    )
                count += n
            return count

        return await self.uc.run(body)

    async def grants(self, slug: str) -> list[GrantInfo]:
        async with self.db.read() as s:
            practice = await _practice(s, slug)
            rows = await repo.live_grants(s, practice.id, self.clock())
            return [
                GrantInfo(r.id, r.client_id, r.actor, scope_list(r.scopes), r.created_at, r.expires_at)
                for r in rows
            ]

    async def revoke_client_in(self, slug: str, client_id: str) -> int:
        async def body(s: AsyncSession, now: datetime) -> int:
            practice = await _practice(s, slug)
            n = await repo.revoke_grants(s, practice.id, now, "client_revoked", client_id=client_id)
            await audit.record(s, Principal(practice.id, "cli"), now, "oauth.client_revoke", detail=client_id)
            return n

        return await self.uc.run(body)


def _client(row: m.OAuthClient) -> ClientRecord:
    return ClientRecord(
        row.client_id,
        row.name,
        row.metadata_json,
        row.secret_hash is not None,
        row.created_at,
        row.revoked_at,
    )


async def _practice(s: AsyncSession, slug: str) -> m.Practice:
    row = await dir_repo.practice_by_slug(s, slug)
    if row is None:
        raise NotFound(f"no practice with slug {slug!r}", field="practice")
    return row
