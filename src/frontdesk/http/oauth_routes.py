"""The authorization server's routes: RFC 8414 and RFC 9728 metadata, /authorize, /token (the SDK's
handler plus the client_credentials grant it lacks), /register (RFC 7591, can be turned off), /revoke."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.auth.handlers.authorize import AuthorizationHandler
from mcp.server.auth.handlers.metadata import MetadataHandler, ProtectedResourceMetadataHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.handlers.token import TokenHandler
from mcp.server.auth.middleware.client_auth import AuthenticationError
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.settings import ClientRegistrationOptions
from mcp.shared.auth import OAuthMetadata, ProtectedResourceMetadata
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from pydantic import AnyHttpUrl
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp

from frontdesk.http.auth import SUPPORTED_SCOPES
from frontdesk.http.provider import (
    FrontdeskAccessToken,
    FrontdeskClientAuthenticator,
    FrontdeskProvider,
    FrontdeskRefreshToken,
    basic_credentials,
)
from frontdesk.http.settings import HttpSettings
from frontdesk.mcp.server import SURFACES
from frontdesk.services.oauth import TokenRefused

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _cors(app: ASGIApp, methods: list[str]) -> ASGIApp:
    """Browser-based MCP clients call these endpoints from their own origin."""
    headers = [MCP_PROTOCOL_VERSION_HEADER, "Authorization"]
    return CORSMiddleware(app, allow_origins="*", allow_methods=methods, allow_headers=headers)


def authorization_server_metadata(settings: HttpSettings) -> OAuthMetadata:
    base = settings.issuer
    return OAuthMetadata.model_validate(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "registration_endpoint": f"{base}/register" if settings.dynamic_registration else None,
            "revocation_endpoint": f"{base}/revoke",
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "scopes_supported": SUPPORTED_SCOPES,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
        }
    )


def protected_resource_metadata(settings: HttpSettings, resource: str) -> ProtectedResourceMetadata:
    return ProtectedResourceMetadata.model_validate(
        {
            "resource": resource,
            "authorization_servers": [settings.issuer],
            "scopes_supported": SUPPORTED_SCOPES,
            "bearer_methods_supported": ["header"],
            "resource_name": "Frontdesk",
        }
    )


def resource_metadata_url(resource: str) -> str:
    return str(build_resource_metadata_url(AnyHttpUrl(resource)))


def oauth_error(
    error: str, description: str, status: int = 400, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers=NO_STORE | (headers or {}),
    )


class TokenEndpoint:
    """POST /token. client_credentials (a practice secret key) is handled here; the authorization_code
    and refresh_token grants go to the SDK's handler, after the RFC 8707 resource check."""

    def __init__(self, provider: FrontdeskProvider, authenticator: FrontdeskClientAuthenticator) -> None:
        self.provider = provider
        self.settings = provider.settings
        self.sdk = TokenHandler(provider, authenticator)

    async def handle(self, request: Request) -> Response:
        form = await request.form()
        resource = form.get("resource")
        named = self.settings.known_resource(resource) if isinstance(resource, str) else None
        if isinstance(resource, str) and named is None:
            return oauth_error("invalid_target", self.provider.resource_refusal())
        if form.get("grant_type") == "client_credentials":
            return await self._client_credentials(request, form, named or self.settings.resource_url)
        response: Response = await self.sdk.handle(request)
        return response

    async def _client_credentials(self, request: Request, form: Any, resource: str) -> Response:
        basic = basic_credentials(request)
        client_id, secret = basic if basic else (form.get("client_id"), form.get("client_secret"))
        challenge = {"WWW-Authenticate": 'Basic realm="frontdesk"'} if basic else None
        if not isinstance(client_id, str) or not isinstance(secret, str) or not client_id or not secret:
            return oauth_error("invalid_client", "client authentication failed", 401, challenge)
        scope = form.get("scope")
        try:
            issued = await self.provider.app.oauth.client_credentials(
                client_id, secret, scope if isinstance(scope, str) else None, resource
            )
        except TokenRefused as exc:
            status = 401 if exc.error == "invalid_client" else 400
            return oauth_error(exc.error, exc.message, status, challenge if status == 401 else None)
        body = {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        }
        return JSONResponse(body, headers=NO_STORE)


class RevokeEndpoint:
    """POST /revoke (RFC 7009). Our own small handler: the SDK's insists on a client_secret field even
    for public clients. Revoking either token of a family revokes the family; unknown tokens get 200."""

    def __init__(self, provider: FrontdeskProvider, authenticator: FrontdeskClientAuthenticator) -> None:
        self.provider = provider
        self.authenticator = authenticator

    async def handle(self, request: Request) -> Response:
        try:
            client = await self.authenticator.authenticate_request(request)
        except AuthenticationError as exc:
            return oauth_error("invalid_client", exc.message, 401)
        form = await request.form()
        token = form.get("token")
        if not isinstance(token, str) or not token:
            return oauth_error("invalid_request", "token is required")
        found: FrontdeskAccessToken | FrontdeskRefreshToken | None = await self.provider.load_access_token(
            token
        )
        if found is None:
            found = await self.provider.load_refresh_token(client, token)
        if found is not None and found.client_id == client.client_id:
            await self.provider.revoke_token(found)
        return Response(status_code=200, headers=NO_STORE)


async def _registration_disabled(_: Request) -> Response:
    return oauth_error("access_denied", "dynamic client registration is turned off on this server", 403)


def _metadata(settings: HttpSettings, resource: str) -> Callable[[Request], Awaitable[Response]]:
    return ProtectedResourceMetadataHandler(protected_resource_metadata(settings, resource)).handle


def oauth_routes(provider: FrontdeskProvider, settings: HttpSettings) -> list[Route]:
    authenticator = FrontdeskClientAuthenticator(provider)
    as_meta = MetadataHandler(authorization_server_metadata(settings))
    prm_path = "/.well-known/oauth-protected-resource"
    get = ["GET", "OPTIONS"]
    post = ["POST", "OPTIONS"]
    routes = [
        Route(
            "/.well-known/oauth-authorization-server",
            _cors(request_response(as_meta.handle), get),
            methods=get,
        ),
        # RFC 9728: the path-inserted URL of each surface, and the root one clients fall back to (/mcp).
        *(
            Route(
                f"{prm_path}{s.path}",
                _cors(request_response(_metadata(settings, settings.resource_for(s.path))), get),
                methods=get,
            )
            for s in SURFACES.values()
            if not s.anonymous
        ),
        Route(
            prm_path, _cors(request_response(_metadata(settings, settings.resource_url)), get), methods=get
        ),
        Route(
            "/authorize",
            AuthorizationHandler(provider).handle,
            methods=["GET", "POST"],
        ),
        Route(
            "/token",
            _cors(request_response(TokenEndpoint(provider, authenticator).handle), post),
            methods=post,
        ),
        Route(
            "/revoke",
            _cors(request_response(RevokeEndpoint(provider, authenticator).handle), post),
            methods=post,
        ),
    ]
    if settings.dynamic_registration:
        # Any requested scope is accepted at registration (connectors send things like "openid");
        # what a token carries is decided at sign-in, from the role.
        options = ClientRegistrationOptions(enabled=True, default_scopes=SUPPORTED_SCOPES)
        handler = RegistrationHandler(provider, options=options)
        routes.append(Route("/register", _cors(request_response(handler.handle), post), methods=post))
    else:
        routes.append(Route("/register", _cors(request_response(_registration_disabled), post), methods=post))
    return routes
