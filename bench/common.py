"""Shared pieces of the benchmarks: throwaway databases, timing statistics, machine facts."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Stats:
    """Latencies of one measured operation, in milliseconds."""

    n: int
    p50: float
    p95: float
    mean: float

    @classmethod
    def of(cls, seconds: list[float]) -> Stats:
        ms = sorted(x * 1000 for x in seconds)
        return cls(n=len(ms), p50=percentile(ms, 50), p95=percentile(ms, 95), mean=statistics.fmean(ms))


def percentile(sorted_values: list[float], pct: float) -> float:
    """Linear-interpolated percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


async def timed(fn: Callable[[], Awaitable[object]], *, warmup: int, reps: int) -> list[float]:
    """Run `fn` `warmup` times untimed, then `reps` times, returning each run's duration in seconds."""
    for _ in range(warmup):
        await fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - t0)
    return out


@dataclass(frozen=True)
class BenchDB:
    """A database made for one benchmark run. `env` selects it for a `frontdesk` subprocess."""

    kind: str  # "sqlite" or "postgresql"
    url: str  # SQLAlchemy URL
    env: dict[str, str]
    label: str


@asynccontextmanager
async def sqlite_db() -> AsyncIterator[BenchDB]:
    """A SQLite file in a fresh temporary directory, where FRONTDESK_DATA_DIR points the server."""
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
    try:
        path = tmp / "frontdesk.db"
        yield BenchDB(
            kind="sqlite",
            url=f"sqlite+aiosqlite:///{path}",
            env={"FRONTDESK_DATA_DIR": str(tmp)},
            label=f"SQLite {sqlite_version()} (file, WAL)",
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@asynccontextmanager
async def postgres_db(admin: str = PG_ADMIN) -> AsyncIterator[BenchDB]:
    """A fresh database bench_<random> on the server of `admin`, dropped afterwards."""
    import asyncpg

    admin = admin.replace("postgresql+asyncpg://", "postgresql://")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    try:
        version = await conn.fetchval("SHOW server_version")
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = admin.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + f"/{name}"
    try:
        yield BenchDB(
            kind="postgresql",
            url=url,
            env={"FRONTDESK_DATABASE_URL": url},
            label=f"PostgreSQL {version.split()[0]} (asyncpg, loopback)",
        )
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def machine() -> dict[str, str]:
    return {
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "cpu": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def fmt_ms(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:.1f}"


@dataclass(frozen=True)
class Row:
    """One figure of the results table. `stats` are latencies; `note` carries counts or throughput."""

    group: str
    name: str
    database: str
    stats: Stats | None
    note: str = ""


HEADER = ("Group", "Benchmark", "Database", "n", "p50 ms", "p95 ms", "mean ms", "Notes")


def cells(row: Row) -> tuple[str, ...]:
    s = row.stats
    timing = (str(s.n), fmt_ms(s.p50), fmt_ms(s.p95), fmt_ms(s.mean)) if s else ("", "", "", "")
    return (row.group, row.name, row.database, *timing, row.note)


def text_table(rows: list[Row]) -> str:
    body = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(HEADER))]
    numeric = {3, 4, 5, 6}
    out = []
    for k, line in enumerate(body):
        out.append(
            "  ".join(
                c.rjust(w) if i in numeric else c.ljust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] * 3 + ["---:"] * 4 + ["---"]) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(r)) + " |")
    return "\n".join(out)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- result sections beyond the latency table (wrk, scale, workers, start-up and memory) ----------


@dataclass
class Section:
    """A results table of its own columns, with notes under it and its figures for latest.json."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    extra_md: str = ""  # markdown appended after the notes (e.g. EXPLAIN output)

    def markdown(self) -> str:
        out = [f"## {self.title}", "", "| " + " | ".join(self.columns) + " |"]
        out.append("|" + "|".join(["---"] * len(self.columns)) + "|")
        for row in self.rows:
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        if self.notes:
            out.append("")
            out += [f"- {n}" for n in self.notes]
        if self.extra_md:
            out += ["", self.extra_md]
        return "\n".join(out) + "\n"

    def text(self) -> str:
        return f"{self.title}\n" + plain_table(self.columns, self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "notes": self.notes,
            "data": self.data,
        }


def plain_table(columns: list[str], rows: list[list[str]]) -> str:
    body = [columns, *rows]
    widths = [max(len(r[i]) for r in body) for i in range(len(columns))]
    out = []
    for k, line in enumerate(body):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


@dataclass
class Target:
    """One figure with a target from the brief (issue 4): figures, never a pass/fail of a test."""

    name: str
    value: str
    goal: str
    met: bool | None
    note: str = ""

    COLUMNS = ("Figure", "Value", "Target", "Met", "Note")

    def cells(self) -> list[str]:
        met = "n/a" if self.met is None else ("yes" if self.met else "NO")
        return [self.name, self.value, self.goal, met, self.note]

    @staticmethod
    def table(targets: list[Target]) -> str:
        return plain_table(list(Target.COLUMNS), [t.cells() for t in targets])

    @staticmethod
    def markdown(targets: list[Target]) -> str:
        out = ["| " + " | ".join(Target.COLUMNS) + " |", "|" + "|".join(["---"] * len(Target.COLUMNS)) + "|"]
        for t in targets:
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in t.cells()) + " |")
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "target": self.goal,
            "met": self.met,
            "note": self.note,
        }
