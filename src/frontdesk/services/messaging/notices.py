"""Messages that carry a time-limited choice to a person: the public booking's confirmation link and
the waitlist's offers. Each is queued in the transaction that makes the booking or the offer (keyed:
once), rendered when it is sent (so it says what is true then) and delivered once.

Channel-agnostic: `channel_for` picks the first channel the practice sends on (communication.channels,
in its order) that this server can send on (Delivery.configured) and the person has an address on (an
email address; a phone for whatsapp and sms), and Delivery.send hands the note to that channel.

The confirmation link's token is made when the message is sent: no usable token rests in the queue
(the public flow stores tokens only as hashes). A link or an offer that lapsed before its turn is not
sent; neither waits for quiet hours (each is the answer to something the person just did, or expires
before they end)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.booking import tokens
from frontdesk.services.jobs.queue import ClaimedJob, JobQueue
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging import templates
from frontdesk.services.messaging.delivery import Delivery, Note
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as public_repo
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import jobs as jobs_repo
from frontdesk.storage.repositories import messages as msg_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories import waitlist as waitlist_repo
from frontdesk.storage.repositories.clinical import patients as chart_repo

CONFIRM_LINK = "public_confirmation_link"
WAITLIST_OFFER = "waitlist_offer"
KINDS = (CONFIRM_LINK, WAITLIST_OFFER)
CONTACT = {"email": "email", "whatsapp": "phone", "sms": "phone"}  # channel -> the address it needs
PENDING = AppointmentStatus.PENDING_CONFIRMATION.value


def channel_for(
    practice_channels: Sequence[str],
    configured: Mapping[str, bool],
    *,
    email: str | None,
    phone: str | None,
    opted_out: Sequence[str] = (),
) -> str | None:
    """The channel a note to this person goes on, or None when there is none."""
    address = {"email": email, "phone": phone}
    for channel in practice_channels:
        need = CONTACT.get(channel)
        if need and configured.get(channel) and address[need] and channel not in opted_out:
            return channel
    return None


async def queue_confirmation_link(
    s: AsyncSession, now: datetime, row: m.Appointment, channel: str, lang: str | None
) -> None:
    """In the booking's transaction: its confirmation link, to be sent on `channel`. The booking's
    "appointment confirmed" message, queued as it was made, waits for the confirmation instead (the
    lifecycle queues it again then): the person is asked to confirm first."""
    await jobs_repo.drop_key(s, row.practice_id, f"appt:{row.id}:confirmation")
    await JobQueue.enqueue(
        s,
        row.practice_id,
        CONFIRM_LINK,
        {"appointment_id": row.id, "channel": channel, "lang": lang},
        key=f"appt:{row.id}:confirmationLink",
        now=now,
        subject=("appointment", row.id),
    )


async def queue_offer(s: AsyncSession, now: datetime, offer: m.WaitlistOffer) -> None:
    """In the offer's transaction: the offer to the waitlisted client (its channel chosen when sent)."""
    await JobQueue.enqueue(
        s,
        offer.practice_id,
        WAITLIST_OFFER,
        {"offer_id": offer.id},
        key=f"offer:{offer.id}",
        now=now,
        subject=("waitlist_offer", offer.id),
    )


class Notices:
    """The job handler of both kinds: composes the note as things stand, sends it once."""

    def __init__(self, uc: UseCases, delivery: Delivery, public_url: str) -> None:
        self.uc = uc
        self.delivery = delivery
        self.public_url = public_url.rstrip("/")  # the page's origin: links are absolute

    async def __call__(self, job: ClaimedJob, worker: str) -> None:
        compose = self._link if job.kind == CONFIRM_LINK else self._offer

        async def body(s: AsyncSession, now: datetime) -> tuple[str, Note] | None:
            return await compose(s, now, job)

        found = await self.uc.run(body)
        if found is None:
            return
        channel, note = found
        status = await self.delivery.send(channel, job, worker, note)
        if status == "off":
            return  # the channel was turned off since: nothing to send it on
        if job.kind == WAITLIST_OFFER:
            await self.uc.run(
                lambda s, now: _offer_sent(s, job.practice_id, int(job.payload["offer_id"]), now)
            )

    async def _link(self, s: AsyncSession, now: datetime, job: ClaimedJob) -> tuple[str, Note] | None:
        pid, aid = job.practice_id, int(job.payload["appointment_id"])
        row = await appt_repo.get(s, pid, aid)
        pub = await public_repo.public_booking(s, pid, aid)
        if row is None or pub is None:
            raise Permanent("the booking no longer exists")
        until = row.hold_expires_at
        if row.status != PENDING or until is None or until <= now:
            return None  # confirmed, cancelled or lapsed since: the link has nothing to do
        channel = str(job.payload["channel"])
        to = pub.email if CONTACT.get(channel) == "email" else pub.phone
        if not to:
            return None
        token, digest = tokens.new(tokens.CONFIRM)
        s.add(
            m.PublicToken(
                practice_id=pid,
                appointment_id=aid,
                purpose=tokens.CONFIRM,
                token_hash=digest,
                expires_at=until,
                created_at=now,
            )
        )
        practice = await dir_repo.practice_by_id(s, pid)
        assert practice is not None  # the appointment's practice
        link = f"{self.public_url}/{practice.slug}/confirm/{token}"
        lang_asked = job.payload.get("lang")
        values, tz, lang = await _values(s, pid, row, str(lang_asked) if lang_asked else None)
        values |= {"enlace": link, "vence": format_time(until.astimezone(tz), "short", locale=lang)}
        values["nombre"] = values["nombre"] or pub.full_name
        return channel, _note(to, "confirm_link", lang, values)

    async def _offer(self, s: AsyncSession, now: datetime, job: ClaimedJob) -> tuple[str, Note] | None:
        pid = job.practice_id
        offer = await waitlist_repo.offer(s, pid, int(job.payload["offer_id"]))
        if offer is None:
            raise Permanent("the offer no longer exists")
        if offer.status != waitlist_repo.OPEN or offer.expires_at <= now:
            return None  # taken, withdrawn or lapsed since: nothing to offer
        row = await appt_repo.get(s, pid, offer.appointment_id)
        patient = await patient_repo.get(s, pid, row.patient_id) if row else None
        if row is None or patient is None:
            return None
        v = await settings_values(s, pid)
        out = await msg_repo.optouts(s, pid, patient.id)
        channel = channel_for(
            v["communication.channels"],
            self.delivery.configured(v),
            email=patient.email,
            phone=patient.phone,
            opted_out=list(out),
        )
        if channel is None:
            return None
        values, tz, lang = await _values(s, pid, row, None)
        values["vence"] = format_time(offer.expires_at.astimezone(tz), "short", locale=lang)
        to = patient.email if CONTACT[channel] == "email" else patient.phone
        assert to is not None  # channel_for chose a channel the client has an address on
        return channel, _note(to, "waitlist_offer", lang, values)


async def _values(
    s: AsyncSession, pid: int, row: m.Appointment, lang_asked: str | None
) -> tuple[dict[str, str], ZoneInfo, str]:
    """The template's variables about this appointment and its client, its zone and language (the
    one asked for, else the client's, else the practice's)."""
    v = await settings_values(s, pid)
    patient = await patient_repo.get(s, pid, row.patient_id)
    profile = await chart_repo.profile(s, pid, row.patient_id)
    lang = templates.language(lang_asked or (profile.language if profile else None), str(v["basics.locale"]))
    book = await dir_repo.datebook(s, pid, row.datebook_id)
    provider = await dir_repo.provider(s, pid, row.provider_id)
    service = await dir_repo.service(s, pid, row.service_id) if row.service_id else None
    practice = await dir_repo.practice_by_id(s, pid)
    tz = book.timezone if book else "UTC"
    facts = templates.AppointmentFacts(
        starts_at=row.starts_at,
        timezone=tz,
        provider=provider.name if provider else "",
        service=service.name if service else "",
        location=book.name if book else "",
        price_cents=service.price_cents if service else None,
        currency=service.currency if service else None,
    )
    values = templates.variables(
        first_name=patient.first_name if patient else "",
        last_name=patient.last_name if patient else "",
        email=patient.email if patient else None,
        phone=patient.phone if patient else None,
        organization=str(v["basics.name"]) or (practice.name if practice else ""),
        lang=lang,
        appt=facts,
    )
    return values, ZoneInfo(tz), lang


def _note(to: str, kind: str, lang: str, values: dict[str, Any]) -> Note:
    subject, text, html = templates.shipped(kind, lang, values)
    return Note(to, subject, text, html)


async def _offer_sent(s: AsyncSession, pid: int, offer_id: int, now: datetime) -> None:
    offer = await waitlist_repo.offer(s, pid, offer_id)
    if offer is not None and offer.sent_at is None:
        offer.sent_at = now
