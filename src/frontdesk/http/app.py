"""The Starlette app: Streamable HTTP at /mcp and each seed surface at /mcp/<seed>, behind OAuth 2.1
bearer auth; the authorization server (metadata, /authorize with its sign-in and consent pages, /token,
/register, /revoke), and /health.

Middleware, outermost first: the client's address behind trusted proxies, request id, body limit
(413 before parsing), Host/Origin guard, MCP-Protocol-Version guard, bearer authentication
(audience-checked), rate limits (per practice, else per IP)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import RequestBodyLimitMiddleware, TransportSecuritySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from frontdesk import __version__
from frontdesk.composition import Frontdesk
from frontdesk.http.auth import FrontdeskTokenVerifier, RequireBearer
from frontdesk.http.booking_pages import BookingPages
from frontdesk.http.calendar_feed import CalendarFeedRoute
from frontdesk.http.events import MemoryBackend, RedisBackend, ResumableStreams, SessionEvents
from frontdesk.http.feedback_pages import FeedbackPages
from frontdesk.http.jsonrpc import ValidRequests
from frontdesk.http.limits import HostOriginGuard, ProtocolVersionGuard, RateLimit, allowed_hosts
from frontdesk.http.oauth_routes import oauth_routes, resource_metadata_url
from frontdesk.http.pages import Pages
from frontdesk.http.provider import FrontdeskProvider
from frontdesk.http.proxies import ForwardedClient
from frontdesk.http.request_id import RequestId
from frontdesk.http.settings import HttpSettings
from frontdesk.http.webhooks import Webhooks
from frontdesk.mcp.server import SURFACES, build_server


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
    store = RedisBackend(settings.redis_url) if settings.redis_url else MemoryBackend()
    events = SessionEvents(store)
    # One MCP server and session manager per surface: /mcp (Frontdesk's own tools) and /mcp/<seed>.
    managers: list[StreamableHTTPSessionManager] = []
    endpoints: list[Route] = []
    for surface in SURFACES.values():
        manager = StreamableHTTPSessionManager(
            app=build_server(app, surface=surface.name)._lowlevel_server,  # the SDK's way to mount several
            event_store=events,
            security_settings=transport_security(settings),
            session_idle_timeout=settings.session_idle_seconds,
            max_request_body_size=settings.max_body_bytes,
            retry_interval=settings.sse_retry_ms,  # `retry:` on each stream's priming event (2025-11-25+)
        )
        resource = settings.resource_for(surface.path)
        served = ValidRequests(ResumableStreams(StreamableHTTPASGIApp(manager), events))
        # The public booking surface takes no token: its tools are the public flow's only, each
        # scoped to the practice its orgSlug names. Every other surface requires a bearer token.
        endpoint = (
            served if surface.anonymous else RequireBearer(served, resource_metadata_url(resource), resource)
        )
        managers.append(manager)
        endpoints.append(Route(surface.path, endpoint, methods=["GET", "POST", "DELETE"]))
    provider = FrontdeskProvider(app, settings)

    async def health(_: Request) -> JSONResponse:
        ok = await app.healthy()
        body: dict[str, object] = {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if ok else "unreachable",
        }
        if ok:
            st = await app.queue_stats()
            oldest = st.oldest_due.isoformat() if st.oldest_due else None
            body["queue"] = {"depth": st.depth, "due": st.due, "oldest_due": oldest, "dead": st.dead}
        return JSONResponse(body | {"version": __version__}, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        chores = [
            asyncio.create_task(app.audit.sealer()),
            asyncio.create_task(app.oauth.purger()),
            # Unconfirmed public bookings past their 30 minutes are released (lazily too, on booking).
            asyncio.create_task(app.public_booking.sweeper()),
        ]
        if settings.worker:  # the embedded setup's job worker (FRONTDESK_WORKER=0 where workers run apart)
            chores.append(asyncio.create_task(app.worker().run()))
        try:
            async with contextlib.AsyncExitStack() as stack:
                for manager in managers:
                    await stack.enter_async_context(manager.run())
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
    # No audience check here: each surface's endpoint (RequireBearer) checks its own resource.
    backend = BearerAuthBackend(verifier)
    return Starlette(
        routes=[
            *endpoints,
            Route("/health", health, methods=["GET"]),
            *oauth_routes(provider, settings),
            *Pages(provider, settings).routes(),
            *CalendarFeedRoute(app).routes(),  # /calendar/<token>.ics: a provider's private feed
            *FeedbackPages(app, settings).routes(),  # /{slug}/feedback/<token>: the post-session question
            *Webhooks(app).routes(),  # /webhooks/whatsapp/{slug}: before the /{slug}/... pages
            *BookingPages(app, settings).routes(),  # /{slug}/...: after every fixed path
        ],
        middleware=[
            Middleware(ForwardedClient, trusted=settings.trusted_proxies, header=settings.forwarded_header),
            Middleware(RequestId),
            Middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes),
            Middleware(HostOriginGuard, settings=settings),
            Middleware(ProtocolVersionGuard),
            Middleware(AuthenticationMiddleware, backend=backend),
            Middleware(RateLimit, settings=settings),
        ],
        lifespan=lifespan,
    )
