"""Hardening in front of every route: body size (413 before parsing), Host and Origin (DNS-rebinding
protection), MCP-Protocol-Version, and rate limits (429 with Retry-After) per practice and per IP."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp_types.version import SUPPORTED_PROTOCOL_VERSIONS
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from frontdesk.http.settings import HttpSettings

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
UNGUARDED = ("/health",)  # load balancers probe it by address
ORIGIN_CHECKED = ("/mcp", "/oauth/")  # the browser-facing and MCP endpoints; /token etc. allow CORS


def allowed_hosts(settings: HttpSettings) -> tuple[set[str], set[str]]:
    """Host names (without port) and origins accepted: loopback, the public URL, FRONTDESK_ALLOWED_HOSTS."""
    names = set(LOOPBACK_HOSTS)
    public = settings.public_url.split("://", 1)[1]
    names.add(_hostname(public))
    names.update(_hostname(h) for h in settings.allowed_hosts)
    origins = {settings.public_url}
    return names, origins


def _hostname(host: str) -> str:
    """`example.org:8443` -> `example.org`; `[::1]:80` -> `[::1]`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HostOriginGuard:
    """421 for a Host that is not this server's; 403 for a cross-site Origin on /mcp and /oauth/*."""

    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self.names, self.origins = allowed_hosts(settings)

    def _origin_ok(self, origin: str) -> bool:
        if origin in self.origins:
            return True
        scheme, _, rest = origin.partition("://")
        return scheme in ("http", "https") and _hostname(rest) in self.names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNGUARDED:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host")
        if not host or _hostname(host) not in self.names:
            await PlainTextResponse("Invalid Host header", status_code=421)(scope, receive, send)
            return
        origin = headers.get("origin")
        if origin and scope["path"].startswith(ORIGIN_CHECKED) and not self._origin_ok(origin.lower()):
            await PlainTextResponse("Invalid Origin header", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ProtocolVersionGuard:
    """400 for an MCP-Protocol-Version this server does not speak (MCP 2025-11-25, transports)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/mcp":
            version = Headers(scope=scope).get("mcp-protocol-version")
            if version is not None and version not in SUPPORTED_PROTOCOL_VERSIONS:
                body = {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": -32600, "message": f"Unsupported MCP-Protocol-Version: {version[:40]}"},
                }
                await JSONResponse(body, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def limiter_storage(settings: HttpSettings) -> Storage:
    if settings.redis_url:
        uri = settings.redis_url
        uri = uri if uri.startswith("async+") else f"async+{uri}"
        return RedisStorage(uri, implementation="redispy", key_prefix=settings.rate_key_prefix)
    return MemoryStorage()


class RateLimit:
    """Requests carrying a valid token count against their practice (FRONTDESK_RATE_LIMIT_PRACTICE);
    all others (sign-in, token, registration, metadata, bad tokens) against the client's IP
    (FRONTDESK_RATE_LIMIT_IP); provider webhooks per IP at their own rate (FRONTDESK_RATE_LIMIT_WEBHOOK).
    Counters live in memory, or in Redis when FRONTDESK_REDIS_URL is set,
    so several processes share them. Runs after authentication, which tells the practice."""

    def __init__(self, app: ASGIApp, settings: HttpSettings, storage: Storage | None = None) -> None:
        self.app = app
        self.limiter = MovingWindowRateLimiter(storage or limiter_storage(settings))
        self.per_practice: RateLimitItem = parse(settings.practice_rate)
        self.per_ip: RateLimitItem = parse(settings.ip_rate)
        self.per_webhook_ip: RateLimitItem = parse(settings.webhook_rate)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNGUARDED:
            await self.app(scope, receive, send)
            return
        item, key = self._bucket(scope)
        try:
            allowed = await self.limiter.hit(item, *key)
            retry = 0 if allowed else await self._retry_after(item, key)
        except Exception:  # the limiter's store is down: serve rather than refuse everyone
            log.warning("rate limiter unavailable; request let through", exc_info=True)
            allowed, retry = True, 0
        if not allowed:
            body = {"error": "rate_limited", "error_description": f"too many requests; retry in {retry} s"}
            response = JSONResponse(body, status_code=429, headers={"Retry-After": str(retry)})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _bucket(self, scope: Scope) -> tuple[RateLimitItem, tuple[str, str]]:
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        if str(scope["path"]).startswith("/webhooks/"):
            # A provider calls from a few addresses for every practice here: a budget of its own per IP.
            return self.per_webhook_ip, ("webhook", ip)
        user = scope.get("user")
        if isinstance(user, AuthenticatedUser):
            claims: dict[str, Any] = user.access_token.claims or {}
            if "practice_id" in claims:
                return self.per_practice, ("practice", str(claims["practice_id"]))
        return self.per_ip, ("ip", ip)

    async def _retry_after(self, item: RateLimitItem, key: tuple[str, str]) -> int:
        stats = await self.limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
