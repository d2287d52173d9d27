"""OAuth 2.1 authorization server state: clients, consents, single-use codes, token families.

Every code and token is an opaque random string (`fd_ac_` code, `fd_at_` access, `fd_rt_` refresh,
`fd_cs_` consent, each followed by `<practice id>_`), stored only as its SHA-256 hash, so revoking
one takes effect on the very next request. A grant is a token family: a reused code or a replayed
refresh token revokes the whole family; refresh tokens rotate and never outlive the grant's absolute
lifetime. PKCE and redirect checks happen in the HTTP adapter (the mcp SDK's handlers)."""

from __future__ import annotations

import asyncio
import hmac
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.access import ALL_SCOPES, Role, expand, granted
from frontdesk.domain.errors import Forbidden, FrontdeskError
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.credentials import CredentialCache
from frontdesk.services.oauth_model import (
    ACCESS,
    CODE,
    CONSENT,
    REFRESH,
    AuthRequest,
    CodeGrant,
    Consent,
    Decision,
    Issued,
    OAuthSettings,
    TokenInfo,
    TokenRefused,
    digest,
    earliest,
    mint,
    practice_of,
    scope_list,
)
from frontdesk.services.practices import KEY_PREFIX, hash_key
from frontdesk.services.practices import practice_of_key as key_practice
from frontdesk.services.staff import Identity
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import keys as keys_repo
from frontdesk.storage.repositories import oauth as repo
from frontdesk.storage.repositories import staff as staff_repo

logger = logging.getLogger(__name__)
PURGE_GRACE = timedelta(days=1)

__all__ = [
    "ACCESS",
    "CODE",
    "CONSENT",
    "REFRESH",
    "AuthRequest",
    "CodeGrant",
    "Consent",
    "Decision",
    "Issued",
    "OAuthService",
    "OAuthSettings",
    "TokenInfo",
    "TokenRefused",
    "digest",
    "practice_of",
]


class OAuthService:
    def __init__(self, uc: UseCases, settings: OAuthSettings | None = None) -> None:
        self.uc = uc
        self.db = uc.db
        self.clock = uc.clock
        self.settings = settings or OAuthSettings.from_env()
        self.verified: CredentialCache[TokenInfo] = CredentialCache(uc.clock)

    # --- the authorize page --------------------------------------------------------------------------

    async def begin_consent(self, who: Identity, req: AuthRequest, client_name: str) -> Consent:
        """After sign-in: what the user is asked to approve (requested scopes within the role)."""
        scopes = tuple(sorted(granted(who.role, set(req.scopes) if req.scopes else None)))
        if not scopes:
            raise Forbidden("your role allows none of the permissions this application asked for")
        token = mint(CONSENT, who.practice_id)

        async def body(s: AsyncSession, now: datetime) -> None:
            s.add(
                m.OAuthAuthorization(
                    practice_id=who.practice_id,
                    user_id=who.user_id,
                    client_id=req.client_id,
                    scopes=" ".join(scopes),
                    resource=req.resource,
                    redirect_uri=req.redirect_uri,
                    redirect_uri_explicit=req.redirect_uri_explicit,
                    code_challenge=req.code_challenge,
                    state=req.state,
                    consent_hash=digest(token),
                    consent_expires_at=now + timedelta(seconds=self.settings.consent_seconds),
                    created_at=now,
                )
            )

        await self.uc.run(body)
        return Consent(
            token, req.client_id, client_name, who.practice_slug, who.practice_name, who.name, scopes
        )

    async def decide(self, consent_token: str, approve: bool) -> Decision:
        practice_id = practice_of(CONSENT, consent_token)
        stale = Forbidden(
            "this sign-in has expired or was already answered; start again from the application"
        )
        if practice_id is None:
            raise stale

        async def body(s: AsyncSession, now: datetime) -> Decision:
            row = await repo.authorization_by_consent(s, practice_id, digest(consent_token))
            if row is None or row.consent_expires_at < now:
                raise stale
            if not await repo.decide(s, row, "approved" if approve else "denied", now):
                raise stale
            who = Principal(practice_id, f"user:{row.user_id}", client=row.client_id)
            if not approve:
                await audit.record(s, who, now, "oauth.deny", "oauth_client", row.client_id)
                return Decision(row.redirect_uri, row.state, None)
            code = mint(CODE, practice_id)
            row.code_hash = digest(code)
            row.code_expires_at = now + timedelta(seconds=self.settings.code_seconds)
            await audit.record(s, who, now, "oauth.approve", "oauth_client", row.client_id, detail=row.scopes)
            return Decision(row.redirect_uri, row.state, code)

        return await self.uc.run(body)

    # --- the token endpoint ---------------------------------------------------------------------------

    async def load_code(self, client_id: str, code: str) -> CodeGrant | None:
        """A live code of this client, or None. Presenting a used code revokes what it issued."""
        practice_id = practice_of(CODE, code)
        if practice_id is None:
            return None

        async def body(s: AsyncSession, now: datetime) -> CodeGrant | None:
            row = await repo.authorization_by_code(s, practice_id, digest(code))
            if row is None or row.client_id != client_id or row.code_expires_at is None:
                return None
            if row.code_used_at is not None:
                await self._code_replayed(s, row)
                return None
            if row.code_expires_at < now:
                return None
            return CodeGrant(
                code=code,
                client_id=row.client_id,
                scopes=scope_list(row.scopes),
                expires_at=row.code_expires_at,
                redirect_uri=row.redirect_uri,
                redirect_uri_explicit=row.redirect_uri_explicit,
                code_challenge=row.code_challenge,
                resource=row.resource,
                actor=f"user:{row.user_id}",
            )

        return await self.uc.run(body)

    async def exchange_code(self, client_id: str, code: str) -> Issued:
        practice_id = practice_of(CODE, code)
        if practice_id is None:
            raise TokenRefused("invalid_grant", "authorization code is not valid")

        async def body(s: AsyncSession, now: datetime) -> Issued | None:
            row = await repo.authorization_by_code(s, practice_id, digest(code))
            if row is not None and row.client_id == client_id and row.code_expires_at is not None:
                return await self._redeem(s, row)
            return None

        issued = await self.uc.run(body)
        if issued is None:  # raised only now, so a replay's revocation above is committed
            raise TokenRefused("invalid_grant", "authorization code is not valid")
        return issued

    async def _redeem(self, s: AsyncSession, row: m.OAuthAuthorization) -> Issued | None:
        now = self.clock()
        if not await repo.use_code(s, row, now):
            await repo.reload(s, row)  # the first exchange's grant, committed by now
            await self._code_replayed(s, row)
            return None
        if row.code_expires_at is None or row.code_expires_at < now:
            return None
        user = await staff_repo.get(s, row.practice_id, row.user_id)
        if user is None or user.disabled_at is not None:
            return None
        scopes = granted(Role(user.role), set(row.scopes.split()))
        if not scopes:
            return None
        grant = m.OAuthGrant(
            practice_id=row.practice_id,
            client_id=row.client_id,
            actor=f"user:{user.id}",
            user_id=user.id,
            scopes=" ".join(sorted(scopes)),
            resource=row.resource,
            created_at=now,
            expires_at=now + timedelta(seconds=self.settings.refresh_seconds),
        )
        s.add(grant)
        await s.flush()
        row.grant_id = grant.id
        return await self._issue(s, grant, now, refresh=True, action="oauth.token")

    async def load_refresh(self, client_id: str, token: str) -> TokenInfo | None:
        """A live refresh token of this client, or None. A rotated one presented again revokes its family."""
        practice_id = practice_of(REFRESH, token)
        if practice_id is None:
            return None

        async def body(s: AsyncSession, now: datetime) -> TokenInfo | None:
            found = await repo.token_with_grant(s, practice_id, digest(token), "refresh")
            if found is None or found[1].client_id != client_id:
                return None
            tok, grant = found
            if tok.used_at is not None:
                await self._refresh_replayed(s, grant)
                return None
            return self._live(tok, grant)

        return await self.uc.run(body)

    async def exchange_refresh(self, client_id: str, token: str, scopes: list[str]) -> Issued:
        """Rotate: the presented refresh token is spent, a new access and refresh token are issued in
        the same family, never beyond its absolute expiry nor the user's current role."""
        refused = TokenRefused("invalid_grant", "refresh token is not valid")
        practice_id = practice_of(REFRESH, token)
        if practice_id is None:
            raise refused

        async def body(s: AsyncSession, now: datetime) -> Issued | None:
            found = await repo.token_with_grant(s, practice_id, digest(token), "refresh")
            if found is not None and found[1].client_id == client_id:
                return await self._rotate(s, found[0], found[1], set(scopes))
            return None

        issued = await self.uc.run(body)
        if issued is None:  # raised only now, so a replay's revocation is committed
            raise refused
        return issued

    async def _rotate(
        self, s: AsyncSession, tok: m.OAuthToken, grant: m.OAuthGrant, scopes: set[str]
    ) -> Issued | None:
        now = self.clock()
        if not await repo.use_refresh(s, tok, now):
            await self._refresh_replayed(s, grant)
            return None
        if self._live(tok, grant) is None or grant.user_id is None:
            return None
        user = await staff_repo.get(s, grant.practice_id, grant.user_id)
        if user is None or user.disabled_at is not None:
            return None
        narrowed = set(granted(Role(user.role), scopes & set(grant.scopes.split())))
        if not narrowed:
            return None
        return await self._issue(s, grant, now, refresh=True, scopes=narrowed, action="oauth.refresh")

    async def verify_access(self, token: str) -> TokenInfo | None:
        practice_id = practice_of(ACCESS, token)
        if practice_id is None:
            return None
        hashed = digest(token)
        known = self.verified.get(hashed)
        if known is not None:
            return known
        stamp = self.verified.stamp()
        async with self.db.read() as s:
            found = await repo.token_with_grant(s, practice_id, hashed, "access")
            info = None if found is None else self._live(*found)
        if info is not None:
            self.verified.put(hashed, info, stamp, expires_at=info.expires_at)
        return info

    async def revoke(self, practice_id: int, grant_id: int, who: str) -> None:
        """RFC 7009: revoking either token of a family revokes the whole family."""

        async def body(s: AsyncSession, now: datetime) -> None:
            await repo.revoke_grant(s, practice_id, grant_id, now, "revoked")
            await audit.record(s, Principal(practice_id, who), now, "oauth.revoke", "oauth_grant", grant_id)

        await self.uc.run(body)

    async def client_credentials(
        self, client_id: str, secret: str, scope: str | None, resource: str
    ) -> Issued:
        """A practice secret key as a confidential client: client_id is the key's prefix."""
        refused = TokenRefused("invalid_client", "client authentication failed")
        practice_id = key_practice(secret) if secret.startswith(KEY_PREFIX) else None
        if practice_id is None:
            raise refused

        async def body(s: AsyncSession, now: datetime) -> Issued:
            key = await keys_repo.by_hash(s, practice_id, hash_key(secret))
            if key is None or key.revoked_at is not None or not hmac.compare_digest(key.prefix, client_id):
                raise refused
            scopes = expand(set(scope.split())) if scope else ALL_SCOPES
            if not scopes:
                raise TokenRefused("invalid_scope", "none of the requested scopes exist")
            grant = m.OAuthGrant(
                practice_id=practice_id,
                client_id=client_id,
                actor=f"key:{key.id}",
                key_id=key.id,
                scopes=" ".join(sorted(scopes)),
                resource=resource,
                created_at=now,
                expires_at=now + timedelta(seconds=self.settings.access_seconds),
            )
            s.add(grant)
            await s.flush()
            return await self._issue(s, grant, now, refresh=False, action="oauth.client_credentials")

        return await self.uc.run(body)

    # --- maintenance ------------------------------------------------------------------------------

    async def purge_expired(self) -> int:
        """Forget credentials that can never work again: tokens expired a day ago or more, grants past
        their absolute lifetime (with their tokens and authorizations), consents never answered. A
        day's grace keeps a just-expired refresh token recognisable, so its replay still reads as one."""

        async def body(s: AsyncSession, now: datetime) -> int:
            return await repo.purge_expired(s, now - PURGE_GRACE)

        return await self.uc.run(body)

    async def purger(self, interval: float = 3600.0) -> None:
        """Run until cancelled: purge every `interval` seconds (the first time at once)."""
        while True:
            try:
                gone = await self.purge_expired()
                if gone:
                    logger.info("purged %d expired OAuth rows", gone)
            except FrontdeskError as exc:  # the database is away; try again next round
                logger.warning("OAuth purge postponed: %s", exc.message)
            await asyncio.sleep(interval)

    # --- helpers ----------------------------------------------------------------------------------

    async def _issue(
        self,
        s: AsyncSession,
        grant: m.OAuthGrant,
        now: datetime,
        *,
        refresh: bool,
        action: str,
        scopes: set[str] | None = None,
    ) -> Issued:
        scope_text = " ".join(sorted(scopes)) if scopes is not None else grant.scopes
        access = mint(ACCESS, grant.practice_id)
        access_expiry = earliest(now + timedelta(seconds=self.settings.access_seconds), grant.expires_at)
        rows = [(access, "access", access_expiry)]
        refresh_token = mint(REFRESH, grant.practice_id) if refresh else None
        if refresh_token is not None:
            rows.append((refresh_token, "refresh", grant.expires_at))
        for secret, kind, expiry in rows:
            s.add(
                m.OAuthToken(
                    practice_id=grant.practice_id,
                    grant_id=grant.id,
                    kind=kind,
                    token_hash=digest(secret),
                    scopes=scope_text,
                    created_at=now,
                    expires_at=expiry,
                )
            )
        who = Principal(grant.practice_id, grant.actor, client=grant.client_id)
        await audit.record(s, who, now, action, "oauth_grant", grant.id, detail=scope_text)
        expires_in = max(1, int((access_expiry - now).total_seconds()))
        return Issued(access, refresh_token, expires_in, scope_list(scope_text))

    def _live(self, tok: m.OAuthToken, grant: m.OAuthGrant) -> TokenInfo | None:
        now = self.clock()
        if grant.revoked_at is not None or grant.expires_at <= now or tok.expires_at <= now:
            return None
        return TokenInfo(
            practice_id=tok.practice_id,
            grant_id=grant.id,
            actor=grant.actor,
            client_id=grant.client_id,
            scopes=scope_list(tok.scopes),
            resource=grant.resource,
            expires_at=tok.expires_at,
        )

    async def _code_replayed(self, s: AsyncSession, row: m.OAuthAuthorization) -> None:
        now = self.clock()
        who = Principal(row.practice_id, f"user:{row.user_id}", client=row.client_id)
        if row.grant_id is not None:
            await repo.revoke_grant(s, row.practice_id, row.grant_id, now, "code_replay")
        await audit.record(s, who, now, "oauth.code_replay", "oauth_grant", row.grant_id, outcome="revoked")

    async def _refresh_replayed(self, s: AsyncSession, grant: m.OAuthGrant) -> None:
        now = self.clock()
        await repo.revoke_grant(s, grant.practice_id, grant.id, now, "refresh_replay")
        who = Principal(grant.practice_id, grant.actor, client=grant.client_id)
        await audit.record(s, who, now, "oauth.refresh_replay", "oauth_grant", grant.id, outcome="revoked")
