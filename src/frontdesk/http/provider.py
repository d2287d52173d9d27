"""The mcp SDK's OAuthAuthorizationServerProvider, backed by Frontdesk's services and database.

The SDK's handlers do the protocol work (request parsing, PKCE S256 verification, redirect_uri
equality between /authorize and /token, error shapes); this adapter supplies clients, codes and tokens,
and the checks the SDK leaves to the provider: redirect-URI matching (exact, loopback port aside),
the RFC 8707 resource, hashed client secrets."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    RegistrationError,
    TokenError,
)
from mcp.shared.auth import (
    InvalidRedirectUriError,
    OAuthClientInformationFull,
    OAuthToken,
)
from pydantic import AnyHttpUrl, AnyUrl, ValidationError
from starlette.requests import Request

from frontdesk.composition import Frontdesk
from frontdesk.domain.access import expand
from frontdesk.http.settings import HttpSettings
from frontdesk.services.oauth import Issued, TokenRefused

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "about", "blob"})


def same_redirect(requested: str, registered: str) -> bool:
    """Exact match; for a loopback http redirect (RFC 8252 section 7.3) any port is accepted."""
    if requested == registered:
        return True
    a, b = urlsplit(requested), urlsplit(registered)
    return (
        a.scheme == b.scheme == "http"
        and a.hostname in LOOPBACK
        and a.hostname == b.hostname
        and (a.path or "/") == (b.path or "/")
        and a.query == b.query
        and a.fragment == b.fragment == ""
    )


def same_resource(a: str, b: str) -> bool:
    """Compare resource indicators as URLs (host case, default ports), a trailing slash aside."""
    try:
        return str(AnyHttpUrl(a)).removesuffix("/") == str(AnyHttpUrl(b)).removesuffix("/")
    except ValidationError:
        return False


class FrontdeskClient(OAuthClientInformationFull):
    """A registered client, with Frontdesk's redirect and scope rules."""

    def validate_redirect_uri(self, redirect_uri: AnyUrl | None) -> AnyUrl:
        if redirect_uri is None:
            return super().validate_redirect_uri(None)
        if any(same_redirect(str(redirect_uri), str(r)) for r in self.redirect_uris or []):
            return redirect_uri
        raise InvalidRedirectUriError(f"Redirect URI '{redirect_uri}' not registered for client")

    def validate_scope(self, requested_scope: str | None) -> list[str] | None:
        """Known scopes (and wildcards like `billing:*`); unknown ones are ignored (RFC 6749 3.3)."""
        if requested_scope is None:
            return None
        known = [s for s in requested_scope.split() if expand({s})]
        return known or None


class FrontdeskAuthCode(AuthorizationCode):
    pass


class FrontdeskRefreshToken(RefreshToken):
    practice_id: int
    grant_id: int


class FrontdeskAccessToken(AccessToken):
    practice_id: int
    grant_id: int


def _token(issued: Issued) -> OAuthToken:
    return OAuthToken(
        access_token=issued.access_token,
        token_type="Bearer",
        expires_in=issued.expires_in,
        scope=" ".join(issued.scopes),
        refresh_token=issued.refresh_token,
    )


def check_redirect_uris(client: OAuthClientInformationFull) -> None:
    for uri in client.redirect_uris or []:
        parts = urlsplit(str(uri))
        scheme = parts.scheme.lower()
        if scheme in FORBIDDEN_SCHEMES or parts.fragment:
            raise RegistrationError("invalid_redirect_uri", f"redirect URI {uri} is not allowed")
        if scheme == "http" and parts.hostname not in LOOPBACK:
            raise RegistrationError("invalid_redirect_uri", "http redirect URIs must be loopback; use https")


class FrontdeskProvider:
    """OAuthAuthorizationServerProvider[FrontdeskAuthCode, FrontdeskRefreshToken, FrontdeskAccessToken]."""

    def __init__(self, app: Frontdesk, settings: HttpSettings) -> None:
        self.app = app
        self.settings = settings

    async def get_client(self, client_id: str) -> FrontdeskClient | None:
        record = await self.app.clients.get_client(client_id)
        if record is None:
            return None
        return FrontdeskClient.model_validate_json(record.metadata_json)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        check_redirect_uris(client_info)
        meta = client_info.model_dump_json(exclude={"client_secret"})
        await self.app.clients.register_client(
            client_info.client_id or "", client_info.client_secret, client_info.client_name, meta
        )

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        """Send the browser to the sign-in page, carrying the (already validated) request."""
        resource = self.settings.resource_url
        if params.resource is not None:
            named = self.settings.known_resource(params.resource)
            if named is None:
                raise AuthorizeError("invalid_target", self.resource_refusal())
            resource = named
        query: dict[str, str] = {
            "client_id": client.client_id or "",
            "code_challenge": params.code_challenge,
            "code_challenge_method": "S256",
            "response_type": "code",
            "resource": resource,
        }
        if params.redirect_uri_provided_explicitly:
            query["redirect_uri"] = str(params.redirect_uri)
        if params.state is not None:
            query["state"] = params.state
        if params.scopes:
            query["scope"] = " ".join(params.scopes)
        return f"{self.settings.public_url}/oauth/signin?{urlencode(query)}"

    def resource_refusal(self) -> str:
        return "this server only issues tokens for " + ", ".join(self.settings.resource_urls)

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> FrontdeskAuthCode | None:
        code = await self.app.oauth.load_code(client.client_id or "", authorization_code)
        if code is None:
            return None
        return FrontdeskAuthCode(
            code=authorization_code,
            scopes=list(code.scopes),
            expires_at=code.expires_at.timestamp(),
            client_id=code.client_id,
            code_challenge=code.code_challenge,
            redirect_uri=AnyUrl(code.redirect_uri),
            redirect_uri_provided_explicitly=code.redirect_uri_explicit,
            resource=code.resource,
            subject=code.actor,
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: FrontdeskAuthCode
    ) -> OAuthToken:
        try:
            return _token(await self.app.oauth.exchange_code(client.client_id or "", authorization_code.code))
        except TokenRefused as exc:
            raise TokenError("invalid_grant", exc.message) from None

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> FrontdeskRefreshToken | None:
        info = await self.app.oauth.load_refresh(client.client_id or "", refresh_token)
        if info is None:
            return None
        return FrontdeskRefreshToken(
            token=refresh_token,
            client_id=info.client_id,
            scopes=list(info.scopes),
            expires_at=int(info.expires_at.timestamp()),
            resource=info.resource,
            subject=info.actor,
            practice_id=info.practice_id,
            grant_id=info.grant_id,
        )

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: FrontdeskRefreshToken, scopes: list[str]
    ) -> OAuthToken:
        try:
            issued = await self.app.oauth.exchange_refresh(
                client.client_id or "", refresh_token.token, scopes
            )
        except TokenRefused as exc:
            raise TokenError("invalid_grant", exc.message) from None
        return _token(issued)

    async def load_access_token(self, token: str) -> FrontdeskAccessToken | None:
        info = await self.app.oauth.verify_access(token)
        if info is None:
            return None
        return FrontdeskAccessToken(
            token=token,
            client_id=info.client_id,
            scopes=list(info.scopes),
            expires_at=int(info.expires_at.timestamp()),
            resource=info.resource,
            subject=info.actor,
            practice_id=info.practice_id,
            grant_id=info.grant_id,
        )

    async def revoke_token(self, token: FrontdeskAccessToken | FrontdeskRefreshToken) -> None:
        await self.app.oauth.revoke(token.practice_id, token.grant_id, token.subject or token.client_id)

    async def exchange_identity_assertion(
        self, client: OAuthClientInformationFull, params: Any
    ) -> OAuthToken:
        raise TokenError("unsupported_grant_type", "the JWT bearer grant is not supported")


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """RFC 6749 section 2.3.1 HTTP Basic client credentials, URL-decoded; None when absent or malformed."""
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


class FrontdeskClientAuthenticator(ClientAuthenticator):
    """Client authentication at /token and /revoke against hashed secrets (the SDK's compares plain ones)."""

    def __init__(self, provider: FrontdeskProvider) -> None:
        super().__init__(provider)
        self.frontdesk = provider

    async def authenticate_request(self, request: Request) -> OAuthClientInformationFull:
        form = await request.form()
        client_id = form.get("client_id")
        secret = form.get("client_secret")
        basic = basic_credentials(request)
        if basic is not None:
            if client_id is not None and client_id != basic[0]:
                raise AuthenticationError("Client ID mismatch in Basic auth")
            client_id, secret = basic
        if not isinstance(client_id, str) or not client_id:
            raise AuthenticationError("Missing client_id")
        client = await self.frontdesk.get_client(client_id)
        if client is None:
            raise AuthenticationError("Invalid client_id")
        if client.token_endpoint_auth_method != "none":
            given = secret if isinstance(secret, str) else None
            if not given or not await self.frontdesk.app.clients.authenticate_client(client_id, given):
                raise AuthenticationError("Invalid client credentials")
        return client
