"""Messaging use cases: the reminder configuration (the practice's reminders.* settings in the seed's
sections), communication preferences (the practice's channels; a client's opt-outs per channel), and
sending one message to a client through the queue (rendered now, delivered once by a worker)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, messaging
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.settings import Values
from frontdesk.services import audit
from frontdesk.services.admin.settings import SettingsService
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.jobs.queue import JobQueue
from frontdesk.services.messaging import reminders, templates, whatsapp
from frontdesk.services.messaging.delivery import Delivery
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import messages as repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import patients as chart_repo

CHANNELS = ("email", "whatsapp", "sms")
MESSAGE = "message"  # the job kind of a single message
# comms_send_message's templateKey -> the appointment message it sends
TEMPLATES = {
    "sessionConfirmation": "confirmation",
    "sessionReminder": "reminder",
    "sessionCancellation": "cancellation",
}
SUBJECT_MAX = 200
_NOT_CONFIGURED = "the whatsapp channel is not configured for this practice"
_WA_KEYS = ("communication.whatsappPhoneNumberId", "communication.whatsappAccessToken")
BODY_MAX = 5000


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: dict[str, bool]  # the practice's channels, or whether this client accepts each
    configured: dict[str, bool]  # whether the server can send on each (never its secrets)
    client_id: int | None = None


@dataclass(frozen=True, slots=True)
class Queued:
    message_id: str
    client_id: int
    channel: str
    recipient: str
    subject: str
    status: str = "queued"


class MessagingService:
    def __init__(self, uc: UseCases, settings: SettingsService, delivery: Delivery) -> None:
        self.uc = uc.scoped(read=(access.PATIENTS_READ, access.ADMIN), write=access.PATIENTS_WRITE)
        self.settings = settings
        self.delivery = delivery

    # --- reminder configuration -------------------------------------------------------------------

    async def reminder_config(self, p: Principal) -> dict[str, dict[str, Any]]:
        data = await self.settings.get(p, chapter="reminders")
        return _config(data)

    async def update_reminder_config(
        self, p: Principal, sections: dict[str, dict[str, Any] | None]
    ) -> dict[str, dict[str, Any]]:
        data = await self.settings.update(p, messaging.changes(sections))
        return _config(data)

    # --- preferences ------------------------------------------------------------------------------

    def _configured(self, v: Values | None) -> dict[str, bool]:
        """Email is the server's (FRONTDESK_SMTP_URL); WhatsApp the practice's own settings."""
        return self.delivery.configured(v)

    async def preferences(self, p: Principal, client_id: int | None = None) -> Preferences:
        async def body(s: AsyncSession, now: datetime) -> Preferences:
            v = await settings_values(s, p.practice_id)
            if client_id is None:
                on = v["communication.channels"]
                await audit.record(s, p, now, "comms.preferences.read", "practice", p.practice_id)
                return Preferences({c: c in on for c in CHANNELS}, self._configured(v))
            await _client(s, p.practice_id, client_id)
            out = await repo.optouts(s, p.practice_id, client_id)
            await audit.record(s, p, now, "comms.preferences.read", "patient", client_id)
            return Preferences({c: c not in out for c in CHANNELS}, self._configured(v), client_id)

        return await self.uc.read(p, "comms.preferences.read", "patient", client_id, body)

    async def update_preferences(
        self, p: Principal, channels: dict[str, bool], client_id: int | None = None
    ) -> Preferences:
        """A client's: which channels they accept (an opt-out is kept per channel). The practice's
        (no client): which channels it sends on (communication.channels), admins only."""
        unknown = set(channels) - set(CHANNELS)
        if unknown or not channels:
            raise Invalid(f"channels takes {', '.join(CHANNELS)} (true or false)", field="channels")
        if client_id is None:
            current = (await self.preferences(p)).channels
            merged = current | channels
            await self.settings.update(p, {"communication.channels": [c for c in CHANNELS if merged[c]]})
            return await self.preferences(p)

        async def body(s: AsyncSession, now: datetime) -> Preferences:
            await _client(s, p.practice_id, client_id)
            for channel, accepts in channels.items():
                await repo.set_optout(s, p.practice_id, client_id, channel, not accepts, now)
            detail = ",".join(f"{c}={'on' if v else 'off'}" for c, v in sorted(channels.items()))
            await audit.record(s, p, now, "comms.preferences.update", "patient", client_id, detail=detail)
            out = await repo.optouts(s, p.practice_id, client_id)
            configured = self._configured(await settings_values(s, p.practice_id))
            return Preferences({c: c not in out for c in CHANNELS}, configured, client_id)

        return await self.uc.write(p, "comms.preferences.update", "patient", client_id, body, Preferences)

    # --- one message ------------------------------------------------------------------------------

    async def send(
        self,
        p: Principal,
        client_id: int,
        *,
        channel: str = "email",
        text: str | None = None,
        subject: str | None = None,
        template_key: str | None = None,
        session_id: int | None = None,
        media_url: str | None = None,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> Queued:
        """Queue a message to a client: custom `text` (with the seed's variables), or a shipped template
        about one of the client's sessions (`template_key`, `session_id`), rendered in the client's
        language. Refused when the channel is not configured or off for the practice, or the client
        opted out of it or has no address on it. On WhatsApp a custom message may carry a picture or
        PDF by link (`media_url`; the text is its caption)."""
        if channel not in CHANNELS:
            raise Invalid(f"channel must be one of: {', '.join(CHANNELS)}", field="channel")
        if channel == "sms" or (channel == "email" and not self.delivery.email_on):  # WhatsApp's: below
            raise Invalid(f"the {channel} channel is not configured on this server", field="channel")
        if (text is None) == (template_key is None):
            raise Invalid("give exactly one of template_key and custom_message", field="template_key")
        if template_key is not None and session_id is None:
            raise Invalid(f"template {template_key} is about a session: give session_id", field="session_id")
        if media_url is not None and (channel != "whatsapp" or text is None):
            raise Invalid("media_url goes with a WhatsApp custom_message (its caption)", field="media_url")
        attached = whatsapp.media(media_url) if media_url is not None else None

        async def body(s: AsyncSession, now: datetime) -> Queued:
            v = await settings_values(s, p.practice_id)
            if not self._configured(v)[channel]:  # WhatsApp is on per practice (its settings)
                raise Invalid(f"{_NOT_CONFIGURED} (settings: {', '.join(_WA_KEYS)})", field="channel")
            patient = await _client(s, p.practice_id, client_id)
            if channel not in v["communication.channels"]:
                raise Invalid(
                    f"the practice does not send on {channel} (communication.channels)", field="channel"
                )
            if await repo.opted_out(s, p.practice_id, client_id, channel):
                raise Invalid(f"the client opted out of {channel} messages", field="client_id")
            to = _address(patient, channel)
            key = f"msg:{uuid.uuid4().hex}"
            if template_key is not None:
                assert session_id is not None
                appt = await appt_repo.get(s, p.practice_id, session_id)
                if appt is None or appt.patient_id != client_id:
                    raise NotFound(f"no session {session_id} of this client", field="session_id")
                payload: dict[str, Any] = {
                    "appointment_id": appt.id,
                    "type": TEMPLATES[template_key],
                    "channel": channel,
                }
                await JobQueue.enqueue(
                    s,
                    p.practice_id,
                    reminders.KIND,
                    payload,
                    key=key,
                    now=now,
                    subject=("appointment", appt.id),
                )
                shown = template_key
            else:
                assert text is not None
                payload, shown = await _custom(s, p.practice_id, patient, v, text, subject)
                if channel == "whatsapp":
                    payload = _for_whatsapp(payload, to, attached)
                await JobQueue.enqueue(
                    s, p.practice_id, MESSAGE, payload, key=key, now=now, subject=("patient", client_id)
                )
            await audit.record(s, p, now, "comms.send", "patient", client_id, detail=channel)
            return Queued(key, client_id, channel, to, shown)

        return await self.uc.write(
            p,
            "comms.send",
            "patient",
            client_id,
            body,
            Queued,
            idem,
            destroys="sending a message to a client",
            consent=consent,
        )


async def _custom(
    s: AsyncSession, practice_id: int, patient: Any, v: Values, text: str, subject: str | None
) -> tuple[dict[str, Any], str]:
    values = await _variables(s, practice_id, patient, v)
    rendered_subject = templates.render(subject or str(v["basics.name"]) or "Message", values)[:SUBJECT_MAX]
    html = templates.render(text, values, html=True).replace("\n", "<br>\n")
    payload = {
        "patient_id": patient.id,
        "to": patient.email,
        "subject": rendered_subject,
        "text": templates.render(text, values),
        "html": f"<!doctype html><html><body><p>{html}</p></body></html>",
    }
    return payload, rendered_subject


def _address(patient: Any, channel: str) -> str:
    """Where the message goes on `channel`: the email address, or the WhatsApp number (E.164 digits)."""
    if channel == "whatsapp":
        to = whatsapp.recipient(patient.phone)
        if to is None:
            raise Invalid("the client has no phone number for WhatsApp", field="client_id")
        return to
    if not patient.email:
        raise Invalid("the client has no email address", field="client_id")
    return str(patient.email)


def _for_whatsapp(payload: dict[str, Any], to: str, media: dict[str, str] | None) -> dict[str, Any]:
    """A custom message as WhatsApp text, or a caption under `media` (no subject, no HTML part; the
    API's own length limits)."""
    limit = whatsapp.CAPTION_MAX if media else whatsapp.TEXT_MAX
    if len(payload["text"]) > limit:
        raise Invalid(
            f"custom_message is over WhatsApp's {limit} characters once filled in", field="custom_message"
        )
    out = {"patient_id": payload["patient_id"], "channel": "whatsapp", "to": to, "text": payload["text"]}
    return out | ({"media": media} if media else {})


def _config(data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    chapter = data.get("reminders", {})
    return messaging.config(Values({f"reminders.{k}": v for k, v in chapter.items()}))


async def _client(s: AsyncSession, practice_id: int, client_id: int) -> Any:
    patient = await patient_repo.get(s, practice_id, client_id)
    if patient is None:
        raise NotFound(f"no client with id {client_id}", field="client_id")
    return patient


async def _variables(s: AsyncSession, practice_id: int, patient: Any, v: Values) -> dict[str, str]:
    profile = await chart_repo.profile(s, practice_id, patient.id)
    practice = await dir_repo.practice_by_id(s, practice_id)
    lang = templates.language(profile.language if profile else None, str(v["basics.locale"]))
    return templates.variables(
        first_name=patient.first_name,
        last_name=patient.last_name,
        email=patient.email,
        phone=patient.phone,
        organization=str(v["basics.name"]) or (practice.name if practice else ""),
        lang=lang,
    )


async def opted_out(uc: UseCases, practice_id: int, client_id: int, channel: str) -> bool:
    """For the worker: whether the client opted out of `channel` (read as it is now)."""
    async with uc.db.read() as s:
        return await repo.opted_out(s, practice_id, client_id, channel)
