"""A worker process that dies by SIGKILL right after the mail server accepted its first message, before
it can record that (test_messages runs it: a real kill between sending and committing).

python -m tests.jobs.kill_worker DATABASE_URL SMTP_PORT NOW_ISO"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime

from frontdesk.composition import Frontdesk
from frontdesk.services.messaging.email import Email, Mailer, SmtpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database


class DiesAfterSend(Mailer):
    async def send(self, mail: Email) -> None:
        await super().send(mail)
        os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str, port: int, now: datetime) -> None:
    smtp = SmtpSettings.parse(f"smtp://127.0.0.1:{port}?starttls=no", "Clinic <clinic@example.com>")
    app = Frontdesk(Database(url), clock=lambda: now, settings=Settings(), smtp=smtp)
    app.delivery.mailer = DiesAfterSend(smtp)
    await app.worker("killed").run_once()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])))
