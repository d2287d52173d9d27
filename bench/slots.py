"""Free-slot search timed in-process: `app.availability.find` on the bench practice, and the engine alone.

    .venv/bin/python bench/slots.py [--pg [ADMIN_URL]] [--reps 50] [--warmup 5]

Every database is made for the run (a temporary SQLite file; with --pg a fresh database bench_<random>
on the PostgreSQL server, dropped afterwards) and filled by data.py. The clock is fixed just before
the booked month, so every run searches the same future.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import data
from common import PG_ADMIN, BenchDB, Row, Stats, log, postgres_db, sqlite_db, text_table, timed

from frontdesk.composition import Frontdesk
from frontdesk.domain.scheduling.hours import WeeklyWindow, expand_weekly
from frontdesk.domain.scheduling.ranges import TimeRange
from frontdesk.domain.scheduling.slots import Busy, SlotRules, find_slots
from frontdesk.services.context import Principal
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import appointments as repo

LIMIT = 200
GROUP = "slots (in-process)"


async def bench_find(db: BenchDB, info: data.BenchPractice, *, reps: int, warmup: int) -> list[Row]:
    """`app.availability.find` over the booked month: all providers at once, then one provider a call."""
    now = info.clock()
    app = Frontdesk(Database(db.url), clock=lambda: now, settings=Settings())
    p = Principal(info.practice_id, "bench")
    start, end = info.start.isoformat(), info.end.isoformat()
    rows: list[Row] = []
    try:

        async def measure(name: str, fn: Callable[[], Awaitable[int]], note: str) -> None:
            found = await fn()
            secs = await timed(fn, warmup=warmup, reps=reps)
            rows.append(Row(GROUP, name, db.kind, Stats.of(secs), f"{found} slots; {note}"))
            log(f"  {name} [{db.kind}]: p50 {Stats.of(secs).p50:.2f} ms")

        async def all_providers() -> int:
            return len(await app.availability.find(p, start=start, end=end, limit=LIMIT))

        async def all_buffered() -> int:
            found = await app.availability.find(
                p, start=start, end=end, service_id=info.buffered_service_id, limit=LIMIT
            )
            return len(found)

        await measure("find: 20 providers, 30 days, limit 200", all_providers, "30-min slots, both datebooks")
        await measure(
            "find: 20 providers, 30 days, limit 200, buffered service",
            all_buffered,
            "60 min + 5/10 min buffers",
        )

        # One call per provider, each in its own datebook (as an agent asks for one doctor).
        per_call: list[float] = []
        counts: list[int] = []
        pairs = [(b.id, prov) for b in info.books for prov in b.provider_ids]
        for i in range(warmup + reps):
            for book_id, prov in pairs:
                t0 = time.perf_counter()
                found = await app.availability.find(
                    p, start=start, end=end, datebook_id=book_id, provider_id=prov, limit=LIMIT
                )
                dt = time.perf_counter() - t0
                if i >= warmup:
                    per_call.append(dt)
                    counts.append(len(found))
        rows.append(
            Row(
                GROUP,
                "find: 1 provider, 30 days, limit 200 (each of 20)",
                db.kind,
                Stats.of(per_call),
                f"{min(counts)}-{max(counts)} slots per call",
            )
        )
        log(f"  per provider [{db.kind}]: p50 {Stats.of(per_call).p50:.2f} ms")

        # The bookings query alone: what the database and the ORM cost before the engine runs.
        lo = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(info.books[0].timezone))
        hi = datetime.fromisoformat(end).replace(tzinfo=ZoneInfo(info.books[0].timezone))

        async def busy_query() -> int:
            async with app.db.read() as s:
                return len(await repo.busy_for(s, info.practice_id, info.provider_ids, lo, hi, now))

        busy = await busy_query()
        secs = await timed(busy_query, warmup=warmup, reps=reps)
        rows.append(
            Row(
                GROUP, "query: bookings of 20 providers, 30 days", db.kind, Stats.of(secs), f"{busy} ORM rows"
            )
        )
    finally:
        await app.close()
    return rows


def bench_engine(anchor: date, *, reps: int, warmup: int) -> list[Row]:
    """expand_weekly + find_slots for 20 providers x 30 days, no database: the engine's share."""
    windows = [WeeklyWindow(d, *data.WORK) for d in range(5)]
    breaks = [WeeklyWindow(d, *data.BREAK) for d in range(5)]
    busy: dict[int, list[Busy]] = {i: [] for i in range(data.PROVIDERS)}
    for b in data.plan(anchor):
        if b.cancelled:
            continue
        _, _, before, after, _ = data.SERVICES[b.service]
        busy[b.provider].append(
            Busy(TimeRange(b.starts_at, b.ends_at), timedelta(minutes=before), timedelta(minutes=after))
        )
    ref = ZoneInfo(data.DATEBOOKS[0][1])
    lo = datetime.combine(anchor, datetime.min.time(), ref).astimezone(UTC)
    window = TimeRange(lo, lo + timedelta(days=data.DAYS))
    now = lo - timedelta(hours=12)
    first, last = anchor - timedelta(days=1), anchor + timedelta(days=data.DAYS + 1)
    rules = SlotRules(duration=timedelta(minutes=30), grid=timedelta(minutes=15), horizon=timedelta(days=365))
    zones = [ZoneInfo(data.DATEBOOKS[data.datebook_of(i)][1]) for i in range(data.PROVIDERS)]

    def expand() -> list[list[TimeRange]]:
        return [expand_weekly(windows, breaks, [], tz, first, last) for tz in zones]

    def sweep() -> int:
        found = 0
        for i, tz in enumerate(zones):
            opened = expand_weekly(windows, breaks, [], tz, first, last)
            found += len(find_slots(opened, busy[i], rules, tz, now, window, LIMIT))
        return found

    opened = expand()

    def search_only() -> int:
        return sum(
            len(find_slots(opened[i], busy[i], rules, tz, now, window, LIMIT)) for i, tz in enumerate(zones)
        )

    group = "engine (no database)"
    rows = []
    for name, fn, note in (
        ("expand_weekly + find_slots: 20 providers x 30 days", sweep, "limit 200 per provider"),
        ("expand_weekly alone: 20 providers x 32 days", expand, "working hours to UTC ranges"),
        ("find_slots alone: 20 providers x 30 days", search_only, "limit 200 per provider"),
    ):
        result = fn()
        secs = _timed_sync(fn, warmup=warmup, reps=reps)
        count = result if isinstance(result, int) else sum(len(r) for r in result)
        unit = "slots" if isinstance(result, int) else "ranges"
        rows.append(Row(group, name, "-", Stats.of(secs), f"{count} {unit}; {note}"))
    n_busy = sum(len(v) for v in busy.values())
    log(f"  engine: p50 {rows[0].stats.p50 if rows[0].stats else 0:.2f} ms over {n_busy} bookings")
    return rows


def _timed_sync(fn: Callable[[], object], *, warmup: int, reps: int) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


async def run(*, pg: str | None, reps: int, warmup: int) -> list[Row]:
    rows: list[Row] = []
    anchor: date | None = None
    targets = [sqlite_db()] + ([postgres_db(pg)] if pg else [])
    for target in targets:
        async with target as db:
            log(f"slots: building the bench practice on {db.label}")
            info = await data.build(db.url)
            anchor = info.anchor
            rows += await bench_find(db, info, reps=reps, warmup=warmup)
    assert anchor is not None
    return bench_engine(anchor, reps=reps, warmup=warmup) + rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pg", nargs="?", const=PG_ADMIN, help=f"also PostgreSQL (admin URL, default {PG_ADMIN})"
    )
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args()
    print(text_table(asyncio.run(run(pg=args.pg, reps=args.reps, warmup=args.warmup))))


if __name__ == "__main__":
    main()
