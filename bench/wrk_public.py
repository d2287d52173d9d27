"""Issue 13: the public booking surface under wrk, against the bare SDK echo server in the same run.

    .venv/bin/python bench/wrk_public.py [--pg [ADMIN_URL]] [--duration 10] [--threads 2] [--connections 16]
                                         [--out bench/results/public.md]

For each database (a temporary SQLite file, Frontdesk's embedded setup; with --pg a fresh PostgreSQL
database too, dropped afterwards) the demo practice is seeded (`frontdesk demo`: 6 providers at two
locations, a month of appointments from today), then `frontdesk serve` (one worker) is driven by wrk:

* public_availability_get_slots: a raw JSON-RPC tools/call POST to /mcp/public, no token, protocol
  2026-07-28 (no initialize, no session: every POST is self-contained and answered with plain JSON),
  {"orgSlug": "demo", "serviceId": <Routine cleaning>, "limit": 50}: the earliest 50 free times;
  script bench/mcp_wrk.lua (ok = 2xx with a result that is not isError);
* the booking page's time-slot view: GET /demo/book?service=<Routine cleaning> (the step after the
  service is chosen: the earliest free times, up to 60, rendered as radio buttons), script
  bench/page_wrk.lua (ok = 2xx whose body holds a slot's radio button);
* echo: bench/echo_server.py (a bare `mcp` SDK server), the same wrk run with mcp_wrk.lua on its
  `echo` tool, started right after on the same machine: every ok/s is divided by its ok/s. Its
  /health (a bare Starlette JSON GET, no database) is also driven, a reference for the page's row.

Rate limits. The public flow has its own limits, practice settings checked on every call
(`policies.publicRequestsPerMinuteIp`, default 30, and `...PerMinutePractice`, default 600, per
moving minute): set here to their catalogue maxima (10,000 and 100,000) through the settings service,
as an owner would with settings_update. The HTTP layer's limits are lifted by the environment as in
every bench (FRONTDESK_RATE_LIMIT_IP / _PRACTICE = 1000000/minute, bench/servers.py). Every wrk run
gets a freshly started server, so the in-memory counters start at zero: a warm-up plus a run stay
under 10,000 public requests from 127.0.0.1 below ~800 a second (a page view makes two). Any answer
refused by a limiter is not ok (a 429, or an isError result with code rate_limited) and the run is
marked ERRORS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import servers
from common import PG_ADMIN, BenchDB, log, machine, postgres_db, sqlite_db
from sqlalchemy import select
from wrk_calls import HERE, MODERN, WrkConfig, WrkRun, body, lines_for, postgres_processes, run_wrk

from frontdesk.composition import Frontdesk
from frontdesk.services.context import Principal
from frontdesk.storage import models as m

PAGE_LUA = HERE / "page_wrk.lua"
SLOT_MARK = 'name="slot"'  # a slot's radio button on the time-slot view
LIMITS = {"policies.publicRequestsPerMinuteIp": 10_000, "policies.publicRequestsPerMinutePractice": 100_000}
TOOL = "public_availability_get_slots"
SERVICE = "Routine cleaning"
WARMUP = 2.0


@dataclass
class Demo:
    practice_id: int
    service_id: int


def seed(db: BenchDB) -> None:
    subprocess.run(
        [*servers.frontdesk_cmd(), "demo"], env=servers.server_env(db), check=True, capture_output=True
    )


async def prepare(db: BenchDB) -> Demo:
    """The demo practice's limits raised (settings service), and the service the calls ask about."""
    app = await Frontdesk.open(db.url)
    try:
        async with app.db.read() as s:
            practice = (await s.execute(select(m.Practice).where(m.Practice.slug == "demo"))).scalar_one()
            service = (
                await s.execute(
                    select(m.Service).where(m.Service.practice_id == practice.id, m.Service.name == SERVICE)
                )
            ).scalar_one()
            ids = (practice.id, service.id)
        await app.practice_settings.update(Principal(ids[0], "bench"), LIMITS)
    finally:
        await app.close()
    return Demo(*ids)


def probe(srv: servers.Running, demo: Demo) -> dict[str, Any]:
    """One answer of each, outside the timed runs: what the calls return (and that they work)."""
    base = srv.url.removesuffix("/mcp")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN,
        "Mcp-Method": "tools/call",
        "Mcp-Name": TOOL,
    }
    with httpx2.Client(trust_env=False, timeout=30) as hc:
        r = hc.post(f"{base}/mcp/public", content=body(TOOL, tool_args(demo), "modern"), headers=headers)
        r.raise_for_status()
        result = r.json()["result"]
        if result.get("isError"):
            raise RuntimeError(f"{TOOL} failed: {result}")
        page = hc.get(f"{base}{page_path(demo)}")
        page.raise_for_status()
    return {
        "mcp_slots": result["structuredContent"]["count"],
        "mcp_bytes": len(r.content),
        "page_slots": page.text.count(SLOT_MARK),
        "page_bytes": len(page.content),
    }


def tool_args(demo: Demo) -> dict[str, Any]:
    return {"orgSlug": "demo", "serviceId": demo.service_id, "limit": 50}


def page_path(demo: Demo) -> str:
    return f"/demo/book?service={demo.service_id}"


def _watch(srv: servers.Running, db: BenchDB | None) -> dict[str, Any]:
    watch: dict[str, Any] = {"server": srv.processes}
    if db is not None and db.kind == "postgresql":
        watch["postgres"] = postgres_processes
    return watch


def _drive(
    srv: servers.Running, db: BenchDB | None, what: str, label: str, cfg: WrkConfig, demo: Demo | None
) -> WrkRun:
    """A warm-up, then the measured run, of one kind of request against `srv`."""
    base = srv.url.removesuffix("/mcp")
    if what == "mcp":
        assert demo is not None
        lines, url, script, extra = (
            lines_for(TOOL, [tool_args(demo)], "modern"),
            f"{base}/mcp/public",
            None,
            {},
        )
    elif what == "echo":
        lines, url, script, extra = lines_for("echo", [{"text": "hello"}], "modern"), srv.url, None, {}
    elif what == "page":
        assert demo is not None
        lines, url, script, extra = [f"page\t{page_path(demo)}"], base, PAGE_LUA, {"WRK_EXPECT": SLOT_MARK}
    else:  # the echo server's /health: a bare Starlette GET
        lines, url, script, extra = ["health\t/health"], base, PAGE_LUA, {"WRK_EXPECT": '"ok"'}
    kw: dict[str, Any] = {"cfg": cfg, "extra_env": extra, "watch": _watch(srv, db)}
    if script is not None:
        kw["script"] = script
    run_wrk(url, lines, label=f"{label} (warm-up)", duration=WARMUP, **kw)
    return run_wrk(url, lines, label=label, **kw)


async def bench_db(db: BenchDB, cfg: WrkConfig) -> tuple[list[WrkRun], dict[str, Any]]:
    log(f"public: seeding the demo practice on {db.label}")
    seed(db)
    demo = await prepare(db)
    runs: list[WrkRun] = []
    probed: dict[str, Any] = {}
    for what, name in (("mcp", TOOL), ("page", "page: time-slot view")):
        # A fresh server per run: the public limiter's in-memory counters start at zero.
        with servers.frontdesk(db) as srv:
            if not probed:
                probed = probe(srv, demo)
            runs.append(_drive(srv, db, what, f"{db.kind}|{name}", cfg, demo))
    return runs, probed


async def bench_echo(cfg: WrkConfig) -> list[WrkRun]:
    out = []
    for what, name in (("echo", "echo: tools/call"), ("health", "echo: GET /health")):
        with servers.echo() as srv:
            out.append(_drive(srv, None, what, f"echo|{name}", cfg, None))
    return out


def cpu_ms(r: WrkRun) -> float:
    """CPU milliseconds the server (and PostgreSQL) spent per ok answer: steadier than ok/s when other
    processes take the CPUs, since it does not depend on the share the server got."""
    cores = r.cpu.get("server", 0.0) + r.cpu.get("postgres", 0.0)
    return 1000 * cores / r.rate if r.rate else 0.0


def _row(r: WrkRun, echo: WrkRun | None) -> str:
    kind, name = r.label.split("|")
    base = echo is None or r is echo
    ratio = "(baseline)" if base or not echo.rate else f"{r.rate / echo.rate:.1%}"
    by_cpu = "(baseline)" if base or not cpu_ms(r) else f"{cpu_ms(echo) / cpu_ms(r):.1%}"
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in r.cpu.items())
    status = "ERRORS: " + r.error_text() if r.errors else "ok"
    return (
        f"| {kind} | {name} | {r.rate:.0f} | {r.ms('p50'):.1f} | {r.ms('p99'):.1f} | {r.ok} | {ratio} | "
        f"{cpu_ms(r):.2f} | {by_cpu} | {status} | {cpu} |"
    )


def markdown(runs: list[WrkRun], probed: dict[str, dict[str, Any]], cfg: WrkConfig, started: str) -> str:
    echo = next(r for r in runs if r.label == "echo|echo: tools/call")
    mach = machine()
    lines = [
        "# Public booking surface under wrk (issue 13)",
        "",
        f"- Date: {started}; machine: {mach.get('nproc', '?')} CPUs, {mach.get('cpu', '')}",
        f"- Load average at start/end: {probed.get('_load', '')}",
        f"- wrk -t{cfg.threads} -c{cfg.connections} -d{cfg.duration:.0f}s (after a {WARMUP:.0f} s warm-up), "
        "`frontdesk serve` with one worker, each run on a freshly started server",
        "- Command: `.venv/bin/python bench/wrk_public.py"
        + (" --pg" if any(r.label.startswith("postgresql") for r in runs) else "")
        + "`",
        "",
        "| Database | Request | ok/s | p50 ms | p99 ms | ok | vs echo | CPU ms / ok | vs echo by CPU | run "
        "| CPU cores |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        *(_row(r, echo) for r in runs),
        "",
        "What each answer held: "
        + "; ".join(
            f"{kind}: the tool {v['mcp_slots']} slots ({v['mcp_bytes']} B), the page {v['page_slots']} "
            f"slots ({v['page_bytes']} B)"
            for kind, v in probed.items()
            if not kind.startswith("_")
        )
        + ".",
        "",
        "Notes:",
        "",
        "- ok/s counts only 2xx answers that are not errors: for the tool a JSON-RPC result without "
        "isError (bench/mcp_wrk.lua), for the page a 2xx whose HTML holds at least one slot "
        "(bench/page_wrk.lua). Latency percentiles are wrk's, over every answer.",
        "- vs echo: ok/s divided by the echo server's tools/call ok/s in the same run "
        "(bench/echo_server.py, the bare mcp SDK). `echo: GET /health` is that server's Starlette "
        "JSON GET without a database, a reference for the page's row.",
        "- CPU ms / ok: the server's CPU (plus PostgreSQL's) per ok answer; `vs echo by CPU` is echo's "
        "CPU per answer divided by it: the ratio the two would have with a CPU each to themselves. When "
        "other processes keep the CPUs busy (load average above), ok/s mostly says what share the server "
        "got, and this column is the steadier comparison.",
        "- Rate limits: the demo practice's public limits set to their catalogue maxima through the "
        "settings service (`policies.publicRequestsPerMinuteIp` = 10000, "
        "`policies.publicRequestsPerMinutePractice` = 100000; an owner sets them with settings_update), "
        "and the HTTP layer's lifted with FRONTDESK_RATE_LIMIT_IP / FRONTDESK_RATE_LIMIT_PRACTICE = "
        "1000000/minute as in every bench. The limiters still run on every request.",
        "- Every public request writes its decision to the audit trail (a write transaction), "
        "reads included.",
        "- CPU: cores each used during the run (CPU seconds / wall seconds): the server process, wrk, "
        f"and on PostgreSQL every postgres process. The machine has {os.cpu_count()} CPUs shared by all.",
    ]
    return "\n".join(lines) + "\n"


async def run(pg: str | None, cfg: WrkConfig) -> tuple[list[WrkRun], dict[str, Any]]:
    runs: list[WrkRun] = []
    probed: dict[str, Any] = {}
    for maker in [sqlite_db()] + ([postgres_db(pg)] if pg else []):
        async with maker as db:
            got, probed[db.kind] = await bench_db(db, cfg)
            runs += got
    runs += await bench_echo(cfg)
    return runs, probed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pg", nargs="?", const=PG_ADMIN, help=f"also PostgreSQL (admin URL, default {PG_ADMIN})"
    )
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--out", default=str(HERE / "results" / "public.md"))
    args = ap.parse_args()
    cfg = WrkConfig(threads=args.threads, connections=args.connections, duration=args.duration)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = "/".join(f"{x:.2f}" for x in os.getloadavg())
    runs, probed = asyncio.run(run(args.pg, cfg))
    probed["_load"] = f"{load0}; {'/'.join(f'{x:.2f}' for x in os.getloadavg())}"
    text = markdown(runs, probed, cfg, started)
    Path(args.out).write_text(text)
    Path(args.out).with_suffix(".json").write_text(
        json.dumps({r.label: r.to_json() for r in runs}, indent=1, default=str)
    )
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
