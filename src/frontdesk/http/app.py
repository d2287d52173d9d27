"""The Starlette app: Streamable HTTP at /mcp behind bearer auth, and /health."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from frontdesk import __version__
from frontdesk.http.auth import PracticeKeyVerifier
from frontdesk.mcp.server import build_server
from frontdesk.services.app import Frontdesk

LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def transport_security() -> TransportSecuritySettings:
    """DNS-rebinding protection: loopback plus FRONTDESK_ALLOWED_HOSTS (comma-separated host[:port])."""
    extra = [h.strip() for h in os.environ.get("FRONTDESK_ALLOWED_HOSTS", "").split(",") if h.strip()]
    hosts = LOOPBACK_HOSTS + [h if ":" in h else f"{h}:*" for h in extra] + extra
    origins = LOOPBACK_ORIGINS + [f"https://{h}" for h in extra] + [f"http://{h}" for h in extra]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def create_app(app: Frontdesk) -> Starlette:
    server = build_server(app)
    manager = StreamableHTTPSessionManager(
        app=server._lowlevel_server,  # the SDK's documented way to mount several apps
        security_settings=transport_security(),
        session_idle_timeout=float(os.environ.get("FRONTDESK_SESSION_IDLE_SECONDS", "1800")),
    )
    mcp_endpoint = RequireAuthMiddleware(StreamableHTTPASGIApp(manager), required_scopes=[])

    async def health(_: Request) -> JSONResponse:
        ok = await app.healthy()
        body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"}
        return JSONResponse(body | {"version": __version__}, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    return Starlette(
        routes=[
            Route("/mcp", mcp_endpoint, methods=["GET", "POST", "DELETE"]),
            Route("/health", health, methods=["GET"]),
        ],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(PracticeKeyVerifier(app)))
        ],
        lifespan=lifespan,
    )
