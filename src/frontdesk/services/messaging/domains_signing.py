"""Mail from the practice's own domain, DKIM-signed with dkimpy: the Mailer's signer hook.

Which practice a message is for: the job handlers run inside `for_practice` (composition.py wraps
each one), which sets SENDING_PRACTICE to the job's practice for the length of the job. The Email a
handler builds carries no practice, and the handlers' module is not this feature's to change; a
context variable reaches the Mailer without it. Outside a job (no practice) nothing is signed.

When the practice's domain is VERIFIED the message goes From "<practice name>" <mailbox@domain>
(its envelope sender too) and carries a DKIM-Signature of d=domain; otherwise the server's own
FRONTDESK_MAIL_FROM, unsigned, as before."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import formataddr

import dkim

from frontdesk.domain.email_domains import VERIFIED
from frontdesk.services.jobs.queue import ClaimedJob, Finish
from frontdesk.services.jobs.worker import Handler
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import email_domains as repo

SENDING_PRACTICE: ContextVar[int | None] = ContextVar("frontdesk_sending_practice", default=None)
# Signed and oversigned (From) by dkimpy's defaults plus the ones our messages carry.
HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type")


@dataclass(frozen=True, slots=True)
class Signing:
    """How one message goes out from the practice's domain."""

    sender: str  # the From header
    address: str  # the envelope sender
    domain: str
    selector: str
    private_key: bytes = field(repr=False)

    def sign(self, message: bytes) -> bytes:
        """`message` (CRLF line ends, as sent) with its DKIM-Signature header in front."""
        header = dkim.sign(
            message,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.private_key,
            include_headers=[h for h in HEADERS if h in message.lower()],
        )
        return bytes(header) + message


class DomainSigner:
    """The signer hook: the practice's verified domain, read as it is now, or None."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, default_sender: str) -> Signing | None:
        practice_id = SENDING_PRACTICE.get()
        if practice_id is None:
            return None
        async with self.db.read() as s:
            row = await repo.get(s, practice_id)
            if row is None or row.status != VERIFIED:
                return None
            practice = await dir_repo.practice_by_id(s, practice_id)
        address = f"{row.mailbox}@{row.domain}"
        name = practice.name if practice is not None else ""
        return Signing(
            formataddr((name, address)) if name else address,
            address,
            row.domain,
            row.selector,
            row.private_key.encode("ascii"),
        )


def for_practice(handler: Handler) -> Handler:
    """`handler` with SENDING_PRACTICE set to its job's practice while it runs."""

    async def run(job: ClaimedJob, worker: str) -> Finish | None:
        token = SENDING_PRACTICE.set(job.practice_id)
        try:
            return await handler(job, worker)  # its completion writes (Finish) pass through
        finally:
            SENDING_PRACTICE.reset(token)

    return run
