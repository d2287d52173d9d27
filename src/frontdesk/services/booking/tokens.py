"""The public flow's tokens: 256 random bits (secrets), handed out once and stored only as their
SHA-256 hash, one purpose each ('confirm' expires, 'booking' reaches one booking); compared in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CONFIRM, BOOKING = "confirm", "booking"
_PREFIX = {CONFIRM: "pbc_", BOOKING: "pbk_"}
TOKEN_MAX = 80


def new(purpose: str) -> tuple[str, str]:
    """(token, its hash)."""
    token = _PREFIX[purpose] + secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(stored_hash: str, token: str) -> bool:
    return hmac.compare_digest(stored_hash, digest(token))


def well_formed(token: str, purpose: str) -> bool:
    return token.startswith(_PREFIX[purpose]) and len(token) <= TOKEN_MAX
