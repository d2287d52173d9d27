"""Appointment messages through the job queue: the confirmation (with its .ics invite) when a booking
is made, the 24-hour and 1-hour reminders (reminders.session24h, reminders.session1h), the cancellation
(METHOD:CANCEL). The lifecycle calls `on_created` and `on_moved` inside the booking's own transaction,
so an appointment and its messages commit together. Due times are in the appointment's local time (the
24-hour reminder is at the same wall-clock time the day before, across a DST change too); cancelling
removes pending reminders, rescheduling (a cancel with reason "rescheduled" and a new booking) moves
them to the new appointment. Messages are rendered when they are sent, so they say what is true then."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import messaging
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.settings import Values
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.jobs.queue import ClaimedJob, Finish, JobQueue
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging import templates, whatsapp, whatsapp_delivery
from frontdesk.services.messaging.delivery import Delivery
from frontdesk.services.messaging.email import Attachment, Email
from frontdesk.services.messaging.invite import HOST, invite, uid
from frontdesk.services.messaging.whatsapp import Account, WaMessage
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import jobs as repo
from frontdesk.storage.repositories import messages as msg_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import patients as chart_repo

S = AppointmentStatus
KIND = "appointment_message"
PENDING = "pending_confirmation"  # the job that acts on a booking left unconfirmed (pending.py)
SUBJECT = "appointment"
ACTIVE = (S.SCHEDULED, S.CONFIRMED, S.PENDING_CONFIRMATION)  # booked and still to come
# reminder type -> (the setting that turns it on, the one that says how many hours before)
REMINDERS = {
    "sessionReminder24h": ("reminders.session24h", "reminders.session24hHoursBefore"),
    "sessionReminder1h": ("reminders.session1h", "reminders.session1hHoursBefore"),
}


def local_due(starts_at: datetime, tz: str, before: timedelta, send_time: str = "") -> datetime:
    """`before` the start on the location's wall clock ("a day before" is the same local time the day
    before, even when a DST change lies between), as UTC; at `send_time` (HH:MM) that day if given."""
    zone = ZoneInfo(tz)
    wall = starts_at.astimezone(zone).replace(tzinfo=None) - before
    if send_time:
        h, m = send_time.split(":")
        wall = wall.replace(hour=int(h), minute=int(m), second=0, microsecond=0)
    return wall.replace(tzinfo=zone).astimezone(starts_at.tzinfo)


def _due(v: Values, row: m.Appointment, tz: str, at: datetime) -> datetime:
    """`at` moved out of the practice's quiet hours (still ahead of the session where it can be)."""
    return messaging.outside_quiet(
        at, tz, str(v["reminders.quietStart"]), str(v["reminders.quietEnd"]), before=row.starts_at
    )


async def on_created(s: AsyncSession, now: datetime, row: m.Appointment) -> None:
    """A booking's confirmation and reminders, in its transaction (keyed: calling again adds nothing)."""
    if S(row.status) not in ACTIVE:
        return  # a hold gets its messages when it is confirmed
    v = await settings_values(s, row.practice_id)
    if S(row.status) == S.PENDING_CONFIRMATION and v["reminders.pendingConfirmation"]:
        timeout = timedelta(hours=int(v["reminders.confirmationTimeoutHours"]))
        await JobQueue.enqueue(
            s,
            row.practice_id,
            PENDING,
            {"appointment_id": row.id},
            key=f"appt:{row.id}:pendingConfirmation",
            now=now,
            run_at=now + timeout,
            subject=(SUBJECT, row.id),
        )
    if not {"email", "whatsapp"} & set(v["communication.channels"]):
        return  # the practice sends on no channel this feature has
    pid, subject = row.practice_id, (SUBJECT, row.id)
    book = await dir_repo.datebook(s, pid, row.datebook_id)
    tz = book.timezone if book else "UTC"
    if v["reminders.booking"]:
        await JobQueue.enqueue(
            s,
            pid,
            KIND,
            {"appointment_id": row.id, "type": "confirmation"},
            key=f"appt:{row.id}:confirmation",
            now=now,
            run_at=_due(v, row, tz, now),
            subject=subject,
        )
    for kind, (enabled, hours) in REMINDERS.items():
        send_time = str(v["reminders.session24hSendTime"]) if kind == "sessionReminder24h" else ""
        due = _due(v, row, tz, local_due(row.starts_at, tz, timedelta(hours=int(v[hours])), send_time))
        if v[enabled] and now < due < row.starts_at:
            await JobQueue.enqueue(
                s,
                pid,
                KIND,
                {"appointment_id": row.id, "type": kind},
                key=f"appt:{row.id}:{kind}",
                now=now,
                run_at=due,
                subject=subject,
            )


async def on_moved(
    s: AsyncSession, now: datetime, row: m.Appointment, target: AppointmentStatus, reason: str | None
) -> None:
    if target == S.CANCELLED:
        await repo.drop_pending(s, row.practice_id, SUBJECT, row.id, [KIND, PENDING])
        if reason != "rescheduled":  # a reschedule's new booking sends the updated invite instead
            await JobQueue.enqueue(
                s,
                row.practice_id,
                KIND,
                {"appointment_id": row.id, "type": "cancellation"},
                key=f"appt:{row.id}:cancellation",
                now=now,
                subject=(SUBJECT, row.id),
            )
    elif target in ACTIVE:
        await on_created(s, now, row)


async def chain(s: AsyncSession, row: m.Appointment) -> tuple[int, int]:
    """(the first appointment of its reschedules, how many reschedules): the invite's UID and SEQUENCE."""
    root, depth = row, 0
    while root.rescheduled_from_id is not None and depth < 50:
        earlier = await appt_repo.get(s, row.practice_id, root.rescheduled_from_id)
        if earlier is None:
            break
        root, depth = earlier, depth + 1
    return root.id, depth


class AppointmentMessages:
    """The job handler: renders the message as things stand and delivers it once."""

    def __init__(self, db: Database, delivery: Delivery, host: str = HOST) -> None:
        self.db = db  # reads only: the delivery writes through the use-case skeleton
        self.delivery = delivery
        self.host = host

    async def __call__(self, job: ClaimedJob, worker: str) -> Finish | None:
        out = await self._compose(job)
        if isinstance(out, Email):
            # The returned write records it sent, in the job's completion transaction.
            return await self.delivery.email_finish(job, worker, out)
        if out is not None:
            await self.delivery.whatsapp(job, worker, *out)
        return None

    async def _compose(self, job: ClaimedJob) -> Email | tuple[Account, WaMessage] | None:
        kind = str(job.payload["type"])
        async with self.db.read() as s:
            pid = job.practice_id
            row = await appt_repo.get(s, pid, int(job.payload["appointment_id"]))
            if row is None:
                raise Permanent("the appointment no longer exists")
            cancel = kind == "cancellation"
            if not cancel and S(row.status) not in ACTIVE:
                return None  # cancelled or over since: a reminder has nothing to say
            patient = await patient_repo.get(s, pid, row.patient_id)
            if patient is None:
                return None
            v = await settings_values(s, pid)
            out = await msg_repo.optouts(s, pid, patient.id)
            channel = self._channel(job.payload.get("channel"), v, patient, out)
            if channel is None:
                return None  # no channel reaches this client now
            profile = await chart_repo.profile(s, pid, patient.id)
            lang = templates.language(profile.language if profile else None, str(v["basics.locale"]))
            book = await dir_repo.datebook(s, pid, row.datebook_id)
            provider = await dir_repo.provider(s, pid, row.provider_id)
            service = await dir_repo.service(s, pid, row.service_id) if row.service_id else None
            practice = await dir_repo.practice_by_id(s, pid)
            root, depth = await chain(s, row)
        facts = templates.AppointmentFacts(
            starts_at=row.starts_at,
            timezone=book.timezone if book else "UTC",
            provider=provider.name if provider else "",
            service=service.name if service else "",
            location=book.name if book else "",
            price_cents=service.price_cents if service else None,
            currency=service.currency if service else None,
        )
        org = str(v["basics.name"]) or (practice.name if practice else "")
        values = templates.variables(
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            phone=patient.phone,
            organization=org,
            lang=lang,
            appt=facts,
        )
        template = "reminder" if kind in REMINDERS else kind
        if channel == "whatsapp":
            acct, to = whatsapp.account(v), whatsapp.recipient(patient.phone)
            assert acct is not None and to is not None  # _channel checked both
            return acct, whatsapp_delivery.appointment_message(
                template, to, lang, values, acct, job.dedupe_key
            )
        subject, text, html = templates.shipped(template, lang, values)
        attachments: tuple[Attachment, ...] = ()
        if kind in ("confirmation", "cancellation"):
            ics = invite(
                uid=uid(root, self.host),
                sequence=depth + (1 if cancel else 0),
                starts_at=row.starts_at,
                minutes=int((row.ends_at - row.starts_at).total_seconds() // 60),
                summary=f"{facts.service or 'Appointment'} · {org}".strip(" ·"),
                location=facts.location,
                organizer=self.delivery.mailer.settings.mail_from if self.delivery.mailer else "",
                attendee=patient.email or "",
                now=row.updated_at,
                cancel=cancel,
            )
            method = "CANCEL" if cancel else "REQUEST"
            attachments = (Attachment("invite.ics", f"text/calendar; method={method}", ics),)
        return Email(str(patient.email), subject, text, html, attachments, message_key=job.dedupe_key)

    def _channel(self, asked: object, v: Values, patient: m.Patient, out: set[str]) -> str | None:
        """The channel this message goes on: the one asked for (comms_send_message), else WhatsApp
        when the practice sends on it, has it configured and the client has a number and accepts it,
        else email on the same terms; None when neither reaches the client."""
        on = set(v["communication.channels"]) | ({str(asked)} if asked else set())
        usable = {
            "whatsapp": self.delivery.wa is not None
            and whatsapp.account(v) is not None
            and whatsapp.recipient(patient.phone) is not None,
            "email": self.delivery.email_on and bool(patient.email),
        }
        for channel in (str(asked),) if asked else ("whatsapp", "email"):
            if usable.get(channel) and channel in on and channel not in out:
                return channel
        return None
