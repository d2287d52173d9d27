"""MCP tool calls over Streamable HTTP, end to end: a real `frontdesk serve` and the real mcp client.

    .venv/bin/python bench/http_calls.py [--pg [ADMIN_URL]] [--count 500] [--concurrency 8]

For each database (a temporary SQLite file; with --pg a fresh PostgreSQL database, dropped
afterwards) the bench practice is built with data.py, a key is made with `frontdesk keys create`,
and `frontdesk serve` is started on a free loopback port with the same environment. Then, for
`list_appointments` (one busy day of one datebook) and `find_available_slots` (one week of that
datebook):

* sequential: one client session, `count` calls one after another -> latency p50/p95;
* concurrent: `concurrency` client sessions, each with its own HTTP connection, making `count`
  calls between them -> throughput (calls/s) and the latency each call saw under that load.

Sessions are opened before the clock starts: the figures are tool calls, not handshakes. The
server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import data
import httpx2
from common import PG_ADMIN, BenchDB, Row, Stats, log, postgres_db, sqlite_db, text_table, timed
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from servers import BENCH_ENV

from frontdesk.composition import Frontdesk
from frontdesk.services.context import Principal
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database

GROUP = "MCP over HTTP"
STARTUP_SECONDS = 60
PHASE_SECONDS = 600  # a bound on any one measurement, far above what it takes
SLOT_LIMIT = 50  # find_available_slots' own default


def frontdesk_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "frontdesk"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "frontdesk.cli.main"]


def server_env(db: BenchDB) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FRONTDESK_DATABASE_URL", "FRONTDESK_DATA_DIR")}
    env.update(BENCH_ENV)  # static keys over HTTP, rate limits lifted (see servers.py)
    env.update(db.env)
    return env


def create_key(db: BenchDB) -> str:
    out = subprocess.run(
        [*frontdesk_cmd(), "keys", "create", "--practice", data.SLUG, "--name", "bench", "--quiet"],
        env=server_env(db),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(db: BenchDB) -> Iterator[str]:
    """`frontdesk serve` on a free loopback port; yields the /mcp URL; always stopped afterwards."""
    port = free_port()
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(
            [*frontdesk_cmd(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env(db),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            _wait_healthy(proc, port, errors)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, errors: Any) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx2.Client(trust_env=False, timeout=2) as hc:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                errors.seek(0)
                raise RuntimeError(f"frontdesk serve exited with {proc.returncode}:\n{errors.read()[-2000:]}")
            try:
                if hc.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"frontdesk serve did not answer /health within {STARTUP_SECONDS} s")


@asynccontextmanager
async def sessions(url: str, key: str, n: int) -> AsyncIterator[list[Client]]:
    """`n` connected MCP clients, each over its own HTTP connection pool."""
    async with AsyncExitStack() as stack:
        out = []
        for _ in range(n):
            hc = await stack.enter_async_context(
                httpx2.AsyncClient(
                    headers={"Authorization": f"Bearer {key}"}, trust_env=False, timeout=httpx2.Timeout(60)
                )
            )
            out.append(await stack.enter_async_context(Client(streamable_http_client(url, http_client=hc))))
        yield out


async def call(c: Client, tool: str, args: dict[str, Any]) -> Any:
    result = await c.call_tool(tool, args)
    if result.is_error:
        raise RuntimeError(f"{tool} failed: {result.content}")
    return result


async def _no_validation(name: str, result: Any) -> None:
    """Stands in for ClientSession.validate_tool_result where the client must not be the bottleneck."""


def skip_validation(c: Client) -> None:
    c.session.validate_tool_result = _no_validation  # type: ignore[method-assign]


async def sequential(c: Client, tool: str, args: dict[str, Any], count: int) -> list[float]:
    out: list[float] = []
    async with asyncio.timeout(PHASE_SECONDS):
        for _ in range(count):
            t0 = time.perf_counter()
            await call(c, tool, args)
            out.append(time.perf_counter() - t0)
    return out


async def bench_tool(
    url: str,
    key: str,
    db: BenchDB,
    name: str,
    tool: str,
    args: dict[str, Any],
    *,
    count: int,
    concurrency: int,
) -> list[Row]:
    """Sequential latency with the stock client and with result validation off, that validation
    alone, then throughput of `concurrency` sessions (validation off, so the server is measured)."""
    warmup = max(5, count // 20)
    async with sessions(url, key, 1) as [c]:
        first = await call(c, tool, args)  # validated: the result matches the tool's output schema
        size = (first.structured_content or {}).get("count", "?")
        for _ in range(warmup):
            await call(c, tool, args)
        stock = await sequential(c, tool, args, count)
        # The Python client re-validates every result against the tool's output schema (jsonschema),
        # in the caller's process; timed alone on the same result.
        validation = await timed(
            lambda: c.session.validate_tool_result(tool, first), warmup=3, reps=max(10, count // 5)
        )
        skip_validation(c)
        bare = await sequential(c, tool, args, count)
    log(f"  {tool} [{db.kind}] sequential: p50 {Stats.of(stock).p50:.2f} / {Stats.of(bare).p50:.2f} ms")

    async with sessions(url, key, concurrency) as clients:
        for other in clients:
            skip_validation(other)
        await asyncio.gather(*(call(other, tool, args) for other in clients for _ in range(2)))
        shares = [count // concurrency + (1 if i < count % concurrency else 0) for i in range(concurrency)]
        lat: list[float] = []

        async def worker(w: Client, calls: int) -> None:
            for _ in range(calls):
                t0 = time.perf_counter()
                await call(w, tool, args)
                lat.append(time.perf_counter() - t0)

        async with asyncio.timeout(PHASE_SECONDS):
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(w, k) for w, k in zip(clients, shares, strict=True)))
            wall = time.perf_counter() - t0
    rate = count / wall
    log(f"  {tool} [{db.kind}] {concurrency} clients: {rate:.0f} calls/s")

    def per_s(xs: list[float]) -> str:
        return f"{len(xs) / sum(xs):.0f} calls/s"

    return [
        Row(
            GROUP,
            f"{name}: sequential, stock client",
            db.kind,
            Stats.of(stock),
            f"{size} per call; {per_s(stock)}",
        ),
        Row(
            GROUP,
            f"{name}: client result validation alone",
            db.kind,
            Stats.of(validation),
            "jsonschema in ClientSession.validate_tool_result; part of the stock-client figure",
        ),
        Row(GROUP, f"{name}: sequential, validation off", db.kind, Stats.of(bare), per_s(bare)),
        Row(
            GROUP,
            f"{name}: {concurrency} concurrent clients, validation off",
            db.kind,
            Stats.of(lat),
            f"{rate:.0f} calls/s ({count} calls in {wall:.1f} s)",
        ),
    ]


async def bench_http(db: BenchDB, info: data.BenchPractice, *, count: int, concurrency: int) -> list[Row]:
    book = info.books[0]
    day, booked = await data.busiest_day(db.url, info, book, after=date.today())
    key = create_key(db)
    cases = [
        (
            f"list_appointments: 1 day, 1 datebook ({booked} booked)",
            "list_appointments",
            {"datebook_id": book.id, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        ),
        (
            f"find_available_slots: 7 days, 1 datebook, limit {SLOT_LIMIT}",
            "find_available_slots",
            {
                "datebook_id": book.id,
                "start": day.isoformat(),
                "end": (day + timedelta(days=7)).isoformat(),
                "limit": SLOT_LIMIT,
            },
        ),
    ]
    in_process = await bench_services(db, info, cases, reps=max(20, count // 5))
    rows: list[Row] = []
    with server(db) as url:
        log(f"http: frontdesk serve up at {url} on {db.label}")
        for (name, tool, args), service_row in zip(cases, in_process, strict=True):
            rows.append(service_row)
            rows += await bench_tool(url, key, db, name, tool, args, count=count, concurrency=concurrency)
    return rows


async def bench_services(
    db: BenchDB, info: data.BenchPractice, cases: list[tuple[str, str, dict[str, Any]]], *, reps: int
) -> list[Row]:
    """The service call behind each tool, in-process on the same database: the server's core share."""
    app = Frontdesk(Database(db.url), settings=Settings())
    p = Principal(info.practice_id, "bench")
    # The method behind list_appointments (named `list` in earlier trees).
    listing = app.appointments.in_range
    rows = []
    try:
        for name, tool, args in cases:
            if tool == "list_appointments":

                async def fn(args: dict[str, Any] = args) -> object:
                    return await listing(p, **args)
            else:

                async def fn(args: dict[str, Any] = args) -> object:
                    return await app.availability.find(p, **args)

            secs = await timed(fn, warmup=3, reps=reps)
            label = f"{name}: service call in-process"
            method = (
                f"appointments.{listing.__name__}" if tool == "list_appointments" else "availability.find"
            )
            rows.append(Row(GROUP, label, db.kind, Stats.of(secs), f"app.{method} without MCP or HTTP"))
    finally:
        await app.close()
    return rows


async def run(*, pg: str | None, count: int, concurrency: int) -> list[Row]:
    rows: list[Row] = []
    targets = [sqlite_db()] + ([postgres_db(pg)] if pg else [])
    for target in targets:
        async with target as db:
            log(f"http: building the bench practice on {db.label}")
            info = await data.build(db.url)
            rows += await bench_http(db, info, count=count, concurrency=concurrency)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pg", nargs="?", const=PG_ADMIN, help=f"also PostgreSQL (admin URL, default {PG_ADMIN})"
    )
    ap.add_argument("--count", type=int, default=500, help="calls per measurement")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent client sessions")
    args = ap.parse_args()
    print(text_table(asyncio.run(run(pg=args.pg, count=args.count, concurrency=args.concurrency))))


if __name__ == "__main__":
    main()
