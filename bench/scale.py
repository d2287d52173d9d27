"""One practice's calls on a database of 50 practices and a million appointments, against the same
practice alone in its own database.

    .venv/bin/python bench/scale.py [--pg ADMIN_URL] [--appointments 1000000] [--reps 30] [--warmup 5]

Two fresh PostgreSQL databases bench_<random> are made and dropped at the end: the big one filled by
scale_data.py with every practice, the small one with only the practice measured (the same rows,
the same ids). Then, in this process, through the services (as the MCP tools call them) with a
Principal of that practice and a fixed clock, alternating between the two databases call by call:

* list_appointments' service: `app.appointments.in_range` for one working day of the datebook;
* find_available_slots' service: `app.availability.find` for a week from that day, limit 50;
* provider_get_stats' service: `app.bookings.stats` by provider for one provider over 365 days
  around today (every one of its ~2,000 bookings; the working minutes of the year are computed too).

The ratio big/small of the p50s is the figure (target: within 1.2x). The SQL of the three hot
appointment queries (the range query of in_range, the busy query of the slot search, the stats
aggregate) is captured
from the engine as the services run it, and EXPLAIN (ANALYZE, BUFFERS) of each, on both databases,
goes into the results.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import scale_data
from common import PG_ADMIN, BenchDB, Section, Stats, Target, log, postgres_db
from scale_data import Plan
from sqlalchemy import event

from frontdesk.composition import Frontdesk
from frontdesk.services.context import Principal
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database

TARGET = 1.2
SLOT_LIMIT = 50
STATS_CALL = "provider_get_stats (stats, 1 provider, 365 days)"


def _next_working_day(d: date) -> date:
    d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


class Captured:
    """SQL statements (with their parameters) an engine runs while `on` is set."""

    def __init__(self, db: Database) -> None:
        self.on = False
        self.statements: list[tuple[str, Any]] = []

        @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
        def _keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if self.on:
                self.statements.append((statement, parameters))

    def pick(self, needle: str) -> tuple[str, Any] | None:
        for sql, params in self.statements:
            if needle in " ".join(sql.split()):
                return sql, params
        return None


def _dollar(sql: str) -> str:
    """SQLAlchemy's asyncpg dialect hands the cursor `%s` placeholders (or already `$n`): make them `$n`."""
    if "$1" in sql:
        return sql
    n = 0

    def repl(_: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"${n}"

    return re.sub(r"%s", repl, sql)


async def explain(url: str, sql: str, params: Any) -> str:
    """The plan for these parameters, then the generic plan: asyncpg prepares every statement, and
    from the sixth run PostgreSQL may keep one plan for any parameters (it did for the stats query,
    and that plan, not the first, was what scaled with the number of practices)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        q = "EXPLAIN (ANALYZE, BUFFERS) " + _dollar(sql)
        args = list(params) if isinstance(params, list | tuple) else []
        await conn.fetch(q, *args)  # warm, as the timed calls are
        rows = await conn.fetch(q, *args)
        out = "\n".join(r[0] for r in rows)
        try:
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            await conn.execute("PREPARE generic AS " + _dollar(sql))
            lits = ", ".join(_literal(a) for a in args)
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE generic({lits})")
            out += "\n\n-- generic plan (plan_cache_mode = force_generic_plan):\n"
            out += "\n".join(r[0] for r in rows)
        except asyncpg.PostgresError as e:
            out += f"\n\n-- generic plan not captured: {e}"
        return out
    finally:
        await conn.close()


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def sizes(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return {
            "appointments_rows": await conn.fetchval("SELECT count(*) FROM appointments"),
            "appointments_table_mb": round(
                (await conn.fetchval("SELECT pg_table_size('appointments')")) / 2**20, 1
            ),
            "appointments_indexes_mb": round(
                (await conn.fetchval("SELECT pg_indexes_size('appointments')")) / 2**20, 1
            ),
        }
    finally:
        await conn.close()


async def compare(
    big: BenchDB, small: BenchDB, plan: Plan, k: int, *, reps: int, warmup: int
) -> tuple[dict[str, dict[str, Stats]], dict[str, dict[str, str]], dict[str, Any]]:
    now = datetime.now(UTC).replace(microsecond=0)
    day = _next_working_day(plan.today)
    p = Principal(scale_data.practice_id(k), "bench")
    book = scale_data.datebook_id(k)
    prov = scale_data.provider_ids(k, plan)[0]
    # 365 days around today: every booking of the provider (the plan spans ~8 months centred on today).
    year = (plan.today - timedelta(days=182), plan.today + timedelta(days=183))
    apps = {
        name: Frontdesk(Database(db.url), clock=lambda: now, settings=Settings())
        for name, db in (("big", big), ("small", small))
    }
    captured = {name: Captured(app.db) for name, app in apps.items()}
    facts: dict[str, Any] = {"day": day.isoformat(), "practice": scale_data.slug(k)}

    def calls(app: Frontdesk) -> dict[str, Callable[[], Awaitable[int]]]:
        async def listing() -> int:
            rows, _ = await app.appointments.in_range(
                p, start=day.isoformat(), end=(day + timedelta(days=1)).isoformat(), datebook_id=book
            )
            return len(rows)

        async def slots() -> int:
            found = await app.availability.find(
                p,
                start=day.isoformat(),
                end=(day + timedelta(days=7)).isoformat(),
                datebook_id=book,
                limit=SLOT_LIMIT,
            )
            return len(found)

        async def stats() -> int:
            rows = await app.bookings.stats(
                p, by="provider", start=year[0].isoformat(), end=year[1].isoformat(), provider_id=prov
            )
            return rows[0].sessions if rows else 0

        return {
            "list_appointments (in_range, 1 day)": listing,
            "find_available_slots (find, 7 days)": slots,
            STATS_CALL: stats,
        }

    fns = {name: calls(app) for name, app in apps.items()}
    times: dict[str, dict[str, list[float]]] = {c: {"big": [], "small": []} for c in fns["big"]}
    try:
        for name in ("big", "small"):
            cap = captured[name]
            cap.on = True
            for call, fn in fns[name].items():
                facts[f"{call} [{name}] results"] = await fn()
            cap.on = False
            for _ in range(warmup):
                for fn in fns[name].values():
                    await fn()
        for i in range(reps):
            order = ("big", "small") if i % 2 == 0 else ("small", "big")
            for call in times:
                for name in order:
                    t0 = time.perf_counter()
                    await fns[name][call]()
                    times[call][name].append(time.perf_counter() - t0)
    finally:
        for app in apps.values():
            await app.close()
    stats = {call: {name: Stats.of(v) for name, v in by.items()} for call, by in times.items()}
    plans: dict[str, dict[str, str]] = {}
    for label, needle in (
        (
            "range query (repositories.appointments.in_range)",
            "ORDER BY appointments.starts_at, appointments.id",
        ),
        (
            "busy query (repositories.appointments.busy_for)",
            "SELECT appointments.provider_id, appointments.service_id",
        ),
        ("stats query (repositories.bookings.session_stats)", "count(*) AS sessions"),
    ):
        got = captured["big"].pick(needle)
        if got is None:
            continue
        sql, params = got
        plans[label] = {"sql": " ".join(sql.split()), "params": repr(params)}
        for name, db in (("big", big), ("small", small)):
            plans[label][name] = await explain(db.url, sql, params)
    return stats, plans, facts


async def run(
    *, admin: str = PG_ADMIN, appointments: int, reps: int, warmup: int
) -> tuple[Section, list[Target]]:
    plan = Plan(appointments=appointments)
    k = plan.practices // 2 + 1
    async with postgres_db(admin) as big, postgres_db(admin) as small:
        log(
            f"scale: filling {big.url.rsplit('/', 1)[1]} with {appointments} appointments, "
            f"{plan.practices} practices"
        )
        filled_big = await scale_data.fill(big.url, plan)
        filled_small = await scale_data.fill(small.url, plan, only=[k])
        size = {"big": await sizes(big.url), "small": await sizes(small.url)}
        stats, plans, facts = await compare(big, small, plan, k, reps=reps, warmup=warmup)
    rows = []
    targets = []
    data: dict[str, Any] = {"fill": {"big": filled_big, "small": filled_small}, "sizes": size, "facts": facts}
    for call, by in stats.items():
        ratio = by["big"].p50 / by["small"].p50
        rows.append(
            [
                call,
                f"{by['small'].p50:.2f}",
                f"{by['big'].p50:.2f}",
                f"{by['small'].p95:.2f}",
                f"{by['big'].p95:.2f}",
                f"{ratio:.2f}x",
                "met" if ratio <= TARGET else "NOT met",
                str(by["big"].n),
            ]
        )
        data[call] = {
            "small": by["small"].__dict__,
            "big": by["big"].__dict__,
            "ratio_p50": ratio,
            "target": TARGET,
        }
        targets.append(
            Target(
                f"scale: {call.split(' ')[0]} 1M/50 practices vs 1 practice",
                f"{ratio:.2f}x ({by['big'].p50:.1f} vs {by['small'].p50:.1f} ms p50)",
                f"<= {TARGET}x",
                ratio <= TARGET,
                f"{size['big']['appointments_rows']} vs {size['small']['appointments_rows']} rows",
            )
        )
    data["explain"] = plans
    fill_s = filled_big["timings"]
    big_size, small_size = size["big"], size["small"]
    notes = [
        f"Big database: {big_size['appointments_rows']:,} appointments in {plan.practices} practices, "
        f"{plan.practices * plan.providers} providers ({plan.providers} per practice), "
        f"{plan.practices * plan.patients:,} patients; appointments table "
        f"{big_size['appointments_table_mb']} MB + indexes {big_size['appointments_indexes_mb']} MB. "
        f"Generated with COPY in {fill_s['total_s']:.0f} s ({fill_s['appointments_s']:.0f} s for the "
        "appointments), constraints in place.",
        f"Small database: practice {facts['practice']} alone, {small_size['appointments_rows']:,} "
        "appointments (the same rows and ids).",
        f"Calls in-process through the services, Principal({scale_data.practice_id(k)}, 'bench'), day "
        f"{facts['day']}; {reps} timed calls per cell after {warmup} warm-up, alternating databases. "
        "in_range also appends an audit entry per call (a write transaction), on both databases.",
    ]
    md = ["### EXPLAIN (ANALYZE, BUFFERS) of the hot queries", ""]
    for label, pl in plans.items():
        md += [f"**{label}**", "", "```sql", pl["sql"], "```", f"parameters: `{pl['params'][:300]}`", ""]
        for name in ("big", "small"):
            md += [f"{name} database:", "", "```", pl[name], "```", ""]
    sec = Section(
        key="scale",
        title="Scale: one practice among 50 (1M appointments) vs alone",
        columns=[
            "call",
            "alone p50 ms",
            "among 50 p50 ms",
            "alone p95 ms",
            "among 50 p95 ms",
            "ratio (p50)",
            "target <= 1.2x",
            "n",
        ],
        rows=rows,
        notes=notes,
        data=data,
        extra_md="\n".join(md),
    )
    return sec, targets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default=PG_ADMIN, help=f"admin URL (default {PG_ADMIN})")
    ap.add_argument("--appointments", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args()
    sec, targets = asyncio.run(
        run(admin=args.pg, appointments=args.appointments, reps=args.reps, warmup=args.warmup)
    )
    print(sec.text())
    print("\n".join(sec.notes))
    print(sec.extra_md)
    print(Target.table(targets))


if __name__ == "__main__":
    main()
