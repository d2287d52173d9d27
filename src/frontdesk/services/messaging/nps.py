"""The post-session question (the seed's notificationFollowup, settings reminders.followup*): after an
appointment is completed the client is asked, by email, how likely they are to recommend the
practice (0-10) with a link to a small public page (/{slug}/feedback/{token}) that stores the score
and a comment (services/messaging/feedback.py).

`on_completed` runs inside the lifecycle's transaction when an appointment becomes completed (the
one place: lifecycle.move): it records the feedback request and enqueues up to followupMaxFollowups
questions, the first followupDaysAfter days later, then one every followupInterval days, each moved
out of the quiet hours. Each message carries its own link (256 random bits, stored only as its
SHA-256 hash, good for LINK_DAYS days); a question that comes due after the client answered sends
nothing, and answering removes the ones still pending."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import messaging
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.jobs.queue import ClaimedJob, JobQueue
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging import templates
from frontdesk.services.messaging.delivery import Delivery
from frontdesk.services.messaging.email import Email
from frontdesk.services.oauth_model import digest
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import feeds as repo
from frontdesk.storage.repositories import jobs as jobs_repo
from frontdesk.storage.repositories import messages as msg_repo
from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories.clinical import patients as chart_repo

KIND = "nps_followup"
SUBJECT = "appointment"
TOKEN_PREFIX = "fdfb_"
TOKEN_MAX = 80
LINK_DAYS = 30


def new_token() -> tuple[str, str]:
    """(a feedback link's token, its hash)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token)


def well_formed(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX) and len(token) <= TOKEN_MAX


async def on_completed(s: AsyncSession, now: datetime, row: m.Appointment) -> None:
    """The feedback request of a just-completed appointment and its questions (keyed: once)."""
    pid = row.practice_id
    v = await settings_values(s, pid)
    count = int(v["reminders.followupMaxFollowups"])
    if not v["reminders.followup"] or count < 1 or "email" not in v["communication.channels"]:
        return
    if await repo.request_for(s, pid, row.id) is not None:
        return  # completed before (a correction back and forth): asked once
    await repo.add_request(
        s,
        m.FeedbackRequest(
            practice_id=pid,
            appointment_id=row.id,
            patient_id=row.patient_id,
            provider_id=row.provider_id,
            service_id=row.service_id,
            created_at=now,
            sent_count=0,
        ),
    )
    book = await dir_repo.datebook(s, pid, row.datebook_id)
    tz = book.timezone if book else "UTC"
    first = timedelta(days=int(v["reminders.followupDaysAfter"]))
    every = timedelta(days=int(v["reminders.followupInterval"]))
    quiet = str(v["reminders.quietStart"]), str(v["reminders.quietEnd"])
    for n in range(count):
        due = messaging.outside_quiet(now + first + n * every, tz, *quiet)
        await JobQueue.enqueue(
            s,
            pid,
            KIND,
            {"appointment_id": row.id, "n": n + 1},
            key=f"appt:{row.id}:nps:{n + 1}",
            now=now,
            run_at=due,
            subject=(SUBJECT, row.id),
        )


async def drop_pending(s: AsyncSession, practice_id: int, appointment_id: int) -> int:
    return await jobs_repo.drop_pending(s, practice_id, SUBJECT, appointment_id, [KIND])


class NpsFollowups:
    """The job handler: one question, with a fresh link, unless the client answered already."""

    def __init__(self, uc: UseCases, delivery: Delivery, public_url: str) -> None:
        self.uc = uc
        self.delivery = delivery
        self.public_url = public_url

    async def __call__(self, job: ClaimedJob, worker: str) -> None:
        if not self.delivery.email_on:
            return  # the email channel is off: nothing to send
        mail = await self.uc.run(lambda s, now: self._compose(s, now, job))
        if mail is not None:
            await self.delivery.email(job, worker, mail)

    async def _compose(self, s: AsyncSession, now: datetime, job: ClaimedJob) -> Email | None:
        pid = job.practice_id
        request = await repo.request_for(s, pid, int(job.payload["appointment_id"]))
        row = await appt_repo.get(s, pid, int(job.payload["appointment_id"]))
        if request is None or row is None:
            raise Permanent("the appointment or its feedback request no longer exists")
        if request.answered_at is not None:
            return None  # answered: the questions stop
        patient = await patient_repo.get(s, pid, row.patient_id)
        if patient is None or not patient.email or await msg_repo.opted_out(s, pid, patient.id, "email"):
            return None
        practice = await dir_repo.practice_by_id(s, pid)
        if practice is None:
            raise Permanent("the practice no longer exists")
        token, hashed = new_token()
        await repo.add_token(s, pid, request.id, hashed, now, now + timedelta(days=LINK_DAYS))
        request.sent_count += 1
        v = await settings_values(s, pid)
        profile = await chart_repo.profile(s, pid, patient.id)
        lang = templates.language(profile.language if profile else None, str(v["basics.locale"]))
        book = await dir_repo.datebook(s, pid, row.datebook_id)
        service = await dir_repo.service(s, pid, row.service_id) if row.service_id else None
        facts = templates.AppointmentFacts(
            starts_at=row.starts_at,
            timezone=book.timezone if book else "UTC",
            provider="",
            service=service.name if service else "",
            location=book.name if book else "",
        )
        values = templates.variables(
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            phone=patient.phone,
            organization=str(v["basics.name"]) or practice.name,
            lang=lang,
            appt=facts,
        )
        values["enlace"] = f"{self.public_url}/{practice.slug}/feedback/{token}?lang={lang}"
        subject, text, html = templates.shipped("feedback", lang, values)
        return Email(patient.email, subject, text, html, message_key=job.dedupe_key)
