"""Deliver queued messages to a local SMTP server (aiosmtpd) with one and with two worker processes.

    .venv/bin/python bench/messages.py [--pg [ADMIN_URL]] [--count 10000]

Each run gets a fresh database (a temporary SQLite file; with --pg a fresh PostgreSQL database), N
message jobs enqueued in batches (the same job a reminder or comms_send_message makes, rendered), then
1 or 2 `frontdesk worker`-like processes drain the queue. Figures: messages per second (wall time
from the workers' start to the last message accepted by the SMTP server), the two-worker ratio, and
the database cost per message (PostgreSQL: committed transactions per message, from pg_stat_database).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import sys
import time
import uuid
from datetime import UTC, datetime

from common import PG_ADMIN, BenchDB, postgres_db, sqlite_db

from frontdesk.composition import Frontdesk
from frontdesk.services.jobs.queue import JobQueue
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.migrate import upgrade

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


class Counter:
    def __init__(self) -> None:
        self.n = 0
        self.last = 0.0

    async def handle_DATA(self, _server: object, _session: object, _envelope: object) -> str:
        self.n += 1
        self.last = time.perf_counter()
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _fill(url: str, count: int) -> None:
    await upgrade(url)
    app = Frontdesk(Database(url), clock=lambda: NOW, settings=Settings())
    try:
        async with app.db.write() as s:
            practice = m.Practice(
                slug="b" + uuid.uuid4().hex[:10], name="Bench", timezone="UTC", created_at=NOW
            )
            s.add(practice)
            await s.flush()
            patient = m.Patient(
                practice_id=practice.id,
                uid=str(uuid.uuid4()),
                first_name="Ana",
                last_name="Bench",
                search_name="ana bench",
                email="ana@example.com",
                created_at=NOW,
            )
            s.add(patient)
            await s.flush()
            pid, patient_id = practice.id, patient.id
        for start in range(0, count, 500):
            async with app.db.write() as s:
                for i in range(start, min(count, start + 500)):
                    payload = {
                        "patient_id": patient_id,
                        "to": "ana@example.com",
                        "subject": f"Reminder {i}",
                        "text": "Hola Ana, te recordamos tu cita.",
                        "html": "<p>Hola Ana</p>",
                    }
                    await JobQueue.enqueue(s, pid, "message", payload, key=f"bench:{i}", now=NOW)
    finally:
        await app.close()


def _worker(url: str, port: int) -> None:
    async def run() -> None:
        smtp = SmtpSettings.parse(f"smtp://127.0.0.1:{port}?starttls=no", "Bench <bench@example.com>")
        app = Frontdesk(Database(url), clock=lambda: NOW, settings=Settings(), smtp=smtp)
        try:
            worker = app.worker()
            worker.batch = 20
            await worker.drain(rounds=10**6)
        finally:
            await app.close()

    asyncio.run(run())


async def _commits(db: BenchDB) -> int:
    if db.kind != "postgresql":
        return 0
    import asyncpg

    conn = await asyncpg.connect(db.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(
            await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        )
    finally:
        await conn.close()


async def measure(db: BenchDB, count: int, workers: int) -> dict[str, float]:
    from aiosmtpd.controller import Controller

    await _fill(db.url, count)
    counter, port = Counter(), _port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        before = await _commits(db)
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=_worker, args=(db.url, port)) for _ in range(workers)]
        began = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            await asyncio.to_thread(p.join)
        after = await _commits(db)
    finally:
        controller.stop()
    assert counter.n == count, f"{counter.n} messages delivered, {count} queued"
    seconds = counter.last - began
    return {"rate": count / seconds, "seconds": seconds, "tx_per_message": (after - before) / count}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, default=None)
    ap.add_argument("--count", type=int, default=10_000)
    args = ap.parse_args()
    results = {}
    for workers in (1, 2):
        maker = postgres_db(args.pg) if args.pg else sqlite_db()
        async with maker as db:
            results[workers] = r = await measure(db, args.count, workers)
            print(
                f"{db.label}: {workers} worker(s), {args.count} messages: {r['rate']:.0f} msg/s "
                f"({r['seconds']:.1f} s), {r['tx_per_message']:.2f} transactions per message",
                flush=True,
            )
    print(f"two-worker ratio: {results[2]['rate'] / results[1]['rate']:.2f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    asyncio.run(main())
