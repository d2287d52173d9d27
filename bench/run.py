"""All benchmarks in one command; prints a table and writes bench/results/latest.md.

    .venv/bin/python bench/run.py            # SQLite only
    .venv/bin/python bench/run.py --pg       # SQLite, then PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/run.py --quick    # fewer repetitions: well under a minute on SQLite

Figures only: nothing here passes or fails on a timing. See bench/README.md for what each one means.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import data
import http_calls
import slots
from common import PG_ADMIN, Row, log, machine, markdown_table, postgres_db, sqlite_db, text_table

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
    rows: list[Row], labels: list[str], *, started: datetime, seconds: float, settings: str, load: str
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
        markdown_table(rows),
        "",
    ]
    return "\n".join(lines)


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
    args = ap.parse_args()
    reps = args.reps or (5 if args.quick else 50)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 5)
    count = args.count or (25 if args.quick else 500)
    settings = f"{'quick; ' if args.quick else ''}in-process: {reps} repetitions after {warmup} warm-up; " + (
        f"HTTP: {count} calls per figure, {args.concurrency} concurrent sessions"
        if not args.no_http
        else "no HTTP"
    )
    started = datetime.now(UTC)
    load = _load()
    t0 = time.perf_counter()
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
    seconds = time.perf_counter() - t0
    print(text_table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(rows, labels, started=started, seconds=seconds, settings=settings, load=load))
    print(f"\nwritten to {args.out} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
