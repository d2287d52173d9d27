"""A campaign to N clients: creating it (the audience counted), sending it (N recipients and N jobs
written in one transaction) and one in-process worker delivering it to a local SMTP server (aiosmtpd).

    .venv/bin/python bench/campaigns.py [--pg [ADMIN_URL]] [--count 5000]

The worker's clock is an hour ahead of the send, so the rate limit (communication.emailPerMinute) does
not hold it back: the figure is what the queue and the send log cost per message."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from common import PG_ADMIN, BenchDB, postgres_db, sqlite_db
from messages import Counter, _port

from frontdesk.composition import Frontdesk
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.messaging.campaigns import Draft
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.migrate import upgrade

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


async def _fill(app: Frontdesk, count: int) -> int:
    async with app.db.write() as s:
        practice = m.Practice(slug="b" + uuid.uuid4().hex[:10], name="Bench", timezone="UTC", created_at=NOW)
        s.add(practice)
        await s.flush()
        for i in range(count):
            s.add(
                m.Patient(
                    practice_id=practice.id,
                    uid=str(uuid.uuid4()),
                    first_name=f"Ana{i}",
                    last_name="Bench",
                    search_name=f"ana{i} bench",
                    email=f"ana{i}@example.com",
                    created_at=NOW,
                )
            )
        return practice.id


async def measure(db: BenchDB, count: int) -> None:
    await upgrade(db.url)
    box, port = Counter(), _port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = SmtpSettings.parse(f"smtp://127.0.0.1:{port}?starttls=no", "Bench <bench@example.com>")
    clock = [NOW]
    app = Frontdesk(Database(db.url), clock=lambda: clock[0], settings=Settings(), smtp=smtp)
    try:
        pid = await _fill(app, count)
        p = Principal(pid, "bench")
        await app.practice_settings.update(p, {"communication.emailPerMinute": 6000})
        t0 = time.perf_counter()
        draft = Draft("Bench", "Hola {nombre}", "<p>Hola {nombre_completo}</p>", "predefined", "new")
        c = await app.campaigns.create(p, draft, consent=Consent.GIVEN)
        t1 = time.perf_counter()
        await app.campaigns.send(p, c.id, consent=Consent.GIVEN)
        t2 = time.perf_counter()
        clock[0] = NOW + timedelta(hours=1)
        worker = app.worker()
        worker.batch = 20
        await worker.drain(rounds=10**6)
        t3 = time.perf_counter()
        done = await app.campaigns.get(p, c.id)
    finally:
        await app.close()
        controller.stop()
    assert box.n == count == done.progress.sent, (box.n, done.progress)
    print(
        f"{db.label}: {count} clients: create {1000 * (t1 - t0):.0f} ms, send {1000 * (t2 - t1):.0f} ms "
        f"({1e6 * (t2 - t1) / count:.0f} us per recipient), delivery {count / (t3 - t2):.0f} msg/s "
        f"with one worker",
        flush=True,
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, default=None)
    ap.add_argument("--count", type=int, default=5000)
    args = ap.parse_args()
    async with postgres_db(args.pg) if args.pg else sqlite_db() as db:
        await measure(db, args.count)


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    asyncio.run(main())
