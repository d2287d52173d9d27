"""Fill a PostgreSQL database with many practices and a million appointments, fast (COPY).

    .venv/bin/python bench/scale_data.py postgresql+asyncpg://postgres@127.0.0.1:5432/bench_x \\
        [--appointments 1000000] [--practices 50] [--providers 10] [--patients 1000] [--only 1]

The schema is made by Frontdesk's own migrations first; the rows then go in with asyncpg's
copy_records_to_table, every constraint in place (composite (practice_id, x_id) foreign keys, the
exclusion constraint against overlapping bookings). Afterwards identity sequences are moved past the
ids used and the tables are ANALYZEd.

Layout, per practice: one datebook (time zones alternate over ZONES), the 4 services of data.py,
`--providers` providers working Mon-Fri 08:00-18:00 with a 12:00-13:00 break, `--patients` patients.
Appointments are laid out per provider and working day as in data.py (5 in the morning, 7 in the
afternoon, on the 15-minute grid, buffers inside the hours, never overlapping; 5% cancelled) over as
many days as the total asks for, centred on today, and written day by day across all practices, so
one practice's rows are spread through the table as they would be in a shared database.

Every id and every random choice depends only on (practice, provider, day), never on the other
practices: `--only K` writes exactly practice K's rows of the full database, with the same ids, which
is what the single-practice comparison in scale.py needs.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import data
from common import log

from frontdesk.domain.scheduling.status import AppointmentStatus
from frontdesk.domain.text import fold
from frontdesk.storage.migrate import upgrade

ZONES = ["America/New_York", "Europe/Lisbon", "America/Chicago", "Europe/Berlin", "America/Los_Angeles"]
SEED = 20261123
PER_DAY = sum(data.PER_DAY)  # 12 bookings a working day per provider
ID_SPAN = 10_000_000  # ids of practice k: k * ID_SPAN + n (practice-local counters)
LIVE = [AppointmentStatus.SCHEDULED.value, AppointmentStatus.CONFIRMED.value]
CANCELLED = AppointmentStatus.CANCELLED.value


@dataclass(frozen=True)
class Plan:
    appointments: int = 1_000_000
    practices: int = 50
    providers: int = 10  # per practice
    patients: int = 1000  # per practice
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def per_provider(self) -> int:
        return max(1, self.appointments // (self.practices * self.providers))

    @property
    def working_days(self) -> int:
        return math.ceil(self.per_provider / PER_DAY)

    @property
    def first_day(self) -> date:
        """Centred on today: as many working days before it as after."""
        return self.today - timedelta(days=round(self.working_days * 7 / 5 / 2))

    def days(self) -> Iterator[date]:
        """The working days (Mon-Fri) that hold bookings, in order."""
        day, n = self.first_day, 0
        while n < self.working_days:
            if day.weekday() < 5:
                yield day
                n += 1
            day += timedelta(days=1)


def slug(k: int) -> str:
    return f"scale-{k:03d}"


def practice_id(k: int) -> int:
    return k  # practices are numbered 1..N in every database


def _rid(k: int, n: int) -> int:
    return k * ID_SPAN + n


def datebook_id(k: int) -> int:
    return _rid(k, 1)


def service_ids(k: int) -> list[int]:
    return [_rid(k, i + 1) for i in range(len(data.SERVICES))]


def provider_ids(k: int, plan: Plan) -> list[int]:
    return [_rid(k, i + 1) for i in range(plan.providers)]


def patient_ids(k: int, plan: Plan) -> list[int]:
    return [_rid(k, i + 1) for i in range(plan.patients)]


def zone(k: int) -> str:
    return ZONES[(k - 1) % len(ZONES)]


def _directory(k: int, plan: Plan, now: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every table but appointments, for practice k."""
    rnd = random.Random(f"{SEED}-directory-{k}")
    pid = practice_id(k)
    tz = zone(k)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    rows["practices"] = [(pid, slug(k), f"Scale practice {k}", tz, now)]
    rows["datebooks"] = [(datebook_id(k), pid, f"Scale {k} main", tz, f"City {k}", True)]
    rows["services"] = [
        (sid, pid, name, minutes, minutes * 300, "USD", before, after, True)
        for sid, (name, minutes, before, after, _) in zip(service_ids(k), data.SERVICES, strict=True)
    ]
    rows["providers"] = [
        (
            prov,
            pid,
            str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            f"Dr. {data.FIRST[i % len(data.FIRST)]} {data.LAST[(i * 7) % len(data.LAST)]} {k}-{i + 1:02d}",
            "General Dentist",
            f"City {k}",
            True,
        )
        for i, prov in enumerate(provider_ids(k, plan))
    ]
    hours = []
    n = 0
    for prov in provider_ids(k, plan):
        for weekday in range(5):
            for kind, (a, b) in (("work", data.WORK), ("break", data.BREAK)):
                n += 1
                hours.append(
                    (
                        _rid(k, n),
                        pid,
                        prov,
                        datebook_id(k),
                        kind,
                        weekday,
                        a.strftime("%H:%M"),
                        b.strftime("%H:%M"),
                    )
                )
    rows["working_hours"] = hours
    # Every provider delivers every service (slot searches and bookings by service need the pairs).
    pairs = [(sv, prov) for sv in service_ids(k) for prov in provider_ids(k, plan)]
    rows["service_providers"] = [(_rid(k, n + 1), pid, sv, prov) for n, (sv, prov) in enumerate(pairs)]
    people = []
    for i, pat in enumerate(patient_ids(k, plan)):
        first, last = rnd.choice(data.FIRST), rnd.choice(data.LAST)
        people.append(
            (
                pat,
                pid,
                f"S{k}-{i + 1:05d}",
                first,
                last,
                fold(f"{first} {last}"),
                f"+1 555 {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
                f"{fold(first)}.{fold(last)}{k}x{i}@example.com",
                date(rnd.randint(1940, 2020), rnd.randint(1, 12), rnd.randint(1, 28)),
                now,
            )
        )
    rows["patients"] = people
    return rows


COLUMNS = {
    "practices": ["id", "slug", "name", "timezone", "created_at"],
    "datebooks": ["id", "practice_id", "name", "timezone", "city", "active"],
    "services": [
        "id",
        "practice_id",
        "name",
        "duration_minutes",
        "price_cents",
        "currency",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "active",
    ],
    "providers": ["id", "practice_id", "uid", "name", "specialty", "city", "active"],
    "working_hours": [
        "id",
        "practice_id",
        "provider_id",
        "datebook_id",
        "kind",
        "weekday",
        "start_time",
        "end_time",
    ],
    "service_providers": ["id", "practice_id", "service_id", "provider_id"],
    "patients": [
        "id",
        "practice_id",
        "uid",
        "first_name",
        "last_name",
        "search_name",
        "phone",
        "email",
        "date_of_birth",
        "created_at",
    ],
    "appointments": [
        "id",
        "practice_id",
        "datebook_id",
        "provider_id",
        "patient_id",
        "service_id",
        "starts_at",
        "ends_at",
        "status",
        "notes",
        "allow_overlap",
        "cancel_reason",
        "created_by",
        "created_at",
        "updated_at",
    ],
}


def appointments(practices: list[int], plan: Plan, now: datetime) -> Iterator[tuple[Any, ...]]:
    """Day by day, practice by practice, provider by provider: every practice's bookings interleaved."""
    weights = [w for *_, w in data.SERVICES]
    counters = dict.fromkeys(practices, 0)
    per_provider_left = {(k, i): plan.per_provider for k in practices for i in range(plan.providers)}
    blocks = [
        (lo.hour * 60 + lo.minute, hi.hour * 60 + hi.minute, count)
        for (lo, hi), count in zip(data.BLOCKS, data.PER_DAY, strict=True)
    ]
    for day in plan.days():
        for k in practices:
            pid = practice_id(k)
            tz = ZoneInfo(zone(k))
            book = datebook_id(k)
            services = service_ids(k)
            patients = patient_ids(k, plan)
            for i, prov in enumerate(provider_ids(k, plan)):
                left = per_provider_left[(k, i)]
                if left <= 0:
                    continue
                rnd = random.Random(f"{SEED}-{k}-{i}-{day.isoformat()}")
                for lo, hi, count in blocks:
                    for start_min, svc in data._layout(rnd, weights, count, lo, hi):
                        if left <= 0:
                            break
                        left -= 1
                        counters[k] += 1
                        local = datetime.combine(day, dtime(start_min // 60, start_min % 60), tz)
                        start = local.astimezone(UTC)
                        cancelled = rnd.random() < 0.05
                        yield (
                            _rid(k, counters[k]),
                            pid,
                            book,
                            prov,
                            patients[rnd.randrange(len(patients))],
                            services[svc],
                            start,
                            start + timedelta(minutes=data.SERVICES[svc][1]),
                            CANCELLED if cancelled else rnd.choice(LIVE),
                            data.SERVICES[svc][0],
                            False,
                            "cancelled" if cancelled else None,
                            "scale",
                            now,
                            now,
                        )
                per_provider_left[(k, i)] = left


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fill(url: str, plan: Plan, *, only: list[int] | None = None) -> dict[str, Any]:
    """Migrate `url`, then COPY the practices `only` (default all) into it. Returns counts and timings."""
    t0 = time.perf_counter()
    await upgrade(url)
    migrated = time.perf_counter() - t0
    practices = only or list(range(1, plan.practices + 1))
    now = datetime.now(UTC)
    conn = await asyncpg.connect(_plain(url))
    timings: dict[str, float] = {"migrations_s": migrated}
    counts: dict[str, int] = {}
    try:
        t1 = time.perf_counter()
        tables: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS if t != "appointments"}
        for k in practices:
            for table, rows in _directory(k, plan, now).items():
                tables[table].extend(rows)
        for table in (
            "practices",
            "datebooks",
            "services",
            "providers",
            "working_hours",
            "service_providers",
            "patients",
        ):
            await conn.copy_records_to_table(table, records=tables[table], columns=COLUMNS[table])
            counts[table] = len(tables[table])
        timings["directory_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        total = 0
        batch: list[tuple[Any, ...]] = []
        for row in appointments(practices, plan, now):
            batch.append(row)
            if len(batch) >= 50_000:
                await conn.copy_records_to_table(
                    "appointments", records=batch, columns=COLUMNS["appointments"]
                )
                total += len(batch)
                batch = []
        if batch:
            await conn.copy_records_to_table("appointments", records=batch, columns=COLUMNS["appointments"])
            total += len(batch)
        counts["appointments"] = total
        timings["appointments_s"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        for table in COLUMNS:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        await conn.execute("ANALYZE")
        timings["analyze_s"] = time.perf_counter() - t3
        timings["total_s"] = time.perf_counter() - t0
    finally:
        await conn.close()
    log(
        f"scale_data: {counts.get('appointments', 0)} appointments in {len(practices)} practice(s), "
        f"{timings['total_s']:.0f} s ({timings['appointments_s']:.0f} s for appointments)"
    )
    return {"counts": counts, "timings": timings, "first_day": plan.first_day.isoformat()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "url", help="an empty PostgreSQL database, e.g. postgresql+asyncpg://postgres@127.0.0.1/bench_x"
    )
    ap.add_argument("--appointments", type=int, default=Plan.appointments)
    ap.add_argument("--practices", type=int, default=Plan.practices)
    ap.add_argument("--providers", type=int, default=Plan.providers, help="per practice")
    ap.add_argument("--patients", type=int, default=Plan.patients, help="per practice")
    ap.add_argument("--only", type=int, action="append", help="only this practice number (repeatable)")
    args = ap.parse_args()
    url = (
        args.url if "+asyncpg" in args.url else args.url.replace("postgresql://", "postgresql+asyncpg://", 1)
    )
    plan = Plan(args.appointments, args.practices, args.providers, args.patients)
    print(asyncio.run(fill(url, plan, only=args.only)))


if __name__ == "__main__":
    main()
