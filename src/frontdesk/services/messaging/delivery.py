"""A message delivered exactly once. Its dedupe key is claimed in the send log (committed) before it
is handed to the channel and marked sent after, in the job's completion transaction (one commit fewer
per message). A second worker, or a retry after a crash, finds the claim and does not send again: a
claim left `sending` (its worker died between sending and recording) is marked `unconfirmed` for a
person to check, never sent a second time. A send that fails before the server took it releases the
claim, so the retry may send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.services.jobs.queue import ClaimedJob, Finish
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging.email import Email, Mailer
from frontdesk.services.usecase import UseCases
from frontdesk.storage.models import SentMessage
from frontdesk.storage.repositories import jobs as repo

OptOutCheck = Callable[[int, int, str], Awaitable[bool]]  # (practice, client, channel)


class Delivery:
    def __init__(self, uc: UseCases, mailer: Mailer | None) -> None:
        self.uc = uc
        self.mailer = mailer

    @property
    def email_on(self) -> bool:
        return self.mailer is not None

    async def email(self, job: ClaimedJob, worker: str, mail: Email) -> Finish | None:
        """Send `mail` once for its `message_key`. Returns, when it was sent now, the write that marks
        it sent, for the job's completion transaction (a crash before that commit leaves the claim
        `sending`: unconfirmed, never sent twice); None when nothing was sent (off, claimed before)."""
        if self.mailer is None:
            return None
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
            return None
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

        return sent

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
        if not self.delivery.email_on:
            raise Permanent("the email channel is not configured")
        a = job.payload
        if await self.opted_out(job.practice_id, int(a["patient_id"]), "email"):
            return None
        mail = Email(
            str(a["to"]), str(a["subject"]), str(a["text"]), str(a["html"]), message_key=job.dedupe_key
        )
        return await self.delivery.email(job, worker, mail)
