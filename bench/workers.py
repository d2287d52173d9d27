"""`frontdesk serve --workers 2` against `--workers 1` on one PostgreSQL database, same wrk read load.

    .venv/bin/python bench/workers.py [--pg ADMIN_URL] [--duration 10] [--threads 2] [--connections 16]
                                      [--pin-wrk CPU]

The bench practice is built in a fresh database bench_<random> (dropped afterwards). For 1 and then 2
uvicorn workers, wrk drives two read calls (protocol 2026-07-28, as wrk_calls.py): list_appointments
for the busiest day (audited: after its read, each call's audit entry is stored in a write transaction
shared with the other reads in flight, and chained by the sealer about a second later) and
find_available_slots for a week (a plain read).
The figure is the throughput ratio 2 workers / 1 worker (target >= 1.6x on two cores).

Everything shares the machine's cores: the workers, PostgreSQL's backends and wrk. The CPU each used
during the run (CPU seconds / wall seconds) is in the table, so the ceiling is visible. With --pin-wrk
the runs are repeated with wrk (one thread) pinned to that CPU by taskset.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from types import TracebackType
from typing import Any

import asyncpg
import data
import servers
from common import PG_ADMIN, Section, Target, log, postgres_db
from wrk_calls import Lister, WrkConfig, WrkRun, cases, lines_for, postgres_processes, run_wrk

TARGET = 1.6
TOOLS = ("list_appointments", "find_available_slots")


class LockSampler:
    """Samples pg_stat_activity of one database every 0.1 s in a thread of its own: how many backends
    are active and how many wait on an advisory lock (the audit chain's)."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.samples: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._loop()), daemon=True)

    async def _loop(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            for _ in range(10_000):  # bounded: 1000 s at most
                if self._stop.is_set():
                    break
                row = await conn.fetchrow(
                    "SELECT count(*) FILTER (WHERE state = 'active') AS active, "
                    "count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory') AS waiting "
                    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                self.samples.append((int(row["active"]), int(row["waiting"])))
                await asyncio.sleep(0.1)
        finally:
            await conn.close()

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def summary(self) -> str:
        if not self.samples:
            return ""
        n = len(self.samples)
        active = sum(a for a, _ in self.samples) / n
        waiting = sum(w for _, w in self.samples) / n
        return f"{active:.1f} active, {waiting:.1f} waiting on advisory lock"


async def run(
    *, admin: str = PG_ADMIN, cfg: WrkConfig, pin: str | None = None
) -> tuple[Section, list[Target]]:
    runs: dict[tuple[str, int, str], WrkRun] = {}
    variants: list[tuple[str, WrkConfig]] = [("wrk unpinned", cfg)]
    if pin is not None:
        variants.append(
            (f"wrk -t1 pinned to CPU {pin}", WrkConfig(1, cfg.connections, cfg.duration, cfg.timeout, pin))
        )
    async with postgres_db(admin) as db:
        log(f"workers: building the bench practice on {db.label}")
        info = await data.build(db.url)
        c = await cases(db, info)
        key = servers.create_key(db)
        for workers in (1, 2):
            with servers.frontdesk(db, workers=workers) as srv:
                log(f"workers: frontdesk serve --workers {workers} up at {srv.url}")
                watch: dict[str, Lister] = {"server": srv.processes, "postgres": postgres_processes}
                for variant, vcfg in variants:
                    for tool in TOOLS:
                        with LockSampler(db.url) as sampler:
                            r = run_wrk(
                                srv.url,
                                lines_for(tool, c.reads[tool], "modern"),
                                cfg=vcfg,
                                label=f"{variant}|{workers}w|{tool}",
                                key=key,
                                watch=watch,
                            )
                        r.raw["pg_backends"] = sampler.summary()
                        runs[(variant, workers, tool)] = r
    rows = []
    targets = []
    out: dict[str, Any] = {}
    for variant, _ in variants:
        for tool in TOOLS:
            one, two = runs[(variant, 1, tool)], runs[(variant, 2, tool)]
            ratio = two.rate / one.rate if one.rate else 0.0
            clean = not one.errors and not two.errors
            for w, r in ((1, one), (2, two)):
                rows.append(
                    [
                        variant,
                        tool,
                        str(w),
                        f"{r.rate:.0f}",
                        f"{r.ms('p50'):.1f}",
                        f"{r.ms('p99'):.1f}",
                        r.error_text(),
                        f"{r.cpu.get('server', 0):.2f}"
                        + (f" ({' + '.join(f'{x:.2f}' for x in r.per_process)})" if r.per_process else ""),
                        f"{r.cpu.get('postgres', 0):.2f}",
                        f"{r.cpu.get('wrk', 0):.2f}",
                        r.raw.get("pg_backends", ""),
                        f"{ratio:.2f}x" if w == 2 else "",
                        ("met" if ratio >= TARGET and clean else "NOT met") if w == 2 else "",
                    ]
                )
                out[r.label] = r.to_json()
            out[f"{variant}|{tool}|ratio"] = ratio
            targets.append(
                Target(
                    f"workers: 2 vs 1, {tool} ({variant})",
                    f"{ratio:.2f}x ({two.rate:.0f} vs {one.rate:.0f} ok/s)",
                    f">= {TARGET}x",
                    ratio >= TARGET and clean,
                    f"CPU with 2 workers: server {two.cpu.get('server', 0):.2f} + postgres "
                    f"{two.cpu.get('postgres', 0):.2f} + wrk {two.cpu.get('wrk', 0):.2f} cores",
                )
            )
    sec = Section(
        key="workers",
        title="Several processes: frontdesk serve --workers 2 vs 1 (PostgreSQL)",
        columns=[
            "load generator",
            "call",
            "workers",
            "ok/s",
            "p50 ms",
            "p99 ms",
            "errors",
            "server CPU",
            "postgres CPU",
            "wrk CPU",
            "PostgreSQL backends (mean of 0.1 s samples)",
            "2w / 1w",
            "target >= 1.6x",
        ],
        rows=rows,
        notes=[
            f"wrk -t{cfg.threads} -c{cfg.connections} -d{cfg.duration:.0f}s, protocol 2026-07-28, one bench "
            "practice key; CPU columns are cores used during the run (CPU seconds / wall seconds). "
            "The machine has 2 cores: server workers, PostgreSQL and wrk all share them, so 2 cores "
            "is the most the three together can use.",
            "list_appointments is audited: each call's entry is committed (group commit with the other "
            "reads in flight) before it answers, so PostgreSQL does a write per batch; the sealer chains "
            "entries under a per-practice advisory lock once a second. find_available_slots writes nothing.",
            "server CPU with 2 workers is split per process in brackets (uvicorn's master, the workers, "
            "multiprocessing's helper): a worker at 0.00 got none of wrk's keep-alive connections.",
        ],
        data=out,
    )
    return sec, targets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default=PG_ADMIN, help=f"admin URL (default {PG_ADMIN})")
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--pin-wrk", help="also run with wrk pinned to this CPU (taskset -c)")
    args = ap.parse_args()
    cfg = WrkConfig(threads=args.threads, connections=args.connections, duration=args.duration)
    sec, targets = asyncio.run(run(admin=args.pg, cfg=cfg, pin=args.pin_wrk))
    print(sec.text())
    print(Target.table(targets))


if __name__ == "__main__":
    main()
