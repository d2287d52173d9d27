"""The resource server side of /mcp: bearer-token verification and the 401/403 challenges.

OAuth access tokens are checked against the database (a verified one is trusted for a few ms); each
surface's endpoint then refuses any token issued for another resource (RFC 8707 audience). Practice
secret keys are accepted as bearer tokens only when FRONTDESK_ALLOW_STATIC_KEYS is set (development)."""

from __future__ import annotations

import hashlib
import json

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.types import ASGIApp, Receive, Scope, Send

from frontdesk.composition import Frontdesk
from frontdesk.domain.access import ALL_SCOPES
from frontdesk.domain.errors import Unavailable
from frontdesk.http.provider import same_resource
from frontdesk.http.settings import HttpSettings
from frontdesk.services.oauth import ACCESS
from frontdesk.services.practices import KEY_PREFIX

SUPPORTED_SCOPES = sorted(ALL_SCOPES)


def token_id(token: str) -> str:
    """What identifies a credential on a request: never the secret itself, a short digest of it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class FrontdeskTokenVerifier:
    """Accepts Frontdesk OAuth access tokens and, in development, practice secret keys."""

    def __init__(self, app: Frontdesk, settings: HttpSettings) -> None:
        self.app = app
        self.settings = settings

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            if token.startswith(ACCESS):
                return await self._oauth(token)
            if token.startswith(KEY_PREFIX) and self.settings.allow_static_keys:
                return await self._static_key(token)
        except Unavailable:
            return None
        return None

    async def _oauth(self, token: str) -> AccessToken | None:
        info = await self.app.oauth.verify_access(token)
        if info is None:
            return None
        return AccessToken(
            token=token_id(token),
            client_id=info.client_id,
            scopes=list(info.scopes),
            expires_at=int(info.expires_at.timestamp()),
            resource=info.resource,
            subject=info.actor,
            claims={"practice_id": info.practice_id, "actor": info.actor, "iss": self.settings.issuer},
        )

    async def _static_key(self, token: str) -> AccessToken | None:
        principal = await self.app.practices.verify_key(token)
        if principal is None:
            return None
        return AccessToken(
            token=token_id(token),
            client_id=principal.actor,
            scopes=sorted(principal.scopes),
            resource=None,  # a key is good at every surface of this server, and only here
            subject=principal.actor,
            claims={
                "practice_id": principal.practice_id,
                "actor": principal.actor,
                "iss": self.settings.issuer,
            },
        )


class RequireBearer:
    """401 without a valid token, 403 when the token grants no Frontdesk scope at all. Both carry
    `WWW-Authenticate: Bearer resource_metadata=..., scope=...` so a client can discover how to sign in
    (RFC 9728 section 5.1, MCP 2025-11-25 authorization)."""

    def __init__(self, app: ASGIApp, resource_metadata_url: str, resource: str) -> None:
        self.app = app
        self.resource_metadata_url = resource_metadata_url
        self.resource = resource

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if isinstance(user, AuthenticatedUser) and not self._for_me(user):
            user = None  # a token for another resource (RFC 8707 audience): as good as none here
        if not isinstance(user, AuthenticatedUser):
            presented = any(k == b"authorization" for k, _ in scope.get("headers", []))
            error = ("invalid_token", "the access token is missing, expired, revoked or for another server")
            await self._challenge(send, 401, error if presented else None)
            return
        if not set(user.scopes) & ALL_SCOPES:
            await self._challenge(send, 403, ("insufficient_scope", "this token grants no Frontdesk scope"))
            return
        await self.app(scope, receive, send)

    def _for_me(self, user: AuthenticatedUser) -> bool:
        """Each surface is its own resource: a token is good at the one it was issued for. A practice
        key (development) carries no resource and is good at every surface of this server."""
        resource = user.access_token.resource
        return resource is None or same_resource(resource, self.resource)

    async def _challenge(self, send: Send, status: int, error: tuple[str, str] | None) -> None:
        parts = []
        if error is not None:
            parts += [f'error="{error[0]}"', f'error_description="{error[1]}"']
        parts += [
            f'resource_metadata="{self.resource_metadata_url}"',
            f'scope="{" ".join(SUPPORTED_SCOPES)}"',
        ]
        body = json.dumps(
            {
                "error": error[0] if error else "unauthorized",
                "error_description": error[1] if error else "sign in to use Frontdesk",
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", f"Bearer {', '.join(parts)}".encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
