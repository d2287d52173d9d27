"""The WhatsApp delivery-status webhook of one practice (/webhooks/whatsapp/{slug}): the subscription
handshake (Meta sends hub.mode=subscribe, the practice's verify token and a challenge to echo) and the
status callbacks, each signed: X-Hub-Signature-256 is sha256=HMAC-SHA256(app secret, the raw body),
checked in constant time before the body is read. A status (sent, delivered, read, failed) is applied
to the message its id (wamid) names, only ever forward, so a callback delivered twice changes nothing.

Off (not found) while the practice has no app secret or verify token: an unconfigured practice answers
no differently from a practice that does not exist."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.errors import Forbidden, Invalid, NotFound, Unauthenticated
from frontdesk.domain.settings import Values
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import whatsapp as repo

SIGNATURE_PREFIX = "sha256="
STATUSES = frozenset({"sent", "delivered", "read", "failed"})
NOT_HERE = "no WhatsApp webhook here"


@dataclass(frozen=True, slots=True)
class Status:
    wamid: str
    status: str
    at: datetime
    error: str | None


def statuses(body: bytes, now: datetime) -> list[Status]:
    """The statuses a callback carries (entry[].changes[].value.statuses[]); other changes (a client's
    incoming message) are left alone."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the body is not JSON", field="body") from None
    out: list[Status] = []
    for entry in _list(doc, "entry"):
        for change in _list(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            for st in _list(value, "statuses"):
                if not isinstance(st, dict) or st.get("status") not in STATUSES or not st.get("id"):
                    continue
                out.append(Status(str(st["id"])[:128], str(st["status"]), _when(st, now), _why(st)))
    return out


def _list(doc: Any, key: str) -> list[Any]:
    got = doc.get(key) if isinstance(doc, dict) else None
    return got if isinstance(got, list) else []


def _when(st: dict[str, Any], now: datetime) -> datetime:
    stamp = str(st.get("timestamp") or "")
    return datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() and len(stamp) < 12 else now


def _why(st: dict[str, Any]) -> str | None:
    errors = _list(st, "errors")
    if not errors or not isinstance(errors[0], dict):
        return None
    e = errors[0]
    return f"WhatsApp error {e.get('code')}: {e.get('title') or e.get('message') or ''}"[:500]


class WhatsAppWebhook:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc

    async def _practice(self, slug: str) -> tuple[int, Values]:
        async with self.uc.db.read() as s:
            practice = await dir_repo.practice_by_slug(s, slug[:80])
            if practice is None:
                raise NotFound(NOT_HERE)
            return practice.id, await settings_values(s, practice.id)

    async def verify(self, slug: str, mode: str, token: str, challenge: str) -> str:
        """The challenge to echo when the subscription's verify token is the practice's."""
        _, v = await self._practice(slug)
        expected = str(v["communication.whatsappVerifyToken"])
        if not expected:
            raise NotFound(NOT_HERE)
        if mode != "subscribe" or not hmac.compare_digest(token.encode(), expected.encode()):
            raise Forbidden("the verify token does not match")
        return challenge

    async def receive(self, slug: str, body: bytes, signature: str | None) -> int:
        """Apply a signed status callback; how many messages it moved forward."""
        practice_id, v = await self._practice(slug)
        secret = str(v["communication.whatsappAppSecret"])
        if not secret:
            raise NotFound(NOT_HERE)
        if not signature or not signature.startswith(SIGNATURE_PREFIX):
            raise Unauthenticated("X-Hub-Signature-256 is missing")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        given = signature[len(SIGNATURE_PREFIX) :].strip().lower()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Forbidden("X-Hub-Signature-256 does not match the body")
        found = statuses(body, self.uc.clock())
        if not found:
            return 0

        async def apply(s: AsyncSession, _now: datetime) -> int:
            changed = 0
            for st in found:
                changed += await repo.apply_status(s, practice_id, st.wamid, st.status, st.at, st.error)
            return changed

        return await self.uc.run(apply)
