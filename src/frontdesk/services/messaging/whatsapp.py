"""WhatsApp through the Cloud API (Meta's Graph API) with httpx: text, template and media (image or
document by link, or by the id of media uploaded to `{phone_number_id}/media` first) messages posted to
`{base}/{version}/{phone_number_id}/messages`.

The server's side: FRONTDESK_WHATSAPP_API_URL (default https://graph.facebook.com; tests point it at a
local stand-in) and FRONTDESK_WHATSAPP_API_VERSION. The practice's side is its settings (communication
chapter): the phone number id and access token turn the channel on; the app secret checks the status
webhook's signature; the verify token answers its subscription; secrets are never shown back.

The API's answers, as the worker treats them: rate limited (429, or codes 4, 80007, 130429, 131048,
131056) is retried with the queue's backoff and not before Retry-After; a server error (5xx) is retried;
an invalid number (131026, or 100 "invalid parameter"), a rejected token (401, 190) and every other
refusal fail the message for good, recorded on it."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import phonenumbers

from frontdesk.domain.errors import Invalid
from frontdesk.domain.settings import Values

GRAPH = "https://graph.facebook.com"
VERSION = "v23.0"
TEXT_MAX = 4096  # the API's limit on a text message's body
CAPTION_MAX = 1024
RATE_LIMITED = frozenset({4, 80007, 130429, 131048, 131056})
INVALID_NUMBER = frozenset({131026, 131030})  # undeliverable; not in a test number's allowed list
RETRY_AFTER_MAX = 24 * 3600.0
MEDIA_TYPES = {".png": "image", ".jpg": "image", ".jpeg": "image", ".pdf": "document"}
LANGUAGE_CODES = {"en": "en", "es": "es", "pt": "pt_BR"}  # templates.LANGUAGES -> WhatsApp's codes


@dataclass(frozen=True, slots=True)
class WhatsAppSettings:
    base_url: str = GRAPH
    version: str = VERSION
    timeout: float = 15.0

    @classmethod
    def from_env(cls) -> WhatsAppSettings:
        url = (os.environ.get("FRONTDESK_WHATSAPP_API_URL") or GRAPH).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Invalid("FRONTDESK_WHATSAPP_API_URL must be an http(s) URL", field="whatsapp_api_url")
        return cls(url, os.environ.get("FRONTDESK_WHATSAPP_API_VERSION") or VERSION)


@dataclass(frozen=True, slots=True)
class Account:
    """A practice's WhatsApp business number, as the worker sends from it."""

    phone_number_id: str
    access_token: str = field(repr=False)
    template_language: str = ""


def account(v: Values) -> Account | None:
    """The practice's account, or None while the channel is not configured."""
    number = str(v["communication.whatsappPhoneNumberId"])
    token = str(v["communication.whatsappAccessToken"])
    if not number or not token:
        return None
    return Account(number, token, str(v["communication.whatsappTemplateLanguage"]))


def recipient(phone: str | None) -> str | None:
    """The number as the API takes it (E.164 digits, no "+"), or None when there is no usable one."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def media(url: str, *, field: str = "media_url") -> dict[str, str]:
    """A picture or PDF by its https address, as a queued message carries it (type, link, filename)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Invalid(f"{field} must be an https:// address", field=field)
    kind = MEDIA_TYPES.get(posixpath.splitext(parts.path)[1].lower())
    if kind is None:
        raise Invalid(f"{field} must end in {', '.join(MEDIA_TYPES)}", field=field)
    name = posixpath.basename(parts.path) if kind == "document" else ""
    return {"type": kind, "link": url, "filename": name}


@dataclass(frozen=True, slots=True)
class WaMessage:
    """One message: `kind` text (body `text`), template (`template` in `language` with body
    `parameters`), image or document (by `link`, or by `media_id` once uploaded; `text` its caption)."""

    to: str
    kind: str
    text: str = ""
    template: str = ""
    language: str = ""
    parameters: tuple[str, ...] = ()
    link: str = ""
    filename: str = ""
    media_id: str = ""
    message_key: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self.to,
            "type": self.kind,
        }
        if self.kind == "text":
            out["text"] = {"preview_url": False, "body": self.text[:TEXT_MAX]}
        elif self.kind == "template":
            params = [{"type": "text", "text": p} for p in self.parameters]
            template: dict[str, Any] = {"name": self.template, "language": {"code": self.language}}
            if params:
                template["components"] = [{"type": "body", "parameters": params}]
            out["template"] = template
        else:
            media: dict[str, Any] = {"id": self.media_id} if self.media_id else {"link": self.link}
            if self.text:
                media["caption"] = self.text[:CAPTION_MAX]
            if self.kind == "document" and self.filename:
                media["filename"] = self.filename
            out[self.kind] = media
        return out


class ApiError(Exception):
    """The API answered with an error: what it means for the message."""

    def __init__(self, status: int, code: int | None, detail: str, retry_after: float | None) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        super().__init__(self.reason)

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code in RATE_LIMITED

    @property
    def retryable(self) -> bool:
        return self.rate_limited or self.status >= 500

    @property
    def reason(self) -> str:
        if self.status == 401 or self.code == 190:
            return "WhatsApp access token rejected"
        if self.code in INVALID_NUMBER or (self.code == 100 and "invalid parameter" in self.detail.lower()):
            return f"the number cannot receive WhatsApp messages (error {self.code})"
        if self.rate_limited:
            return f"WhatsApp rate limit reached (error {self.code or self.status})"
        return f"WhatsApp refused the message: {self.status} error {self.code}: {self.detail}"[:300]


class NoAnswer(Exception):
    """The request went out but no usable answer came back: the message may have been sent."""


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), capped at a day."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), RETRY_AFTER_MAX)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, min((when - now).total_seconds(), RETRY_AFTER_MAX))


def _error(response: httpx.Response) -> ApiError:
    try:
        err = response.json().get("error", {})
    except ValueError:
        err = {}
    if not isinstance(err, dict):
        err = {}
    code = err.get("code")
    detail = str(err.get("message") or response.reason_phrase)[:200]
    after = _retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
    return ApiError(response.status_code, code if isinstance(code, int) else None, detail, after)


class WhatsAppClient:
    """One pooled HTTP client for every practice (each request carries its practice's token)."""

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(base_url=settings.base_url, timeout=settings.timeout)

    async def send(self, acct: Account, msg: WaMessage) -> str:
        """Post `msg` from `acct`; the message's id (wamid). ApiError when refused; httpx's
        ConnectError/ConnectTimeout when nothing went out; NoAnswer when it may have."""
        path = f"/{self.settings.version}/{acct.phone_number_id}/messages"
        headers = {"Authorization": f"Bearer {acct.access_token}"}
        try:
            response = await self._http.post(path, json=msg.body(), headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise
        except httpx.HTTPError as exc:
            raise NoAnswer(type(exc).__name__) from None
        if response.status_code >= 400:
            raise _error(response)
        try:
            wamid = response.json()["messages"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise NoAnswer("an answer without a message id") from None
        return str(wamid)

    async def upload(self, acct: Account, data: bytes, mime: str, filename: str) -> str:
        """Upload `data` as `acct`'s media; its media id (for a message by id). ApiError when refused;
        httpx.HTTPError or NoAnswer when no id came back (nothing was sent to anyone: safe to retry)."""
        path = f"/{self.settings.version}/{acct.phone_number_id}/media"
        headers = {"Authorization": f"Bearer {acct.access_token}"}
        form = {"messaging_product": "whatsapp", "type": mime}
        try:
            response = await self._http.post(
                path, data=form, files={"file": (filename, data, mime)}, headers=headers
            )
        except httpx.HTTPError as exc:
            raise NoAnswer(type(exc).__name__) from None
        if response.status_code >= 400:
            raise _error(response)
        try:
            media_id = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            raise NoAnswer("an answer without a media id") from None
        return str(media_id)

    async def close(self) -> None:
        await self._http.aclose()
