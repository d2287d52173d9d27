"""All benchmarks in one command; prints a table and writes bench/results/latest.md and latest.json.

    .venv/bin/python bench/run.py            # SQLite only
    .venv/bin/python bench/run.py --pg       # SQLite, then PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/run.py --quick    # fewer repetitions: well under a minute on SQLite
    .venv/bin/python bench/run.py --all      # everything below, on SQLite and PostgreSQL (~30 min)
    .venv/bin/python bench/run.py --all --quick   # the same, short (~5 min)

The issue-4 parts run with --all or one by one: --wrk (tool calls with wrk vs an echo server),
--engine-scale (the engine at 1/20/100 providers x 7/30/90 days), --scale (1M appointments in 50
practices vs one), --workers (serve --workers 2 vs 1), --startup (stdio start-up, memory under load).

Figures only: nothing here passes or fails on a timing. See bench/README.md for what each one means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import data
import engine_scale
import http_calls
import scale
import slots
import startup_mem
import workers
import wrk_calls
from common import (
    PG_ADMIN,
    Row,
    Section,
    Target,
    log,
    machine,
    markdown_table,
    postgres_db,
    sqlite_db,
    text_table,
)

import bookings  # bench/bookings.py (ruff sorts it as first party, after tests/bookings)

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
GROUPS = ["data", "engine (no database)", slots.GROUP, http_calls.GROUP]


async def run_all(
    *, pg: str | None, reps: int, warmup: int, count: int, concurrency: int, http: bool
) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    labels: list[str] = []
    anchor = None
    targets = [sqlite_db()] + ([postgres_db(pg)] if pg else [])
    for target in targets:
        async with target as db:
            labels.append(db.label)
            log(f"== {db.label}")
            t0 = time.perf_counter()
            info = await data.build(db.url)
            took = time.perf_counter() - t0
            anchor = info.anchor
            rows.append(
                Row(
                    "data",
                    f"build the bench practice ({info.appointments} appointments, {info.patients} patients)",
                    db.kind,
                    None,
                    f"{took:.1f} s, migrations included; bookings from {info.anchor}",
                )
            )
            rows += await slots.bench_find(db, info, reps=reps, warmup=warmup)
            if http:
                rows += await http_calls.bench_http(db, info, count=count, concurrency=concurrency)
    assert anchor is not None
    log("== engine")
    rows += slots.bench_engine(anchor, reps=reps, warmup=warmup)
    rows.sort(key=lambda r: GROUPS.index(r.group) if r.group in GROUPS else len(GROUPS))
    return rows, labels


def _versions() -> str:
    out = []
    for pkg in (
        "sqlalchemy",
        "aiosqlite",
        "asyncpg",
        "mcp",
        "uvicorn",
        "starlette",
        "pydantic",
        "jsonschema",
    ):
        try:
            out.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pass
    return ", ".join(out)


def _python() -> str:
    rel = os.path.relpath(sys.executable)
    return rel if not rel.startswith("..") else sys.executable


def _load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def report(
    rows: list[Row],
    labels: list[str],
    *,
    started: datetime,
    seconds: float,
    settings: str,
    load: str,
    sections: list[Section] | None = None,
    targets: list[Target] | None = None,
) -> str:
    mach = machine()
    lines = [
        "# Frontdesk benchmarks: latest run",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: nproc {mach['nproc']}, {mach['cpu']}, {mach['platform']}",
        f"- Load average (1/5/15 min) at start: {load}; at end: {_load()}",
        f"- Python: {mach['python']}; {_versions()}",
        f"- Database: {'; '.join(labels)}",
        f"- Settings: {settings}",
        f"- Command: `{' '.join(shlex.quote(a) for a in [_python(), *sys.argv])}` ({seconds:.0f} s in all)",
        "",
        "Times are wall-clock milliseconds per call (n calls); p50/p95 are percentiles. "
        "What each figure measures, and how the bench practice looks: [README](../README.md).",
        "",
        markdown_table(rows) if rows else "(the latency table was not part of this run)",
        "",
    ]
    if targets:
        lines += [
            "## Targets (issue 4)",
            "",
            "Figures against the targets of issue 4; nothing here is a test. Details in the sections below.",
            "",
            Target.markdown(targets),
            "",
        ]
    for sec in sections or []:
        lines.append(sec.markdown())
    return "\n".join(lines)


def report_json(
    rows: list[Row],
    labels: list[str],
    *,
    started: datetime,
    seconds: float,
    settings: str,
    load: str,
    sections: list[Section],
    targets: list[Target],
) -> dict[str, object]:
    return {
        "date": started.isoformat(),
        "machine": machine(),
        "load_start": load,
        "load_end": _load(),
        "versions": _versions(),
        "databases": labels,
        "settings": settings,
        "command": " ".join(sys.argv),
        "seconds": round(seconds, 1),
        "latency_table": [
            {
                "group": r.group,
                "name": r.name,
                "database": r.database,
                "n": r.stats.n if r.stats else None,
                "p50_ms": r.stats.p50 if r.stats else None,
                "p95_ms": r.stats.p95 if r.stats else None,
                "mean_ms": r.stats.mean if r.stats else None,
                "note": r.note,
            }
            for r in rows
        ],
        "targets": [t.to_json() for t in targets],
        "sections": {sec.key: sec.to_json() for sec in sections},
    }


async def run_issue4(args: argparse.Namespace, quick: bool) -> tuple[list[Section], list[Target]]:
    """The issue-4 benchmarks the flags ask for, in order; each section and its targets."""
    pg = args.pg or PG_ADMIN
    cfg = wrk_calls.WrkConfig(
        threads=args.wrk_threads,
        connections=args.wrk_connections,
        duration=args.wrk_duration or (3.0 if quick else 10.0),
    )
    sections: list[Section] = []
    targets: list[Target] = []

    def add(result: tuple[Section, list[Target]]) -> None:
        sections.append(result[0])
        targets.extend(result[1])

    if args.wrk:
        log("== wrk: tool calls over HTTP")
        protocols = ["modern", "handshake"] if args.wrk_protocol == "both" else [args.wrk_protocol]
        add(await wrk_calls.run(pg=pg, cfg=cfg, protocols=protocols))
    if args.engine_scale:
        log("== engine: 1/20/100 providers x 7/30/90 days")
        add(engine_scale.run(reps=5 if quick else 20, warmup=1 if quick else 3))
    if args.scale:
        log("== scale: 1M appointments in 50 practices vs one")
        n = args.appointments or (100_000 if quick else 1_000_000)
        add(await scale.run(admin=pg, appointments=n, reps=10 if quick else 30, warmup=2 if quick else 5))
    if args.bookings:
        log("== bookings: booking_list pages, availability_get_slots by service (issue 12)")
        for db_pg in (None, pg):
            rows, _ = await bookings.run(
                pg=db_pg, passes=2 if quick else 5, reps=5 if quick else 50, warmup=1 if quick else 5
            )
            sec = bookings.section(rows)
            if db_pg:
                sec.key, sec.title = sec.key + "_pg", sec.title + " (PostgreSQL)"
            add((sec, []))
    if args.workers:
        log("== workers: serve --workers 2 vs 1")
        add(await workers.run(admin=pg, cfg=cfg, pin=args.pin_wrk))
    if args.startup:
        log("== start-up and memory")
        calls = args.memory_calls or (10_000 if quick else 100_000)
        add(await startup_mem.run(starts=5 if quick else 10, calls=calls, cfg=cfg))
    return sections, targets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pg", nargs="?", const=PG_ADMIN, help=f"also PostgreSQL; admin URL (default {PG_ADMIN})"
    )
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (reps 5, 25 HTTP calls)")
    ap.add_argument("--reps", type=int, help="in-process repetitions per figure (default 50)")
    ap.add_argument("--warmup", type=int, help="untimed runs before each in-process figure (default 5)")
    ap.add_argument("--count", type=int, help="HTTP calls per figure (default 500)")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent MCP sessions (default 8)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP benchmarks")
    ap.add_argument("--out", type=Path, default=RESULTS, help=f"markdown results file (default {RESULTS})")
    ap.add_argument("--all", action="store_true", help="everything: --pg and every issue-4 part below")
    ap.add_argument("--wrk", action="store_true", help="tool-call throughput with wrk vs the echo server")
    ap.add_argument("--engine-scale", action="store_true", help="engine at 1/20/100 providers x 7/30/90 days")
    ap.add_argument(
        "--scale", action="store_true", help="1M appointments in 50 practices vs one (PostgreSQL)"
    )
    ap.add_argument("--workers", action="store_true", help="serve --workers 2 vs 1 (PostgreSQL)")
    ap.add_argument("--startup", action="store_true", help="stdio start-up time and memory under load")
    ap.add_argument(
        "--bookings", action="store_true", help="issue 12: booking_list pages, slots by service (SQLite, PG)"
    )
    ap.add_argument("--only", action="store_true", help="skip the latency table; run just the parts asked")
    ap.add_argument("--wrk-duration", type=float, help="seconds per wrk run (default 10, quick 3)")
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--wrk-connections", type=int, default=16)
    ap.add_argument("--wrk-protocol", choices=["modern", "handshake", "both"], default="modern")
    ap.add_argument("--pin-wrk", default="1", help="workers part: also run wrk pinned to this CPU ('' = no)")
    ap.add_argument("--appointments", type=int, help="scale part: appointments (default 1M, quick 100k)")
    ap.add_argument("--memory-calls", type=int, help="memory part: tool calls (default 100k, quick 10k)")
    args = ap.parse_args()
    if args.all:
        args.wrk = args.engine_scale = args.scale = args.workers = args.startup = args.bookings = True
        args.pg = args.pg or PG_ADMIN
    args.pin_wrk = args.pin_wrk or None
    reps = args.reps or (5 if args.quick else 50)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 5)
    count = args.count or (25 if args.quick else 500)
    settings = f"{'quick; ' if args.quick else ''}in-process: {reps} repetitions after {warmup} warm-up; " + (
        f"HTTP: {count} calls per figure, {args.concurrency} concurrent sessions"
        if not args.no_http
        else "no HTTP"
    )
    issue4 = args.wrk or args.engine_scale or args.scale or args.workers or args.startup or args.bookings
    if issue4:
        settings += (
            f"; wrk -t{args.wrk_threads} -c{args.wrk_connections} "
            f"-d{args.wrk_duration or (3 if args.quick else 10):.0f}s ({args.wrk_protocol})"
        )
    started = datetime.now(UTC)
    load = _load()
    t0 = time.perf_counter()
    rows: list[Row] = []
    labels: list[str] = []
    if not args.only:
        rows, labels = asyncio.run(
            run_all(
                pg=args.pg,
                reps=reps,
                warmup=warmup,
                count=count,
                concurrency=args.concurrency,
                http=not args.no_http,
            )
        )
    sections, targets = asyncio.run(run_issue4(args, args.quick)) if issue4 else ([], [])
    seconds = time.perf_counter() - t0
    if rows:
        print(text_table(rows))
    for sec in sections:
        print()
        print(sec.text())
        for note in sec.notes:
            print(f"  - {note}")
    if targets:
        print("\nSummary: figures against the issue-4 targets\n")
        print(Target.table(targets))
    kw = dict(started=started, seconds=seconds, settings=settings, load=load)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(rows, labels, sections=sections, targets=targets, **kw))  # type: ignore[arg-type]
    out_json = args.out.with_suffix(".json")
    doc = report_json(rows, labels, sections=sections, targets=targets, **kw)  # type: ignore[arg-type]
    out_json.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    print(f"\nwritten to {args.out} and {out_json} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
