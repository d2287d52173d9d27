"""A message delivered exactly once. Its dedupe key is claimed in the send log (committed) before it
is handed to the channel and marked sent after (by the hot handlers in the job's completion
transaction: one commit fewer per message). A second worker, or a retry after a crash, finds the claim
and does not send again: a claim left `sending` (its worker died between sending and recording) is
marked `unconfirmed` for a person to check, never sent a second time. A send that fails before the
server took it releases the claim, so the retry may send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.settings import Values
from frontdesk.services.jobs.queue import ClaimedJob, Finish
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging import whatsapp, whatsapp_delivery
from frontdesk.services.messaging.email import Email, Mailer
from frontdesk.services.messaging.whatsapp import Account, WaMessage, WhatsAppClient
from frontdesk.services.usecase import UseCases
from frontdesk.storage.models import SentMessage
from frontdesk.storage.repositories import jobs as repo


@dataclass(frozen=True, slots=True)
class Note:
    """A message for any channel: the address on it (an email address, a phone), a subject (email's;
    a chat channel may lead with it), the text and its HTML form (email's)."""

    to: str
    subject: str
    text: str
    html: str | None = None


OptOutCheck = Callable[[int, int, str], Awaitable[bool]]  # (practice, client, channel)


class Delivery:
    def __init__(self, uc: UseCases, mailer: Mailer | None, wa: WhatsAppClient | None = None) -> None:
        self.uc = uc
        self.mailer = mailer
        self.wa = wa  # WhatsApp: on per practice, once its settings name a number and a token

    @property
    def email_on(self) -> bool:
        return self.mailer is not None

    def configured(self, v: Values | None = None) -> dict[str, bool]:
        """Whether each channel can send (never its secrets): email is the server's
        (FRONTDESK_SMTP_URL); WhatsApp also needs the practice's own account, in its settings `v`."""
        wa = self.wa is not None and v is not None and whatsapp.account(v) is not None
        return {"email": self.email_on, "whatsapp": wa, "sms": False}

    async def send(self, channel: str, job: ClaimedJob, worker: str, note: Note) -> str:
        """`note` once on `channel` (the channel-agnostic entry: each channel renders it its way);
        "off" when the channel cannot send for this practice (turned off since it was queued)."""
        if channel == "email":
            mail = Email(note.to, note.subject, note.text, note.html, message_key=job.dedupe_key)
            return await self.email(job, worker, mail)
        if channel == "whatsapp":
            acct = await whatsapp_delivery.practice_account(self.uc, job.practice_id)
            to = whatsapp.recipient(note.to)
            if acct is None or to is None:
                return "off"
            text = f"{note.subject}\n\n{note.text}"
            return await self.whatsapp(
                job, worker, acct, WaMessage(to, "text", text=text, message_key=job.dedupe_key)
            )
        raise Permanent(f"the {channel} channel is not configured on this server")

    async def email(self, job: ClaimedJob, worker: str, mail: Email) -> str:
        """Send `mail` once for its `message_key`, marked sent at once; the send log's status for it."""
        status, finish = await self._email(job, worker, mail)
        if finish is not None:
            await self.uc.run(finish)
        return status

    async def email_finish(self, job: ClaimedJob, worker: str, mail: Email) -> Finish | None:
        """The same, for a handler that returns the "sent" mark to be written in its job's completion
        transaction (a crash before that commit leaves the claim `sending`: unconfirmed, never sent
        twice); None when nothing was sent now (off, claimed before)."""
        return (await self._email(job, worker, mail))[1]

    async def _email(self, job: ClaimedJob, worker: str, mail: Email) -> tuple[str, Finish | None]:
        if self.mailer is None:
            return "off", None
        key = mail.message_key or job.dedupe_key

        async def claim(s: AsyncSession, now: datetime) -> SentMessage | None:
            return await repo.claim_send(
                s,
                job.practice_id,
                dedupe_key=key,
                job_id=job.id,
                channel="email",
                recipient=mail.to,
                worker=worker,
                now=now,
            )

        earlier = await self.uc.run(claim)
        if earlier is not None:
            if earlier.status == repo.SENDING:
                await self._mark(job.practice_id, key, repo.UNCONFIRMED)
                return repo.UNCONFIRMED, None
            return earlier.status, None
        try:
            await self.mailer.send(mail)
        except aiosmtplib.SMTPResponseException as exc:
            await self._release(job.practice_id, key)
            if exc.code >= 500:  # refused for good (unknown mailbox, policy): trying again cannot help
                raise Permanent(f"the mail server refused the message: {exc.code}") from None
            raise OSError(f"the mail server deferred the message: {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            await self._release(job.practice_id, key)
            raise OSError(f"the mail server could not be reached: {type(exc).__name__}") from None

        async def sent(s: AsyncSession, now: datetime) -> None:
            # Losing this commit in a database crash is safe: the claim stays `sending`, so the job's
            # retry marks it unconfirmed and sends nothing. No need to wait for the disk (a WAL flush).
            await repo.commit_without_waiting_for_disk(s)
            await repo.mark_sent(s, job.practice_id, key, now, status=repo.SENT)

        return repo.SENT, sent

    async def whatsapp(
        self,
        job: ClaimedJob,
        worker: str,
        acct: Account,
        msg: WaMessage,
        upload: whatsapp_delivery.Upload | None = None,
    ) -> str:
        """Send `msg` once for its key, by the same claim/mark discipline (whatsapp_delivery.py); with
        `upload`, that media uploaded first (under the same claim) and sent by its id."""
        if self.wa is None:
            return "off"
        return await whatsapp_delivery.deliver(self.uc, self.wa, job, worker, acct, msg, upload)

    async def _mark(self, practice_id: int, key: str, status: str) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            await repo.mark_sent(s, practice_id, key, now, status=status)

        await self.uc.run(body)

    async def _release(self, practice_id: int, key: str) -> None:
        async def body(s: AsyncSession, _now: datetime) -> None:
            await repo.release_send(s, practice_id, key)

        await self.uc.run(body)


class SingleMessages:
    """The job handler of a message queued by comms_send_message (rendered when it was queued); an
    opt-out made since is honoured."""

    def __init__(self, delivery: Delivery, opted_out: OptOutCheck) -> None:
        self.delivery = delivery
        self.opted_out = opted_out

    async def __call__(self, job: ClaimedJob, worker: str) -> Finish | None:
        if job.payload.get("channel") == "whatsapp":
            await self._whatsapp(job, worker)
            return None
        if not self.delivery.email_on:
            raise Permanent("the email channel is not configured")
        a = job.payload
        if await self.opted_out(job.practice_id, int(a["patient_id"]), "email"):
            return None
        mail = Email(
            str(a["to"]), str(a["subject"]), str(a["text"]), str(a["html"]), message_key=job.dedupe_key
        )
        return await self.delivery.email_finish(job, worker, mail)

    async def _whatsapp(self, job: ClaimedJob, worker: str) -> None:
        if await self.opted_out(job.practice_id, int(job.payload["patient_id"]), "whatsapp"):
            return
        acct = await whatsapp_delivery.practice_account(self.delivery.uc, job.practice_id)
        if acct is None:  # its settings were cleared since it was queued
            raise Permanent(whatsapp_delivery.NOT_CONFIGURED)
        msg = whatsapp_delivery.single_message(job.payload, job.dedupe_key)
        await self.delivery.whatsapp(job, worker, acct, msg)
