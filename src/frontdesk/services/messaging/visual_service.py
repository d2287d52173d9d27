"""Visual messages: preview a card (the client's or a session's data filled in, the caller's fields
over them) or send it to a client through the queue. A send is refused as comms_send_message refuses
one: the channel not configured on this server or off for the practice, the client opted out of it or
without an address on it. The worker draws the card from the queued content and hands it to the
channel's sender: by email the PNG inline in the HTML part; by WhatsApp the PNG uploaded as media and
sent as an image by its id, the card's words its caption (whatsapp_delivery.py: one claim covers the
upload and the send). With no channel given, a card goes by WhatsApp where the practice has it
configured and on, else by email."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Invalid, NotFound
from frontdesk.domain.settings import Values
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.jobs.queue import ClaimedJob, JobQueue
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging import templates, whatsapp, whatsapp_delivery
from frontdesk.services.messaging.card import Png, render
from frontdesk.services.messaging.delivery import Delivery, OptOutCheck
from frontdesk.services.messaging.email import Attachment, Email
from frontdesk.services.messaging.service import MessagingService, Queued
from frontdesk.services.messaging.visual import Content, card, check_given, complete, merged
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import messages as msg_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import patients as chart_repo

KIND = "visual_message"  # the job kind of a card sent to a client
CARD_CHANNELS = ("email", "whatsapp")  # where VisualMessages can send a card (its `senders`)
# channel -> (the client's address on it, what is said when they have none)
ADDRESS: dict[str, tuple[Callable[[Any], str | None], str]] = {
    "email": (lambda patient: patient.email, "the client has no email address"),
    "whatsapp": (
        lambda patient: whatsapp.recipient(patient.phone),
        "the client has no phone number for WhatsApp",
    ),
}


@dataclass(frozen=True, slots=True)
class Visual:
    """A card's content and, when it was sent, the queued message."""

    content: Content
    message: Queued | None = None

    async def png(self) -> Png:
        return await drawn(self.content)


async def drawn(content: Content) -> Png:
    """The card drawn in a worker thread (tens of milliseconds of CPU kept off the event loop)."""
    return await asyncio.to_thread(render, card(content))


class VisualService:
    def __init__(self, uc: UseCases, messaging: MessagingService) -> None:
        self.uc = uc.scoped(read=(access.PATIENTS_READ, access.ADMIN), write=access.PATIENTS_WRITE)
        self.messaging = messaging

    async def preview(
        self,
        p: Principal,
        template: str,
        given: dict[str, Any],
        *,
        session_id: int | None = None,
        client_id: int | None = None,
        language: str | None = None,
    ) -> Visual:
        check_given(template, given)

        async def body(s: AsyncSession, now: datetime) -> Visual:
            content, _ = await _gather(s, p.practice_id, template, given, session_id, client_id, language)
            # What was read: the client's record, else the session's, else only the practice's settings.
            kind, rid = next(
                (k, i)
                for k, i in (("patient", client_id), ("appointment", session_id), ("practice", p.practice_id))
                if i is not None
            )
            await audit.record(s, p, now, "comms.visual.preview", kind, rid, detail=template)
            return Visual(content)

        return await self.uc.read(p, "comms.visual.preview", "patient", client_id, body)

    def _channel(
        self, channel: str | None, practice_channels: tuple[str, ...], v: Values | None = None
    ) -> str:
        """The channel asked for, or the seed's WhatsApp when this server and the practice send on it,
        else email; refused when this server cannot send on it."""
        # The one place that knows which channels can send (WhatsApp: with the practice's settings `v`);
        # a card goes only where its sender exists (WhatsApp needs the image uploaded as media first).
        configured = {c: ok and c in CARD_CHANNELS for c, ok in self.messaging._configured(v).items()}
        if v is None:  # before the practice's settings are read: WhatsApp may be on once they are
            configured["whatsapp"] = self.messaging.delivery.wa is not None
        if channel is None:
            on_whatsapp = configured.get("whatsapp") and "whatsapp" in practice_channels
            channel = "whatsapp" if on_whatsapp else "email"
        if channel not in ADDRESS:
            raise Invalid(f"channel must be one of: {', '.join(ADDRESS)}", field="channel")
        if not configured.get(channel):
            raise Invalid(f"the {channel} channel is not configured on this server", field="channel")
        return channel

    async def send(
        self,
        p: Principal,
        template: str,
        given: dict[str, Any],
        *,
        client_id: int,
        session_id: int | None = None,
        language: str | None = None,
        channel: str | None = None,
        consent: Consent = Consent.MISSING,
        idem: Idempotency | None = None,
    ) -> Visual:
        check_given(template, given)
        self._channel(channel, tuple(ADDRESS))  # no channel this server can send on: refused at once

        async def body(s: AsyncSession, now: datetime) -> Visual:
            v = await settings_values(s, p.practice_id)
            on = self._channel(channel, tuple(v["communication.channels"]), v)
            content, patient = await _gather(
                s, p.practice_id, template, given, session_id, client_id, language
            )
            if on not in v["communication.channels"]:
                raise Invalid(f"the practice does not send on {on} (communication.channels)", field="channel")
            if await msg_repo.opted_out(s, p.practice_id, client_id, on):
                raise Invalid(f"the client opted out of {on} messages", field="client_id")
            address, none = ADDRESS[on]
            to = address(patient)
            if not to:
                raise Invalid(none, field="client_id")
            key = f"visual:{uuid.uuid4().hex}"
            payload = {"patient_id": client_id, "channel": on, "to": to, "content": content.data()}
            await JobQueue.enqueue(
                s, p.practice_id, KIND, payload, key=key, now=now, subject=("patient", client_id)
            )
            await audit.record(
                s, p, now, "comms.visual.send", "patient", client_id, detail=f"{template} {on}"
            )
            return Visual(content, Queued(key, client_id, on, to, subject(content)))

        return await self.uc.write(
            p,
            "comms.visual.send",
            "patient",
            client_id,
            body,
            Visual,
            idem,
            destroys="sending a message to a client",
            consent=consent,
        )


def subject(content: Content) -> str:
    title = card(content).title
    return f"{title} · {content.practice}" if content.practice else title


async def _gather(
    s: AsyncSession,
    pid: int,
    template: str,
    given: dict[str, Any],
    session_id: int | None,
    client_id: int | None,
    language: str | None,
) -> tuple[Content, Any]:
    """The card's content: the client's and the session's data, then the caller's fields over them."""
    v = await settings_values(s, pid)
    practice = await dir_repo.practice_by_id(s, pid)
    patient = None
    if client_id is not None:
        patient = await patient_repo.get(s, pid, client_id)
        if patient is None:
            raise NotFound(f"no client with id {client_id}", field="client_id")
    appt = await appt_repo.get(s, pid, session_id) if session_id is not None else None
    if session_id is not None and (appt is None or (patient is not None and appt.patient_id != patient.id)):
        mine = " of this client" if patient is not None else ""
        raise NotFound(f"no session {session_id}{mine}", field="session_id")
    if appt is not None and patient is None:
        patient = await patient_repo.get(s, pid, appt.patient_id)
    profile = await chart_repo.profile(s, pid, patient.id) if patient is not None else None
    lang = language or templates.language(profile.language if profile else None, str(v["basics.locale"]))
    base = Content(
        template=template,
        language=lang,
        practice=str(v["basics.name"]) or (practice.name if practice else ""),
        client_name=f"{patient.first_name} {patient.last_name}".strip() if patient is not None else None,
    )
    if appt is not None:
        base = await _session(s, pid, appt, base)
    return complete(merged(base, given)), patient


async def _session(s: AsyncSession, pid: int, appt: Any, base: Content) -> Content:
    book = await dir_repo.datebook(s, pid, appt.datebook_id)
    provider = await dir_repo.provider(s, pid, appt.provider_id)
    service = await dir_repo.service(s, pid, appt.service_id) if appt.service_id else None
    local = templates.local_time(appt.starts_at, book.timezone if book else "UTC")
    return Content.of(
        base.data()
        | {
            "provider_name": provider.name if provider else None,
            "service_name": service.name if service else None,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "location": book.name if book else None,
            "amount": service.price_cents if service else None,
            "currency": service.currency if service else None,
        }
    )


Sender = Callable[[ClaimedJob, str, dict[str, Any], Content, Png], Awaitable[None]]


class VisualMessages:
    """The job handler of a queued card: drawn from its content (the same bytes the preview showed),
    sent on its channel once; an opt-out made since is honoured."""

    def __init__(self, delivery: Delivery, opted_out: OptOutCheck) -> None:
        self.delivery = delivery
        self.opted_out = opted_out
        self.senders: dict[str, Sender] = {"email": self._email, "whatsapp": self._whatsapp}

    async def __call__(self, job: ClaimedJob, worker: str) -> None:
        a = job.payload
        channel = str(a["channel"])
        send = self.senders.get(channel)
        if send is None:
            raise Permanent(f"the {channel} channel is not configured")
        if await self.opted_out(job.practice_id, int(a["patient_id"]), channel):
            return
        content = Content.of(dict(a["content"]))
        await send(job, worker, a, content, await drawn(content))

    async def _email(self, job: ClaimedJob, worker: str, a: dict[str, Any], c: Content, png: Png) -> None:
        if not self.delivery.email_on:
            raise Permanent("the email channel is not configured")
        shown = card(c)
        name = _filename(c, png)
        # The card itself in the HTML part (an inline image), its words in the text part and as alt text.
        alt = escape(" ".join(line for line in shown.text().splitlines() if line), quote=True)
        html = (
            f'<!doctype html><html><body><img src="cid:{name}" width="{png.width}" '
            f'height="{png.height}" alt="{alt}"></body></html>'
        )
        mail = Email(
            str(a["to"]),
            subject(c),
            shown.text(),
            html,
            message_key=job.dedupe_key,
            inline=(Attachment(name, "image/png", png.data),),
        )
        await self.delivery.email(job, worker, mail)

    async def _whatsapp(self, job: ClaimedJob, worker: str, a: dict[str, Any], c: Content, png: Png) -> None:
        acct = await whatsapp_delivery.practice_account(self.delivery.uc, job.practice_id)
        if acct is None or self.delivery.wa is None:  # its settings were cleared since it was queued
            raise Permanent(whatsapp_delivery.NOT_CONFIGURED)
        name = _filename(c, png)
        caption = card(c).text()  # the card's words under it (cut to the API's caption limit)
        msg = whatsapp.WaMessage(str(a["to"]), "image", text=caption, message_key=job.dedupe_key)
        upload = whatsapp_delivery.Upload(png.data, "image/png", name)
        await self.delivery.whatsapp(job, worker, acct, msg, upload)


def _filename(c: Content, png: Png) -> str:
    return f"{c.template}-{hashlib.sha256(png.data).hexdigest()[:8]}.png"
