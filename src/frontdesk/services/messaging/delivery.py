"""A message delivered exactly once. Its dedupe key is claimed in the send log (committed) before it
is handed to the channel and marked sent after. A second worker, or a retry after a crash, finds the
claim and does not send again: a claim left `sending` (its worker died between sending and recording)
is marked `unconfirmed` for a person to check, never sent a second time. A send that fails before the
server took it releases the claim, so the retry may send."""

from __future__ import annotations

import aiosmtplib

from frontdesk.services.context import Clock
from frontdesk.services.jobs.queue import ClaimedJob
from frontdesk.services.jobs.worker import Permanent
from frontdesk.services.messaging.email import Email, Mailer
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import jobs as repo


class Delivery:
    def __init__(self, db: Database, clock: Clock, mailer: Mailer | None) -> None:
        self.db = db
        self.clock = clock
        self.mailer = mailer

    @property
    def email_on(self) -> bool:
        return self.mailer is not None

    async def email(self, job: ClaimedJob, worker: str, mail: Email) -> str:
        """Send `mail` once for its `message_key`; the send log's status for it."""
        if self.mailer is None:
            return "off"
        key = mail.message_key or job.dedupe_key
        async with self.db.write() as s:
            earlier = await repo.claim_send(
                s,
                job.practice_id,
                dedupe_key=key,
                job_id=job.id,
                channel="email",
                recipient=mail.to,
                worker=worker,
                now=self.clock(),
            )
        if earlier is not None:
            if earlier.status == repo.SENDING:
                async with self.db.write() as s:
                    await repo.mark_sent(s, job.practice_id, key, self.clock(), status=repo.UNCONFIRMED)
                return repo.UNCONFIRMED
            return earlier.status
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
        async with self.db.write() as s:
            await repo.mark_sent(s, job.practice_id, key, self.clock())
        return repo.SENT

    async def _release(self, practice_id: int, key: str) -> None:
        async with self.db.write() as s:
            await repo.release_send(s, practice_id, key)
