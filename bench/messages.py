"""Issue 14: deliver queued messages to a local SMTP server (aiosmtpd) with one and with two workers.

    .venv/bin/python bench/messages.py [--pg [ADMIN_URL]] [--count 10000] [--workers 1,2] [--sink-only]

Each run gets a fresh database (a temporary SQLite file; with --pg a fresh PostgreSQL database), N
message jobs enqueued in batches (the job comms_send_message makes, rendered when queued), then 1 or
2 worker processes (spawned; each runs `app.worker().drain()`, what `frontdesk worker --once` runs,
batch 20) drain the queue into an SMTP sink running in a process of its own. Figures:

* msg/s: messages over the time from the first to the last message the sink accepted (the workers'
  start-up, ~1 s of imports, left out), and over the whole wall time from the workers' start;
* the database cost per message: committed transactions (pg_stat_database.xact_commit of the bench
  database), SQL statements the workers executed (counted in each worker by a before_cursor_execute
  listener; BEGIN/COMMIT are not statements there), and WAL syncs (pg_stat_wal.wal_sync: the whole
  server's, so other databases' work on the machine counts in it too);
* CPU, as cores (CPU seconds / wall seconds) over the run: the workers, the sink, the bench
  database's PostgreSQL backends, PostgreSQL's background processes (WAL writer etc., shared with
  every database), and the whole machine (busy fraction x CPUs, from /proc/stat): the difference
  is other processes. And CPU milliseconds per message of each.

--sink-only measures the sink's ceiling without a database: 1 and 2 client processes each sending
N/clients messages with Frontdesk's own Mailer (one kept connection per client, the same MIME
build) as fast as the sink takes them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from common import PG_ADMIN, BenchDB, postgres_db, sqlite_db

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
SAMPLE_SECONDS = 0.25


# --- the SMTP sink, in its own process ------------------------------------------------------------


def _sink(port: int, n: Any, first: Any, last: Any, ready: Any, stop: Any) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, _server: object, _session: object, _envelope: object) -> str:
            if n.value == 0:
                first.value = time.monotonic()
            n.value += 1
            last.value = time.monotonic()
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """aiosmtpd in a spawned process; counts messages and the monotonic times of the first and last
    (CLOCK_MONOTONIC is system-wide: comparable with this process's time.monotonic())."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.port = _port()
        self.n = ctx.Value("q", 0, lock=False)
        self.first = ctx.Value("d", 0.0, lock=False)
        self.last = ctx.Value("d", 0.0, lock=False)
        self.ready, self.stop = ctx.Event(), ctx.Event()
        self.proc = ctx.Process(
            target=_sink, args=(self.port, self.n, self.first, self.last, self.ready, self.stop)
        )

    def __enter__(self) -> Sink:
        self.proc.start()
        if not self.ready.wait(60):
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.proc.join(20)
        if self.proc.is_alive():
            self.proc.kill()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _smtp(port: int) -> Any:
    from frontdesk.services.messaging.email import SmtpSettings

    return SmtpSettings.parse(f"smtp://127.0.0.1:{port}?starttls=no", "Bench <bench@example.com>")


def _payload(i: int, patient_id: int) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "to": "ana@example.com",
        "subject": f"Reminder {i}",
        "text": "Hola Ana, te recordamos tu cita.",
        "html": "<p>Hola Ana</p>",
    }


# --- the queue and the workers ------------------------------------------------------------------------


async def _fill(url: str, count: int) -> None:
    from frontdesk.composition import Frontdesk
    from frontdesk.services.jobs.queue import JobQueue
    from frontdesk.services.settings import Settings
    from frontdesk.storage import models as m
    from frontdesk.storage.db import Database
    from frontdesk.storage.migrate import upgrade

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
                    await JobQueue.enqueue(
                        s, pid, "message", _payload(i, patient_id), key=f"bench:{i}", now=NOW
                    )
    finally:
        await app.close()


def _worker(url: str, port: int, out: Any) -> None:
    from sqlalchemy import event

    from frontdesk.composition import Frontdesk
    from frontdesk.services.settings import Settings
    from frontdesk.storage.db import Database

    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    async def run() -> int:
        db = Database(url)
        for engine in {id(e): e for e in (db.engine, db._write_engine)}.values():
            event.listen(engine.sync_engine, "before_cursor_execute", count)
        app = Frontdesk(db, clock=lambda: NOW, settings=Settings(), smtp=_smtp(port))
        try:
            worker = app.worker()
            worker.batch = 20
            return await worker.drain(rounds=10**6)
        finally:
            await app.close()

    done = asyncio.run(run())
    out.put({"jobs": done, "statements": statements})


# --- CPU and database counters ------------------------------------------------------------------------


@dataclass
class CpuWatch:
    """CPU seconds of named groups of processes, sampled while they run (a process that exits keeps
    its last sample), and the machine's busy CPU seconds from /proc/stat."""

    groups: dict[str, dict[int, float]] = field(default_factory=dict)
    machine0: float = 0.0
    machine1: float = 0.0

    @staticmethod
    def busy() -> float:
        t = psutil.cpu_times()
        return float(t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0))

    def sample(self, group: str, pids: list[int]) -> None:
        seen = self.groups.setdefault(group, {})
        for pid in pids:
            try:
                t = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            seen[pid] = max(seen.get(pid, 0.0), t.user + t.system)

    def total(self, group: str, base: dict[int, float] | None = None) -> float:
        base = base or {}
        return sum(v - base.get(pid, 0.0) for pid, v in self.groups.get(group, {}).items())


def pg_aux_pids() -> list[int]:
    """PostgreSQL's background processes (WAL writer, checkpointer, ...), shared by every database."""
    out = []
    for p in psutil.process_iter(["name", "cmdline"]):
        cmd = " ".join(p.info.get("cmdline") or [])
        if (
            (p.info.get("name") or "").startswith("postgres")
            and "127.0.0.1(" not in cmd
            and "[local]" not in cmd
        ):
            out.append(p.pid)
    return out


async def _pg(db: BenchDB) -> Any:
    import asyncpg

    return await asyncpg.connect(db.url.replace("postgresql+asyncpg://", "postgresql://"))


async def _counters(conn: Any) -> dict[str, int]:
    row = await conn.fetchrow(
        "SELECT d.xact_commit, d.xact_rollback, w.wal_sync, w.wal_write, w.wal_records "
        "FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()"
    )
    return {k: int(v) for k, v in dict(row).items()}


async def _backends(conn: Any) -> list[int]:
    rows = await conn.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return [int(r["pid"]) for r in rows]


# --- the runs -----------------------------------------------------------------------------------------


async def measure(db: BenchDB, count: int, workers: int) -> dict[str, Any]:
    await _fill(db.url, count)
    pg = await _pg(db) if db.kind == "postgresql" else None
    aux = pg_aux_pids() if pg else []
    watch = CpuWatch()
    with Sink() as sink:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(db.url, sink.port, out)) for _ in range(workers)]
        if pg:
            await asyncio.sleep(1.0)  # the fill's connections gone, the statistics collector caught up
            before = await _counters(pg)
            watch.sample("pg aux", aux)
        aux_base = dict(watch.groups.get("pg aux", {}))
        sink_base = {sink.proc.pid: _cpu(sink.proc.pid)}
        watch.machine0 = watch.busy()
        began = time.monotonic()
        own = 0  # this process's own queries on the bench database while the workers run
        for p in procs:
            p.start()
        while any(p.is_alive() for p in procs):
            watch.sample("workers", [p.pid for p in procs if p.pid])
            watch.sample("sink", [sink.proc.pid])
            if pg:
                watch.sample("pg backends", await _backends(pg))
                own += 1  # that query is a transaction in the bench database too
                watch.sample("pg aux", aux)
            await asyncio.sleep(SAMPLE_SECONDS)
        ended = time.monotonic()
        watch.machine1 = watch.busy()
        watch.sample("sink", [sink.proc.pid])
        reports = [out.get(timeout=30) for _ in procs]
        for p in procs:
            p.join()
        delivered, first, last = int(sink.n.value), float(sink.first.value), float(sink.last.value)
    if pg:
        await asyncio.sleep(1.0)  # the workers' last statistics reported
    after = await _counters(pg) if pg else {}
    if pg:
        await pg.close()
    assert delivered == count, f"{delivered} messages delivered, {count} queued"
    wall = ended - began
    cpu = {
        "workers": watch.total("workers"),
        "sink": watch.total("sink", sink_base),
        "pg backends": watch.total("pg backends"),
        "pg aux": watch.total("pg aux", aux_base),
        "machine": watch.machine1 - watch.machine0,
    }
    stmts = sum(r["statements"] for r in reports)
    res: dict[str, Any] = {
        "db": db.label,
        "workers": workers,
        "count": count,
        "rate": (count - 1) / (last - first),
        "rate_wall": count / (last - began),
        "seconds": last - first,
        "wall": wall,
        "statements_per_message": stmts / count,
        "cores": {k: v / wall for k, v in cpu.items()},
        "cpu_ms_per_message": {k: 1000 * v / count for k, v in cpu.items()},
        "jobs_per_worker": [r["jobs"] for r in reports],
        "load": list(psutil.getloadavg()),
    }
    if pg:
        res |= {
            f"{k}_per_message": (after[k] - before[k]) / count
            for k in ("xact_commit", "wal_sync", "wal_records")
        }
        # The workers' commits only: less this process's sampling queries (and the counters' read).
        res["xact_commit_per_message"] = (after["xact_commit"] - before["xact_commit"] - own - 1) / count
    return res


def _cpu(pid: int) -> float:
    try:
        t = psutil.Process(pid).cpu_times()
        return float(t.user + t.system)
    except psutil.Error:
        return 0.0


def _client(port: int, n: int) -> None:
    from frontdesk.services.messaging.email import Email, Mailer

    async def run() -> None:
        mailer = Mailer(_smtp(port))
        try:
            for i in range(n):
                await mailer.send(
                    Email(
                        "ana@example.com", f"Reminder {i}", "Hola Ana", "<p>Hola Ana</p>", message_key=f"k{i}"
                    )
                )
        finally:
            await mailer.close()

    asyncio.run(run())


async def sink_ceiling(count: int, clients: int) -> dict[str, Any]:
    """The sink alone: `clients` processes sending count/clients messages each, no database."""
    watch = CpuWatch()
    with Sink() as sink:
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=_client, args=(sink.port, count // clients)) for _ in range(clients)]
        sink_base = {sink.proc.pid: _cpu(sink.proc.pid)}
        watch.machine0 = watch.busy()
        began = time.monotonic()
        for p in procs:
            p.start()
        while any(p.is_alive() for p in procs):
            watch.sample("clients", [p.pid for p in procs if p.pid])
            watch.sample("sink", [sink.proc.pid])
            await asyncio.sleep(SAMPLE_SECONDS)
        wall = time.monotonic() - began
        watch.machine1 = watch.busy()
        watch.sample("sink", [sink.proc.pid])
        n, first, last = int(sink.n.value), float(sink.first.value), float(sink.last.value)
    cpu = {
        "clients": watch.total("clients"),
        "sink": watch.total("sink", sink_base),
        "machine": watch.machine1 - watch.machine0,
    }
    return {
        "clients": clients,
        "count": n,
        "rate": (n - 1) / (last - first),
        "cores": {k: v / wall for k, v in cpu.items()},
        "cpu_ms_per_message": {k: 1000 * v / n for k, v in cpu.items()},
        "load": list(psutil.getloadavg()),
    }


def _fmt(d: dict[str, float], digits: int = 2) -> str:
    return ", ".join(f"{k} {v:.{digits}f}" for k, v in d.items())


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, default=None)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    ap.add_argument("--sink-only", action="store_true", help="the SMTP sink's ceiling, no database")
    ap.add_argument("--json", help="append every result, one JSON line each, to this file")
    args = ap.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    results: dict[int, dict[str, Any]] = {}
    for n in counts:
        if args.sink_only:
            r = await sink_ceiling(args.count, n)
            print(
                f"sink alone, {n} client process(es), {r['count']} messages: {r['rate']:.0f} msg/s; "
                f"cores: {_fmt(r['cores'])}; CPU ms/message: {_fmt(r['cpu_ms_per_message'])}; "
                f"load {r['load'][0]:.2f}",
                flush=True,
            )
        else:
            maker = postgres_db(args.pg) if args.pg else sqlite_db()
            async with maker as db:
                r = await measure(db, args.count, n)
            db_cost = (
                f"{r['xact_commit_per_message']:.2f} commits, {r['statements_per_message']:.2f} statements, "
                f"{r['wal_sync_per_message']:.2f} WAL syncs per message"
                if "xact_commit_per_message" in r
                else f"{r['statements_per_message']:.2f} statements per message"
            )
            print(
                f"{r['db']}: {n} worker(s), {args.count} messages: {r['rate']:.0f} msg/s "
                f"({r['seconds']:.1f} s first to last; {r['rate_wall']:.0f} msg/s over the wall time); "
                f"{db_cost}; jobs per worker {r['jobs_per_worker']}; cores: {_fmt(r['cores'])}; "
                f"CPU ms/message: {_fmt(r['cpu_ms_per_message'])}; load {r['load'][0]:.2f}",
                flush=True,
            )
        results[n] = r
        if args.json:
            with open(args.json, "a") as f:  # noqa: ASYNC230 - a bench, between runs
                f.write(json.dumps(r | {"sink_only": args.sink_only, "at": time.strftime("%H:%M:%S")}) + "\n")
    if 1 in results and 2 in results:
        what = "client" if args.sink_only else "worker"
        print(f"two-{what} ratio: {results[2]['rate'] / results[1]['rate']:.2f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    asyncio.run(main())
