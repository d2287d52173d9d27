"""What the OAuth use cases take and hand back: settings, refusals, plain data, and the opaque
secrets (`<prefix><practice id>_<random>`, kept only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from frontdesk.domain.errors import FrontdeskError

CODE, ACCESS, REFRESH, CONSENT = "fd_ac_", "fd_at_", "fd_rt_", "fd_cs_"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    access_seconds: int = 3600
    refresh_seconds: int = 30 * 86400  # absolute lifetime of a grant and its refresh tokens
    code_seconds: int = 60
    consent_seconds: int = 600  # between signing in and approving

    @classmethod
    def from_env(cls) -> OAuthSettings:
        return cls(
            access_seconds=_int("FRONTDESK_ACCESS_TOKEN_SECONDS", 3600),
            refresh_seconds=_int("FRONTDESK_REFRESH_TOKEN_SECONDS", 30 * 86400),
            code_seconds=_int("FRONTDESK_AUTH_CODE_SECONDS", 60),
            consent_seconds=_int("FRONTDESK_CONSENT_SECONDS", 600),
        )


class TokenRefused(FrontdeskError):
    """A token request the authorization server refuses; `error` is the RFC 6749 error code."""

    code = "token_refused"

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True, slots=True)
class AuthRequest:
    client_id: str
    redirect_uri: str
    redirect_uri_explicit: bool
    scopes: tuple[str, ...] | None
    code_challenge: str
    state: str | None
    resource: str


@dataclass(frozen=True, slots=True)
class Consent:
    token: str
    client_id: str
    client_name: str
    practice_slug: str
    practice_name: str
    user_name: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    redirect_uri: str
    state: str | None
    code: str | None  # None: the user denied


@dataclass(frozen=True, slots=True)
class CodeGrant:
    code: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: datetime
    redirect_uri: str
    redirect_uri_explicit: bool
    code_challenge: str
    resource: str
    actor: str


@dataclass(frozen=True, slots=True)
class Issued:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A live access or refresh token, as the adapter needs it (never the token itself)."""

    practice_id: int
    grant_id: int
    actor: str
    client_id: str
    scopes: tuple[str, ...]
    resource: str
    expires_at: datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def practice_of(prefix: str, secret: str) -> int | None:
    if not secret.startswith(prefix):
        return None
    head, _, rest = secret[len(prefix) :].partition("_")
    if not head.isdigit() or len(rest) < 32:
        return None
    return int(head)


def mint(prefix: str, practice_id: int) -> str:
    return f"{prefix}{practice_id}_{secrets.token_urlsafe(32)}"


def scope_list(text: str) -> tuple[str, ...]:
    return tuple(sorted(text.split()))


def earliest(a: datetime, b: datetime) -> datetime:
    return a if a <= b else b
