"""Issue 12's booking calls timed in-process: booking_list paged by cursor over 10,000 sessions, and
availability_get_slots by service for 20 providers over 30 days.

    .venv/bin/python bench/bookings.py [--pg [ADMIN_URL]] [--passes 5] [--reps 50] [--warmup 5]

Every database is made for the run (a temporary SQLite file; with --pg a fresh database
bench_<random> on the PostgreSQL server, dropped afterwards) and filled by data.py with 9 weeks of
bookings instead of 30 days: 45 working days x 12 x 20 providers = 10,800 sessions, every provider
delivering every service. The services are called as the MCP tools call them, with a Principal of
the bench practice and a clock fixed just before the booked weeks:

* booking_list: `app.bookings.page` with no filter, limit 100, following `next_cursor` to the end.
  One untimed pass checks that every session is seen exactly once and in (starts_at, id) order;
  `--passes` timed passes give ms per page for the first, middle and last ten pages and the total
  of a pass. A last pass inserts rows between pages (one behind the cursor, one at the cursor's own
  start time, one further ahead) and checks that none behind is seen, every one ahead is seen once,
  and no other row is skipped or repeated.
* availability_get_slots by service: `app.availability.find` with `service_id` (mode "service":
  the providers assigned to it, here all 20, at both datebooks) over 30 days, limit 50 (the tool's
  default) and 200 (its maximum), for a 30-minute and the buffered 60-minute service.

The table is printed and written to bench/results/bookings.md (`--out`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import data
from common import (
    HEADER,
    PG_ADMIN,
    BenchDB,
    Row,
    Section,
    Stats,
    cells,
    log,
    machine,
    markdown_table,
    postgres_db,
    sqlite_db,
    text_table,
    timed,
)
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.services.context import Principal
from frontdesk.services.scheduling.bookings import BookingQuery
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database

WEEKS = 9  # 45 working days: 10,800 sessions for 20 providers
PAGE = 100
EDGE = 10  # pages in each of the first / middle / last groups
SLOT_DAYS = 30
LIST = "booking_list (cursor pages)"
SLOTS = "availability_get_slots (by service)"
RESULTS = Path(__file__).resolve().parent / "results" / "bookings.md"

Key = tuple[datetime, int]


@dataclass
class Pass:
    """One walk through every page: what it saw and how long each page took."""

    keys: list[Key] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [i for _, i in self.keys]


async def walk(app: Frontdesk, p: Principal, between: object = None) -> Pass:
    """Follow next_cursor from the first page to the last; `between(page, last_key)` runs after each."""
    out = Pass()
    cursor: str | None = None
    while True:
        t0 = time.perf_counter()
        page = await app.bookings.page(p, BookingQuery(limit=PAGE, cursor=cursor))
        out.seconds.append(time.perf_counter() - t0)
        out.keys += [(b.starts_at, b.id) for b in page.bookings]
        cursor = page.next_cursor
        if cursor is None:
            return out
        if callable(between):
            await between(len(out.seconds), out.keys[-1])


def check_once(seen: Pass, expected: set[int]) -> str:
    """Every expected id exactly once, nothing else, in strictly increasing (starts_at, id)."""
    ids = seen.ids
    dupes = len(ids) - len(set(ids))
    missing = len(expected - set(ids))
    extra = len(set(ids) - expected)
    ordered = all(a < b for a, b in zip(seen.keys, seen.keys[1:], strict=False))
    if dupes or missing or extra or not ordered:
        raise AssertionError(
            f"paging saw {len(ids)} rows: {dupes} repeated, {missing} skipped, {extra} unexpected, "
            f"ordered={ordered}"
        )
    return f"{len(ids)} sessions in {len(seen.seconds)} pages, each once, in order"


async def all_ids(db: Database, practice_id: int) -> set[int]:
    async with db.read() as s:
        q = select(m.Appointment.id).where(m.Appointment.practice_id == practice_id)
        return set((await s.execute(q)).scalars())


async def insert_at(db: Database, info: data.BenchPractice, provider: int, at: datetime) -> int:
    """A booking made by another client meanwhile (overlap allowed: it may share a provider's time)."""
    now = datetime.now(UTC)
    book = info.books[0]
    async with db.write() as s:
        patient = (
            await s.execute(select(m.Patient.id).where(m.Patient.practice_id == info.practice_id).limit(1))
        ).scalar_one()
        row = m.Appointment(
            practice_id=info.practice_id,
            datebook_id=book.id,
            provider_id=book.provider_ids[provider % len(book.provider_ids)],
            patient_id=patient,
            service_id=info.services["Check-up"],
            starts_at=at,
            ends_at=at + timedelta(minutes=30),
            status=AppointmentStatus.SCHEDULED.value,
            notes="inserted between pages",
            allow_overlap=True,
            created_by="bench",
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        await s.flush()
        return row.id


async def insert_while_paging(app: Frontdesk, p: Principal, info: data.BenchPractice) -> str:
    """Rows inserted between pages: behind the cursor (not to be seen), at the cursor's own start
    time with a larger id, and further ahead (both to be seen exactly once)."""
    before = await all_ids(app.db, info.practice_id)
    behind: list[int] = []
    ahead: list[int] = []
    last_start = max(await _starts(app.db, info.practice_id))

    async def between(page: int, last: Key) -> None:
        if page % 10 != 0:
            return
        at, _ = last
        behind.append(await insert_at(app.db, info, page, at - timedelta(hours=1)))
        ahead.append(await insert_at(app.db, info, page + 1, at))
        ahead.append(await insert_at(app.db, info, page + 2, last_start - timedelta(minutes=page)))

    seen = await walk(app, p, between)
    ids = set(seen.ids)
    leaked = ids & set(behind)
    if leaked:
        raise AssertionError(f"{len(leaked)} rows inserted behind the cursor were seen")
    check_once(seen, before | set(ahead))
    return (
        f"{len(behind) + len(ahead)} rows inserted between pages: {len(ahead)} ahead all seen once, "
        f"{len(behind)} behind none seen; {len(seen.ids)} rows, none skipped or repeated"
    )


async def _starts(db: Database, practice_id: int) -> list[datetime]:
    async with db.read() as s:
        q = select(m.Appointment.starts_at).where(m.Appointment.practice_id == practice_id)
        return list((await s.execute(q)).scalars())


async def bench_list(
    db: BenchDB, app: Frontdesk, p: Principal, info: data.BenchPractice, *, passes: int
) -> list[Row]:
    expected = await all_ids(app.db, info.practice_id)
    checked = check_once(await walk(app, p), expected)  # also the warm-up
    log(f"  booking_list [{db.kind}]: {checked}")
    runs = [await walk(app, p) for _ in range(passes)]
    n = len(runs[0].seconds)
    mid = n // 2 - EDGE // 2
    groups = (
        (f"pages 1-{EDGE}", slice(0, EDGE)),
        (f"pages {mid + 1}-{mid + EDGE}", slice(mid, mid + EDGE)),
        (f"pages {n - EDGE + 1}-{n}", slice(n - EDGE, n)),
    )
    rows = []
    for label, part in groups:
        secs = [x for r in runs for x in r.seconds[part]]
        rows.append(Row(LIST, f"{label} of {n}, limit {PAGE}: ms per page", db.kind, Stats.of(secs)))
    totals = [sum(r.seconds) for r in runs]
    rows.append(
        Row(
            LIST,
            f"all {n} pages: ms per pass",
            db.kind,
            Stats.of(totals),
            f"best {min(totals):.2f} s; {checked}",
        )
    )
    log(f"  booking_list [{db.kind}]: p50 of a pass {Stats.of(totals).p50:.0f} ms")
    concurrent = await insert_while_paging(app, p, info)
    log(f"  booking_list [{db.kind}]: {concurrent}")
    rows.append(Row(LIST, "rows inserted between pages", db.kind, None, concurrent))
    return rows


async def bench_slots(
    db: BenchDB, app: Frontdesk, p: Principal, info: data.BenchPractice, *, reps: int, warmup: int
) -> list[Row]:
    start = info.start.isoformat()
    end = (info.start + timedelta(days=SLOT_DAYS)).isoformat()
    rows = []
    for name in ("Check-up", data.BUFFERED_SERVICE):
        service = info.services[name]
        for limit in (50, 200):

            async def call(service: int = service, limit: int = limit) -> int:
                found = await app.availability.find(p, start=start, end=end, service_id=service, limit=limit)
                return len(found)

            got = await call()
            secs = await timed(call, warmup=warmup, reps=reps)
            st = Stats.of(secs)
            rows.append(
                Row(
                    SLOTS,
                    f"{name}: 20 providers, {SLOT_DAYS} days, limit {limit}: ms per call",
                    db.kind,
                    st,
                    f"{got} slots",
                )
            )
            log(f"  slots {name} limit {limit} [{db.kind}]: p50 {st.p50:.2f} ms")
    return rows


async def run(*, pg: str | None, passes: int, reps: int, warmup: int) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    labels: list[str] = []
    targets = [postgres_db(pg)] if pg else [sqlite_db()]
    for target in targets:
        async with target as db:
            labels.append(db.label)
            log(f"bookings: building the bench practice ({WEEKS} weeks) on {db.label}")
            t0 = time.perf_counter()
            info = await data.build(db.url, days=WEEKS * 7)
            rows.append(
                Row(
                    "data",
                    f"bench practice, {WEEKS} weeks ({info.appointments} sessions)",
                    db.kind,
                    None,
                    f"{time.perf_counter() - t0:.1f} s to build",
                )
            )
            now = info.clock()
            app = Frontdesk(Database(db.url), clock=lambda now=now: now, settings=Settings())
            p = Principal(info.practice_id, "bench")
            try:
                rows += await bench_slots(db, app, p, info, reps=reps, warmup=warmup)
                rows += await bench_list(db, app, p, info, passes=passes)
            finally:
                await app.close()
    return rows, labels


def section(rows: list[Row]) -> Section:
    """The rows as a results section (for run.py)."""
    return Section(
        key="bookings",
        title="Bookings (issue 12): booking_list pages, availability_get_slots by service",
        columns=list(HEADER),
        rows=[list(cells(r)) for r in rows],
    )


def write(out: Path, rows: list[Row], labels: list[str], *, started: datetime, load: tuple[str, str]) -> None:
    mach = machine()
    text = [
        "# Issue 12: booking_list pages and availability_get_slots by service",
        "",
        f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach['python']}, {mach['platform']}",
        f"- load average at start / end: {load[0]} / {load[1]}",
        f"- databases: {', '.join(labels)}",
        "",
        markdown_table(rows),
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text))


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, help=f"PostgreSQL (admin URL, default {PG_ADMIN})")
    ap.add_argument("--passes", type=int, default=5, help="timed walks through every page (default 5)")
    ap.add_argument("--reps", type=int, default=50, help="timed slot searches per figure (default 50)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--out", type=Path, help=f"markdown results (default {RESULTS}, -pg before .md)")
    args = ap.parse_args()
    started, load = datetime.now(UTC), _load()
    rows, labels = asyncio.run(run(pg=args.pg, passes=args.passes, reps=args.reps, warmup=args.warmup))
    print(text_table(rows))
    out = args.out or (RESULTS.with_name("bookings-pg.md") if args.pg else RESULTS)
    write(out, rows, labels, started=started, load=(load, _load()))
    log(f"written to {out}")


if __name__ == "__main__":
    main()
