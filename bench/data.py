"""The "bench" practice: 20 providers over two datebooks, ~1000 patients and a month of bookings.

    .venv/bin/python bench/data.py sqlite+aiosqlite:////tmp/bench.db

Idempotent: when the practice (slug `bench`) exists it is described, not rebuilt. Everything is
inserted directly with the models in one transaction, as tests/factories.py does, so building
takes seconds. The bookings start on the local date the data is built (the "anchor") and run for
30 days: about 12 per provider per working day, inside hours, never overlapping (buffers included).

`plan()` is the pure part (no database), shared with the engine-only benchmark in slots.py.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.text import fold
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.migrate import upgrade

SLUG = "bench"
NAME = "Bench Practice from"
SEED = 20260302
DAYS = 30
PROVIDERS = 20
PATIENTS = 1000
PER_DAY = (5, 7)  # appointments in the morning and afternoon blocks: 12 a working day
DATEBOOKS = [("Bench New York", "America/New_York", "New York"), ("Bench Lisboa", "Europe/Lisbon", "Lisboa")]
WORK = (time(8), time(18))
BREAK = (time(12), time(13))
BLOCKS = ((WORK[0], BREAK[0]), (BREAK[1], WORK[1]))
# name, minutes, buffer before, buffer after, weight when drawing a booking
SERVICES = [
    ("Check-up", 30, 0, 0, 5),
    ("Consultation", 30, 0, 0, 3),
    ("Filling", 45, 0, 0, 3),
    ("Crown prep", 60, 5, 10, 2),
]
BUFFERED_SERVICE = "Crown prep"
CANCELLED_SHARE = 0.05
FIRST = (
    "Maria Carlos Ana Juan Sofia Miguel Lucia Pedro Elena Jorge Laura Diego Carmen Pablo Olivia Liam".split()
)
LAST = "Santos Lopez Martinez Perez Gomez Silva Costa Oliveira Smith Johnson Brown Garcia Miller Lee".split()


@dataclass(frozen=True)
class Planned:
    """One booking, by index into PROVIDERS / DATEBOOKS / SERVICES."""

    provider: int
    datebook: int
    service: int
    starts_at: datetime  # aware UTC
    ends_at: datetime
    cancelled: bool


@dataclass
class Book:
    id: int
    name: str
    timezone: str
    provider_ids: list[int] = field(default_factory=list)


@dataclass
class BenchPractice:
    practice_id: int
    anchor: date  # first local date with bookings
    books: list[Book]
    services: dict[str, int]  # name -> id
    appointments: int
    patients: int
    created: bool

    @property
    def provider_ids(self) -> list[int]:
        return [p for b in self.books for p in b.provider_ids]

    @property
    def buffered_service_id(self) -> int:
        return self.services[BUFFERED_SERVICE]

    @property
    def start(self) -> date:
        return self.anchor

    @property
    def end(self) -> date:
        """Exclusive end of the booked month."""
        return self.anchor + timedelta(days=DAYS)

    def clock(self) -> datetime:
        """A fixed "now" just before the booked month, so every in-process run sees the same future."""
        return datetime.combine(self.anchor - timedelta(days=1), time(12), UTC)


def datebook_of(provider_index: int) -> int:
    """Providers alternate between the two datebooks: 10 in each."""
    return provider_index % len(DATEBOOKS)


def plan(anchor: date, *, providers: int = PROVIDERS, days: int = DAYS, seed: int = SEED) -> list[Planned]:
    """Bookings for `days` local dates from `anchor`, Mon-Fri, PER_DAY per block, sorted by start."""
    rnd = random.Random(seed)
    weights = [w for *_, w in SERVICES]
    out: list[Planned] = []
    for prov in range(providers):
        book = datebook_of(prov)
        tz = ZoneInfo(DATEBOOKS[book][1])
        for offset in range(days):
            day = anchor + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for (lo, hi), count in zip(BLOCKS, PER_DAY, strict=True):
                for start_min, svc in _layout(rnd, weights, count, _minutes(lo), _minutes(hi)):
                    start = datetime.combine(day, time(start_min // 60, start_min % 60), tz).astimezone(UTC)
                    out.append(
                        Planned(
                            provider=prov,
                            datebook=book,
                            service=svc,
                            starts_at=start,
                            ends_at=start + timedelta(minutes=SERVICES[svc][1]),
                            cancelled=rnd.random() < CANCELLED_SHARE,
                        )
                    )
    out.sort(key=lambda p: (p.starts_at, p.provider))
    return out


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _layout(rnd: random.Random, weights: list[int], count: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """`count` bookings (start minute, service index) in [lo, hi] on a 15-minute grid, buffers inside.

    Lay the drawn services out back to back first; the spare quarter-hours then go to random gaps.
    Adding whole quarter-hours keeps every start on the grid.
    """
    for _ in range(50):
        services = rnd.choices(range(len(SERVICES)), weights, k=count)
        starts: list[int] = []
        cursor = lo
        for svc in services:
            _, minutes, before, after, _ = SERVICES[svc]
            start = -(-(cursor + before) // 15) * 15
            starts.append(start)
            cursor = start + minutes + after
        if cursor <= hi:
            break
    else:  # pragma: no cover - 50 unlucky draws; fall back to the shortest visit
        services = [0] * count
        starts = [lo + 30 * i for i in range(count)]
        cursor = starts[-1] + 30
    gaps = [0] * (count + 1)  # the last gap is the free time left at the end of the block
    for _ in range((hi - cursor) // 15):
        gaps[rnd.randrange(count + 1)] += 15
    shift = 0
    out = []
    for start, svc, gap in zip(starts, services, gaps, strict=False):
        shift += gap
        out.append((start + shift, svc))
    return out


async def build(
    url: str, *, patients: int = PATIENTS, anchor: date | None = None, days: int = DAYS
) -> BenchPractice:
    """Migrate `url` and make sure the bench practice is there (`days` of bookings); describe it."""
    await upgrade(url)
    db = Database(url)
    try:
        async with db.write() as s:
            existing = (
                await s.execute(select(m.Practice).where(m.Practice.slug == SLUG))
            ).scalar_one_or_none()
            if existing is None:
                await _insert(s, anchor or datetime.now(UTC).date(), patients, days)
        if existing is None and not db.is_sqlite:
            # A database in service has planner statistics (autovacuum keeps them); one loaded a moment
            # ago has none, and PostgreSQL then plans the day-list join as if every table held one row
            # (a scan of the practice's patients per appointment: 8 ms instead of 0.4).
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("ANALYZE"))
        info = await describe(db)
        info.created = existing is None
        return info
    finally:
        await db.dispose()


async def _insert(s: AsyncSession, anchor: date, patients: int, days: int) -> None:
    rnd = random.Random(SEED)
    now = datetime.now(UTC)
    # The name records the first booked date, so describe() finds it even when that is a weekend.
    practice = m.Practice(
        slug=SLUG, name=f"{NAME} {anchor.isoformat()}", timezone=DATEBOOKS[0][1], created_at=now
    )
    s.add(practice)
    await s.flush()
    pid = practice.id
    books = [m.Datebook(practice_id=pid, name=n, timezone=tz, city=c, active=True) for n, tz, c in DATEBOOKS]
    services = [
        m.Service(
            practice_id=pid,
            name=name,
            duration_minutes=minutes,
            price_cents=minutes * 300,
            currency="USD",
            buffer_before_minutes=before,
            buffer_after_minutes=after,
            active=True,
        )
        for name, minutes, before, after, _ in SERVICES
    ]
    providers = [
        m.Provider(
            practice_id=pid,
            uid=str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            name=f"Dr. {FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]} {i + 1:02d}",
            specialty="General Dentist",
            city=DATEBOOKS[datebook_of(i)][2],
            active=True,
        )
        for i in range(PROVIDERS)
    ]
    s.add_all([*books, *services, *providers])
    await s.flush()
    hours = []
    for i, pr in enumerate(providers):
        book = books[datebook_of(i)]
        for weekday in range(5):
            for kind, (a, b) in (("work", WORK), ("break", BREAK)):
                hours.append(
                    m.WorkingHours(
                        practice_id=pid,
                        provider_id=pr.id,
                        datebook_id=book.id,
                        kind=kind,
                        weekday=weekday,
                        start_time=a.strftime("%H:%M"),
                        end_time=b.strftime("%H:%M"),
                    )
                )
    people = []
    for i in range(patients):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        people.append(
            m.Patient(
                practice_id=pid,
                uid=f"B-{i + 1:05d}",
                first_name=first,
                last_name=last,
                search_name=fold(f"{first} {last}"),
                phone=f"+1 555 {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
                email=f"{fold(first)}.{fold(last)}{i}@example.com",
                date_of_birth=date(rnd.randint(1940, 2020), rnd.randint(1, 12), rnd.randint(1, 28)),
                created_at=now,
            )
        )
    # Every provider delivers every service: a service with no assigned provider cannot be booked.
    delivers = [
        m.ServiceProvider(practice_id=pid, service_id=sv.id, provider_id=pr.id)
        for sv in services
        for pr in providers
    ]
    s.add_all([*hours, *people, *delivers])
    await s.flush()
    live = [AppointmentStatus.SCHEDULED.value, AppointmentStatus.CONFIRMED.value]
    s.add_all(
        [
            m.Appointment(
                practice_id=pid,
                datebook_id=books[p.datebook].id,
                provider_id=providers[p.provider].id,
                patient_id=rnd.choice(people).id,
                service_id=services[p.service].id,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                status=AppointmentStatus.CANCELLED.value if p.cancelled else rnd.choice(live),
                notes=SERVICES[p.service][0],
                allow_overlap=False,
                cancel_reason="cancelled" if p.cancelled else None,
                created_by="bench",
                created_at=now,
                updated_at=now,
            )
            for p in plan(anchor, days=days)
        ]
    )
    await s.flush()


async def describe(db: Database) -> BenchPractice:
    async with db.read() as s:
        practice = (await s.execute(select(m.Practice).where(m.Practice.slug == SLUG))).scalar_one()
        pid = practice.id
        rows = await s.execute(
            select(m.Datebook).where(m.Datebook.practice_id == pid).order_by(m.Datebook.id)
        )
        books = {b.id: Book(b.id, b.name, b.timezone) for b in rows.scalars()}
        pairs = await s.execute(
            select(m.WorkingHours.datebook_id, m.WorkingHours.provider_id)
            .where(m.WorkingHours.practice_id == pid)
            .distinct()
            .order_by(m.WorkingHours.provider_id)
        )
        for book_id, provider_id in pairs:
            books[book_id].provider_ids.append(provider_id)
        services = {
            r.name: r.id
            for r in (await s.execute(select(m.Service).where(m.Service.practice_id == pid))).scalars()
        }
        count = await s.scalar(
            select(func.count()).select_from(m.Appointment).where(m.Appointment.practice_id == pid)
        )
        people = await s.scalar(
            select(func.count()).select_from(m.Patient).where(m.Patient.practice_id == pid)
        )
        first = await s.scalar(
            select(func.min(m.Appointment.starts_at)).where(m.Appointment.practice_id == pid)
        )
    book_list = list(books.values())
    try:
        anchor = date.fromisoformat(practice.name.removeprefix(NAME).strip())
    except ValueError:  # not built by this module: the earliest local date with a booking
        anchor = (
            first.astimezone(ZoneInfo(book_list[0].timezone)).date() if first else datetime.now(UTC).date()
        )
        for b in book_list:
            if first is not None:
                anchor = min(anchor, first.astimezone(ZoneInfo(b.timezone)).date())
    return BenchPractice(
        practice_id=pid,
        anchor=anchor,
        books=book_list,
        services=services,
        appointments=int(count or 0),
        patients=int(people or 0),
        created=False,
    )


async def busiest_day(
    url: str, practice: BenchPractice, book: Book, *, after: date | None = None
) -> tuple[date, int]:
    """The local date after `after` with the most bookings in `book` (earliest of equals), and the count."""
    db = Database(url)
    try:
        async with db.read() as s:
            starts = (
                await s.execute(
                    select(m.Appointment.starts_at).where(
                        m.Appointment.practice_id == practice.practice_id,
                        m.Appointment.datebook_id == book.id,
                    )
                )
            ).scalars()
            tz = ZoneInfo(book.timezone)
            local = (x.astimezone(tz).date() for x in starts)
            days = Counter(d for d in local if after is None or d > after)
    finally:
        await db.dispose()
    if not days:  # nothing booked after `after`: fall back to the whole month
        return await busiest_day(url, practice, book)
    top = max(days.values())
    return min(d for d, n in days.items() if n == top), top


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", help="SQLAlchemy URL, e.g. sqlite+aiosqlite:////tmp/bench.db")
    ap.add_argument("--patients", type=int, default=PATIENTS)
    ap.add_argument("--days", type=int, default=DAYS, help="dates with bookings from today")
    args = ap.parse_args()
    info = asyncio.run(build(args.url, patients=args.patients, days=args.days))
    print(
        f"practice {SLUG!r} (id {info.practice_id}): {len(info.provider_ids)} providers, "
        f"{info.patients} patients, {info.appointments} appointments from {info.anchor}"
    )


if __name__ == "__main__":
    main()
