"""HTTP settings, read once at start-up (environment variables FRONTDESK_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ONE_MB = 1024 * 1024


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _list(name: str) -> tuple[str, ...]:
    return tuple(h.strip() for h in os.environ.get(name, "").split(",") if h.strip())


@dataclass(frozen=True, slots=True)
class HttpSettings:
    public_url: str = "http://127.0.0.1:8000"  # the issuer; the MCP resource is <public_url>/mcp
    allow_static_keys: bool = False  # practice secret keys as bearer tokens (development only)
    dynamic_registration: bool = True  # RFC 7591, used by the Claude and ChatGPT connectors
    practice_rate: str = "120/minute"
    ip_rate: str = "60/minute"
    # /webhooks/...: a provider calls from a few addresses of its own for every practice on the server
    webhook_rate: str = "1200/minute"
    redis_url: str | None = None  # share rate-limit counters between processes
    worker: bool = False  # run a job worker inside the server (from_env: on unless FRONTDESK_WORKER=0)
    rate_key_prefix: str = "frontdesk"
    max_body_bytes: int = ONE_MB
    session_idle_seconds: float = 1800
    # How long a client whose SSE stream broke waits before resuming it (the SSE `retry` field).
    sse_retry_ms: int = 2000
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    # Reverse proxies whose forwarding header tells the client's address (http/proxies.py); none:
    # the header is ignored.
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    forwarded_header: str = "x-forwarded-for"

    def __post_init__(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"FRONTDESK_PUBLIC_URL must be an http(s) origin, got {self.public_url!r}")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("FRONTDESK_PUBLIC_URL must use https unless it is a loopback address")
        if self.sse_retry_ms <= 0:
            raise ValueError(f"FRONTDESK_SSE_RETRY_MS must be positive (ms), got {self.sse_retry_ms}")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    @property
    def issuer(self) -> str:
        return self.public_url

    @property
    def resource_url(self) -> str:
        """Frontdesk's own surface, `/mcp`: the resource tokens are for unless a client names another."""
        return f"{self.public_url}/mcp"

    def resource_for(self, path: str) -> str:
        return f"{self.public_url}{path}"

    @property
    def resource_urls(self) -> tuple[str, ...]:
        """Every surface is a protected resource of its own (RFC 9728): `/mcp` and `/mcp/<seed>`."""
        from frontdesk.mcp.server import SURFACES

        return tuple(self.resource_for(s.path) for s in SURFACES.values() if not s.anonymous)

    def known_resource(self, resource: str) -> str | None:
        """The surface resource a client's RFC 8707 `resource` parameter names, if any."""
        from frontdesk.http.provider import same_resource

        return next((r for r in self.resource_urls if same_resource(resource, r)), None)

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls) -> HttpSettings:
        return cls(
            public_url=os.environ.get("FRONTDESK_PUBLIC_URL") or "http://127.0.0.1:8000",
            allow_static_keys=_flag("FRONTDESK_ALLOW_STATIC_KEYS", False),
            dynamic_registration=_flag("FRONTDESK_DYNAMIC_REGISTRATION", True),
            practice_rate=os.environ.get("FRONTDESK_RATE_LIMIT_PRACTICE") or "120/minute",
            ip_rate=os.environ.get("FRONTDESK_RATE_LIMIT_IP") or "60/minute",
            webhook_rate=os.environ.get("FRONTDESK_RATE_LIMIT_WEBHOOK") or "1200/minute",
            redis_url=os.environ.get("FRONTDESK_REDIS_URL") or None,
            rate_key_prefix=os.environ.get("FRONTDESK_RATE_KEY_PREFIX", "").strip() or "frontdesk",
            worker=_flag("FRONTDESK_WORKER", True),
            max_body_bytes=int(os.environ.get("FRONTDESK_MAX_BODY_BYTES") or ONE_MB),
            session_idle_seconds=float(os.environ.get("FRONTDESK_SESSION_IDLE_SECONDS") or 1800),
            sse_retry_ms=int(os.environ.get("FRONTDESK_SSE_RETRY_MS") or 2000),
            allowed_hosts=_list("FRONTDESK_ALLOWED_HOSTS"),
            trusted_proxies=_list("FRONTDESK_TRUSTED_PROXIES"),
            forwarded_header=(os.environ.get("FRONTDESK_FORWARDED_HEADER") or "x-forwarded-for").lower(),
        )
