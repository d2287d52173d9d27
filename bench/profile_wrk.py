"""One tool under wrk against `frontdesk serve`, optionally profiled with py-spy: where a call's time goes.

    .venv/bin/python bench/profile_wrk.py list_appointments [--pg] [--seconds 10] [--pyspy prof.raw]
                                         [--keep DIR] [--echo]

Builds the bench practice (in DIR with --keep, reused by later runs; else a temporary SQLite file or,
with --pg, a throwaway PostgreSQL database), starts one `frontdesk serve`, and runs wrk with
bench/mcp_wrk.lua on the same call bench/wrk_calls.py makes (protocol 2026-07-28). With --pyspy the
server is sampled (GIL-holding samples only) while wrk runs; summarise the file with
`bench/profile_summary.py`. --echo runs the echo baseline right after, the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from contextlib import AsyncExitStack
from pathlib import Path

import data
import servers
from common import PG_ADMIN, BenchDB, log, postgres_db, sqlite_db
from wrk_calls import READ_TOOLS, WrkConfig, cases, lines_for, postgres_processes, run_wrk


def _spy(pid: int, seconds: float, out: str) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "py-spy"
    cmd = [str(exe), "record", "--pid", str(pid), "-d", str(int(seconds)), "-r", "250", "--gil"]
    cmd += ["--format", "raw", "-o", out, "--nonblocking"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _db(stack: AsyncExitStack, args: argparse.Namespace) -> BenchDB:
    if args.keep:
        folder = Path(args.keep).resolve()  # noqa: ASYNC240 - a bench, not a server
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{folder / 'frontdesk.db'}"
        return BenchDB("sqlite", url, {"FRONTDESK_DATA_DIR": str(folder)}, "kept")
    return await stack.enter_async_context(postgres_db(args.pg) if args.pg else sqlite_db())


async def main_async(args: argparse.Namespace) -> None:
    cfg = WrkConfig(threads=args.threads, connections=args.connections, duration=args.seconds)
    async with AsyncExitStack() as stack:
        db = await _db(stack, args)
        info = await data.build(db.url)
        c = await cases(db, info)
        key = servers.create_key(db)
        if args.tool in READ_TOOLS:
            lines = lines_for(args.tool, c.reads[args.tool], "modern")
        else:
            lines = lines_for("create_appointment", c.creates, "modern")
        with servers.frontdesk(db) as srv:
            watch = {"server": srv.processes}
            if db.kind == "postgresql":
                watch["postgres"] = postgres_processes
            # A short warm-up: first calls build caches (statements, schemas) a steady state has.
            run_wrk(srv.url, lines, cfg=cfg, label="warm-up", key=key, watch=watch, duration=2)
            spy = _spy(srv.pid, args.seconds, args.pyspy) if args.pyspy else None
            run_wrk(srv.url, lines, cfg=cfg, label=f"{db.kind}|{args.tool}", key=key, watch=watch)
            if spy is not None:
                spy.wait(timeout=args.seconds + 60)
                log(f"profile written to {args.pyspy}")
        if args.echo:
            with servers.echo() as srv:
                echo = lines_for("echo", [{"text": "hello"}], "modern")
                run_wrk(srv.url, echo, cfg=cfg, label="echo", watch={"server": srv.processes})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tool", choices=[*READ_TOOLS, "create_appointment"])
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, help=f"PostgreSQL (admin URL, default {PG_ADMIN})")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--pyspy", help="write a py-spy raw profile of the server here")
    ap.add_argument("--keep", help="SQLite data directory to build once and reuse")
    ap.add_argument("--echo", action="store_true", help="also run the echo baseline")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
