"""The Starlette app: Streamable HTTP at /mcp behind OAuth 2.1 bearer auth, the authorization server
(metadata, /authorize with its sign-in and consent pages, /token, /register, /revoke), and /health.

Middleware, outermost first: request id, body limit (413 before parsing), Host/Origin guard,
MCP-Protocol-Version guard, bearer authentication (audience-checked), rate limits (per practice, else
per IP)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import RequestBodyLimitMiddleware, TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from frontdesk import __version__
from frontdesk.http.auth import FrontdeskTokenVerifier, RequireBearer
from frontdesk.http.events import MemoryBackend, RedisBackend, ResumableStreams, SessionEvents
from frontdesk.http.limits import HostOriginGuard, ProtocolVersionGuard, RateLimit, allowed_hosts
from frontdesk.http.oauth_routes import oauth_routes, resource_metadata_url
from frontdesk.http.pages import Pages
from frontdesk.http.provider import FrontdeskProvider
from frontdesk.http.request_id import RequestId
from frontdesk.http.settings import HttpSettings
from frontdesk.mcp.server import build_server
from frontdesk.services.app import Frontdesk


def transport_security(settings: HttpSettings) -> TransportSecuritySettings:
    """The SDK's own DNS-rebinding check on /mcp, with the same lists as HostOriginGuard."""
    names, origins = allowed_hosts(settings)
    hosts = sorted(names) + [f"{n}:*" for n in sorted(names)]
    allowed_origins = sorted(origins) + [
        f"{s}://{n}{p}" for s in ("http", "https") for n in names for p in ("", ":*")
    ]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=allowed_origins
    )


def create_app(app: Frontdesk, settings: HttpSettings | None = None) -> Starlette:
    settings = settings or HttpSettings.from_env()
    server = build_server(app)
    store = RedisBackend(settings.redis_url) if settings.redis_url else MemoryBackend()
    events = SessionEvents(store)
    manager = StreamableHTTPSessionManager(
        app=server._lowlevel_server,  # the SDK's documented way to mount several apps
        event_store=events,
        security_settings=transport_security(settings),
        session_idle_timeout=settings.session_idle_seconds,
        max_request_body_size=settings.max_body_bytes,
    )
    mcp_endpoint = RequireBearer(
        ResumableStreams(StreamableHTTPASGIApp(manager), events), resource_metadata_url(settings)
    )
    provider = FrontdeskProvider(app, settings)

    async def health(_: Request) -> JSONResponse:
        ok = await app.healthy()
        body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"}
        return JSONResponse(body | {"version": __version__}, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        chores = [asyncio.create_task(app.audit.sealer()), asyncio.create_task(app.oauth.purger())]
        try:
            async with manager.run():
                yield
        finally:
            for task in chores:
                task.cancel()
            for task in chores:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if isinstance(store, RedisBackend):
                await store.close()

    verifier = FrontdeskTokenVerifier(app, settings)
    backend = BearerAuthBackend(verifier, resource_server_url=AnyHttpUrl(settings.resource_url))
    return Starlette(
        routes=[
            Route("/mcp", mcp_endpoint, methods=["GET", "POST", "DELETE"]),
            Route("/health", health, methods=["GET"]),
            *oauth_routes(provider, settings),
            *Pages(provider, settings).routes(),
        ],
        middleware=[
            Middleware(RequestId),
            Middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes),
            Middleware(HostOriginGuard, settings=settings),
            Middleware(ProtocolVersionGuard),
            Middleware(AuthenticationMiddleware, backend=backend),
            Middleware(RateLimit, settings=settings),
        ],
        lifespan=lifespan,
    )
