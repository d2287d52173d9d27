"""Tool-call throughput and latency over Streamable HTTP, measured with wrk and bench/mcp_wrk.lua.

    .venv/bin/python bench/wrk_calls.py [--pg [ADMIN_URL]] [--duration 10] [--threads 2] [--connections 16]
                                        [--protocol modern|handshake|both]

For each database (a temporary SQLite file; with --pg a fresh PostgreSQL database too, dropped
afterwards) the bench practice is built (data.py), a key made, and `frontdesk serve` started with one
worker. wrk then drives, each for --duration seconds with the same threads and connections:

* list_datebooks: the cheapest call (two rows): the fixed cost of a tool call;
* list_appointments: one datebook's busiest day (~120 appointments in the answer);
* find_available_slots: a week of that datebook from that day (limit 50);
* create_appointment: every request books a different free 30-minute slot (precomputed after the
  booked month, spread over the 20 providers); successes and conflicts are counted apart;
* echo: the same wrk run against bench/echo_server.py (a bare mcp SDK server), started right after,
  the baseline every figure is divided by.

Protocol "modern" (default) is MCP 2026-07-28: each POST is self-contained (no initialize). Protocol
"handshake" is 2025-11-25: the driver opens one session per wrk thread (initialize, then
notifications/initialized) and wrk sends its Mcp-Session-Id. Every answer is checked by the Lua
script (HTTP status, JSON-RPC error, isError); a run with any error is marked so in the table, and
its throughput counts only the successful calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import data
import httpx2
import psutil
import servers
from common import PG_ADMIN, BenchDB, Section, Target, log, postgres_db, sqlite_db
from sqlalchemy import select

from frontdesk.storage import models as m
from frontdesk.storage.db import Database

HERE = Path(__file__).resolve().parent
LUA = HERE / "mcp_wrk.lua"
MODERN = "2026-07-28"
HANDSHAKE = "2025-11-25"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "wrk", "version": "4.1"},
}
READ_TARGET = 0.60
WRITE_TARGET = 0.40
SLOT_LIMIT = 50
FREE_SLOTS = 20_000  # distinct bookable slots prepared for create_appointment


@dataclass(frozen=True)
class WrkConfig:
    threads: int = 2
    connections: int = 16
    duration: float = 10.0
    timeout: str = "30s"
    cpus: str | None = None  # taskset -c list for wrk, e.g. "1"


def wrk_path() -> str:
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    return exe


def body(tool: str, args: dict[str, Any], protocol: str, rid: int = 1) -> str:
    params: dict[str, Any] = {"name": tool, "arguments": args}
    if protocol == "modern":
        params["_meta"] = META
    msg = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": params}
    return json.dumps(msg, separators=(",", ":"), ensure_ascii=True)


def lines_for(tool: str, calls: Sequence[dict[str, Any]], protocol: str) -> list[str]:
    return [f"{tool}\t{body(tool, args, protocol, i + 1)}" for i, args in enumerate(calls)]


def open_sessions(url: str, key: str | None, n: int) -> list[str]:
    """`n` stateful sessions (protocol 2025-11-25), for wrk threads to share: their Mcp-Session-Id."""
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    out = []
    with httpx2.Client(trust_env=False, timeout=30, headers=headers) as hc:
        for i in range(n):
            init = {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": HANDSHAKE,
                    "capabilities": {},
                    "clientInfo": {"name": f"wrk-{i}", "version": "4.1"},
                },
            }
            r = hc.post(url, content=json.dumps(init))
            r.raise_for_status()
            sid = r.headers["mcp-session-id"]
            follow = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": HANDSHAKE}
            note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            hc.post(url, content=json.dumps(note), headers=follow).raise_for_status()
            out.append(sid)
    return out


@dataclass
class WrkRun:
    """One wrk run: its counts, latency (ms) and the CPU the processes watched used (cores)."""

    label: str
    raw: dict[str, Any]
    cpu: dict[str, float] = field(default_factory=dict)
    per_process: list[float] = field(default_factory=list)  # server CPU (cores) per process

    @property
    def seconds(self) -> float:
        return float(self.raw["duration_us"]) / 1e6

    @property
    def ok(self) -> int:
        return int(self.raw["ok"])

    @property
    def errors(self) -> int:
        """Every answer that was not a successful tool result, conflicts included, and socket errors."""
        r = self.raw
        sock = sum(int(v) for k, v in r["socket_errors"].items() if k != "status")
        return int(r["http_err"]) + int(r["rpc_err"]) + int(r["tool_err"]) + int(r["other"]) + sock

    @property
    def rate(self) -> float:
        """Successful calls per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    def ms(self, key: str) -> float:
        return float(self.raw["latency_us"][key]) / 1000

    def error_text(self) -> str:
        r = self.raw
        if not self.errors:
            return "0"
        parts = [
            f"{name} {r[k]}"
            for name, k in (
                ("http", "http_err"),
                ("rpc", "rpc_err"),
                ("tool", "tool_err"),
                ("other", "other"),
            )
            if int(r[k])
        ]
        sock = {k: v for k, v in r["socket_errors"].items() if int(v) and k != "status"}
        parts += [f"socket {k} {v}" for k, v in sock.items()]
        if r.get("error_codes"):
            parts.append(f"codes: {r['error_codes'].strip()}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "ok_per_s": round(self.rate, 1),
            "p50_ms": round(self.ms("p50"), 2),
            "p90_ms": round(self.ms("p90"), 2),
            "p99_ms": round(self.ms("p99"), 2),
            "mean_ms": round(self.ms("mean"), 2),
            "errors": self.errors,
            "cpu_cores": self.cpu,
            "server_cpu_per_process": self.per_process,
            "wrk": self.raw,
        }


Lister = Callable[[], list[psutil.Process]]


def _cpu_snapshot(procs: list[psutil.Process]) -> dict[int, float]:
    out = {}
    for p in procs:
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    """CPU seconds each process used between two snapshots (processes born since count in full)."""
    return {pid: cpu - before.get(pid, 0.0) for pid, cpu in after.items()}


def postgres_processes() -> list[psutil.Process]:
    """The PostgreSQL server's processes on this machine (watched, read-only, for their CPU time)."""
    out = []
    for p in psutil.process_iter(["name"]):
        if (p.info.get("name") or "").startswith("postgres"):
            out.append(p)
    return out


def run_wrk(
    url: str,
    lines: Sequence[str],
    *,
    cfg: WrkConfig,
    label: str,
    key: str | None = None,
    protocol: str = "modern",
    sessions: Sequence[str] = (),
    watch: dict[str, Lister] | None = None,
    max_requests: int | None = None,
    duration: float | None = None,
    script: Path = LUA,
    extra_env: dict[str, str] | None = None,
) -> WrkRun:
    """Run wrk with `script` (mcp_wrk.lua: `lines` are "tool<TAB>body") on `lines`; bounded by duration
    (and max_requests). `extra_env` goes to the script (e.g. page_wrk.lua's WRK_EXPECT)."""
    seconds = duration if duration is not None else cfg.duration
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    env = dict(os.environ)
    env.update(
        WRK_BODIES=path,
        WRK_KEY=key or "",
        WRK_MODE=protocol,
        WRK_THREADS=str(cfg.threads),
        WRK_SESSIONS=",".join(sessions),
        WRK_MAX=str(max_requests or 0),
    )
    env.update(extra_env or {})
    cmd = [
        wrk_path(),
        f"-t{cfg.threads}",
        f"-c{cfg.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        cfg.timeout,
        "-s",
        str(script),
        url,
    ]
    if cfg.cpus:
        cmd = ["taskset", "-c", cfg.cpus, *cmd]
    watch = dict(watch or {})
    before = {k: _cpu_snapshot(lister()) for k, lister in watch.items()}
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wrk_cpu = 0.0
        try:
            me = psutil.Process(proc.pid)
            while proc.poll() is None:
                try:
                    t = me.cpu_times()
                    wrk_cpu = t.user + t.system
                except psutil.Error:
                    pass
                time.sleep(0.1)
            out, err = proc.communicate(timeout=seconds + 120)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    finally:
        os.unlink(path)
    wall = time.perf_counter() - t0
    match = re.search(r"^WRKJSON (.*)$", out, re.M)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err[-2000:]} {out[-2000:]}")
    raw = json.loads(match.group(1))
    deltas = {k: _cpu_delta(before[k], _cpu_snapshot(lister())) for k, lister in watch.items()}
    cpu = {k: round(sum(d.values()) / wall, 2) for k, d in deltas.items()}
    cpu["wrk"] = round(wrk_cpu / wall, 2)
    run = WrkRun(label, raw, cpu)
    if "server" in deltas and len(deltas["server"]) > 1:
        # Per process, busiest first: shows how evenly uvicorn's workers shared the connections.
        run.per_process = sorted((round(v / wall, 2) for v in deltas["server"].values()), reverse=True)
    log(
        f"  wrk {label}: {run.rate:.0f} ok/s, p50 {run.ms('p50'):.1f} ms, p99 {run.ms('p99'):.1f} ms, "
        f"errors {run.error_text()}; cpu {cpu}"
    )
    return run


# --- what the calls ask for ----------------------------------------------------------------------


async def patient_ids(url: str, practice_id: int) -> list[int]:
    db = Database(url)
    try:
        async with db.read() as s:
            rows = await s.execute(select(m.Patient.id).where(m.Patient.practice_id == practice_id))
            return [int(x) for x in rows.scalars()]
    finally:
        await db.dispose()


def free_slots(info: data.BenchPractice, count: int, today: date | None = None) -> list[tuple[int, int, str]]:
    """`count` distinct free (datebook_id, provider_id, local start) 30-minute slots after the booked
    month, inside every provider's hours (Mon-Fri, both blocks), ordered by time then provider so
    consecutive requests go to different providers. Local times without an offset: the datebook's zone."""
    out: list[tuple[int, int, str]] = []
    today = today or datetime.now(UTC).date()
    day = max(info.end, today) + timedelta(days=2)
    last = today + timedelta(days=350)  # inside the booking horizon (365 days)
    pairs = [(b.id, p) for b in info.books for p in b.provider_ids]
    while len(out) < count and day <= last:
        if day.weekday() < 5:
            for lo, hi in data.BLOCKS:
                t = lo.hour * 60 + lo.minute
                end = hi.hour * 60 + hi.minute
                while t + 30 <= end:
                    stamp = f"{day.isoformat()}T{t // 60:02d}:{t % 60:02d}:00"
                    out.extend((book, prov, stamp) for book, prov in pairs)
                    t += 30
        day += timedelta(days=1)
    return out[:count]


@dataclass
class Cases:
    """The calls for one database, as wrk line lists per tool (protocol-independent arguments)."""

    reads: dict[str, list[dict[str, Any]]]
    creates: list[dict[str, Any]]
    busy_day: date
    booked: int


async def cases(db: BenchDB, info: data.BenchPractice) -> Cases:
    book = info.books[0]
    day, booked = await data.busiest_day(db.url, info, book, after=date.today())
    reads = {
        "list_datebooks": [{}],
        "list_appointments": [
            {"datebook_id": book.id, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
        ],
        "find_available_slots": [
            {
                "datebook_id": book.id,
                "start": day.isoformat(),
                "end": (day + timedelta(days=7)).isoformat(),
                "limit": SLOT_LIMIT,
            }
        ],
    }
    patients = await patient_ids(db.url, info.practice_id)
    checkup = info.services[data.SERVICES[0][0]]
    creates = [
        {
            "doctor_id": prov,
            "datebook_id": book_id,
            "starts_at": start,
            "service_id": checkup,
            "patient_id": patients[i % len(patients)],
            "notes": "wrk",
        }
        for i, (book_id, prov, start) in enumerate(free_slots(info, FREE_SLOTS))
    ]
    return Cases(reads, creates, day, booked)


# --- the benchmark -------------------------------------------------------------------------------


def record_answers(url: str, key: str, c: Cases, folder: Path) -> None:
    """One answer of each call, as Frontdesk gave it (NAME.json), for the echo server to replay: what
    the SDK alone costs to send that very answer is the ceiling for Frontdesk's figure."""
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN,
        "Mcp-Method": "tools/call",
    }
    calls = {tool: c.reads[tool][0] for tool in READ_TOOLS} | {"create_appointment": c.creates[-1]}
    with httpx2.Client(trust_env=False, timeout=30) as hc:
        for tool, args in calls.items():
            r = hc.post(url, content=body(tool, args, "modern"), headers=headers | {"Mcp-Name": tool})
            r.raise_for_status()
            result = r.json()["result"]
            if result.get("isError"):
                raise RuntimeError(f"{tool} failed while recording its answer: {result}")
            (folder / f"{tool}.json").write_text(json.dumps(result))


READ_TOOLS = ("list_datebooks", "list_appointments", "find_available_slots")


async def bench_db(
    db: BenchDB, info: data.BenchPractice, *, cfg: WrkConfig, protocols: Sequence[str]
) -> list[WrkRun]:
    """Every call on one database, for each protocol, then the echo baseline the same way."""
    c = await cases(db, info)
    key = servers.create_key(db)
    runs: list[WrkRun] = []
    db_label = db.kind
    with servers.frontdesk(db) as srv:
        log(f"wrk: frontdesk serve up at {srv.url} on {db.label}")
        watch: dict[str, Lister] = {"server": srv.processes}
        if db.kind == "postgresql":
            watch["postgres"] = postgres_processes
        for protocol in protocols:
            sessions = open_sessions(srv.url, key, cfg.threads) if protocol == "handshake" else []
            for tool in READ_TOOLS:
                runs.append(
                    run_wrk(
                        srv.url,
                        lines_for(tool, c.reads[tool], protocol),
                        cfg=cfg,
                        label=f"{db_label}|{protocol}|{tool}",
                        key=key,
                        protocol=protocol,
                        sessions=sessions,
                        watch=watch,
                    )
                )
            # Each protocol books its own slots: the second run starts where the first one stopped.
            used = sum(r.raw["sent"] for r in runs if r.label.endswith("|create_appointment"))
            todo = c.creates[used:]
            runs.append(
                run_wrk(
                    srv.url,
                    lines_for("create_appointment", todo, protocol),
                    cfg=cfg,
                    label=f"{db_label}|{protocol}|create_appointment",
                    key=key,
                    protocol=protocol,
                    sessions=sessions,
                    watch=watch,
                )
            )
        answers = Path(tempfile.mkdtemp(prefix="frontdesk-answers-"))
        record_answers(srv.url, key, c, answers)
    try:
        with servers.echo(replay=answers) as srv:
            log(f"wrk: echo server up at {srv.url}")
            watch = {"server": srv.processes}
            for protocol in protocols:
                sessions = open_sessions(srv.url, None, cfg.threads) if protocol == "handshake" else []
                recorded = sorted(answers.glob("*.json"))  # noqa: ASYNC240 - a bench, not a server
                for tool in ("echo", *(f"replay_{p.stem}" for p in recorded)):
                    runs.append(
                        run_wrk(
                            srv.url,
                            lines_for(tool, [{"text": "hello"} if tool == "echo" else {}], protocol),
                            cfg=cfg,
                            label=f"{db_label}|{protocol}|{tool}",
                            protocol=protocol,
                            sessions=sessions,
                            watch=watch,
                        )
                    )
    finally:
        shutil.rmtree(answers, ignore_errors=True)
    for r in runs:
        r.raw["busy_day"] = c.busy_day.isoformat()
        r.raw["booked_that_day"] = c.booked
    return runs


def section(runs: list[WrkRun], cfg: WrkConfig) -> tuple[Section, list[Target]]:
    """The results table, and a target per Frontdesk call (ratio to the echo run of its database)."""
    echo = {r.label.rsplit("|", 1)[0]: r for r in runs if r.label.endswith("|echo")}
    rows = []
    targets = []
    out: dict[str, Any] = {}
    runs_by_label = {r.label: r for r in runs}
    for r in runs:
        kind, protocol, tool = r.label.split("|")
        base = echo.get(f"{kind}|{protocol}")
        ratio = r.rate / base.rate if base and base.rate and tool != "echo" else None
        goal = WRITE_TARGET if tool == "create_appointment" else READ_TARGET
        conflicts = int(r.raw["conflicts"])
        replay = tool.startswith("replay_")
        met = None if ratio is None or replay else (ratio >= goal and r.errors == 0)
        floor = runs_by_label.get(f"{kind}|{protocol}|replay_{tool}")
        floor_ratio = floor.rate / base.rate if floor and base and base.rate else None
        status = "ERRORS" if r.errors else "ok"
        rows.append(
            [
                kind,
                protocol,
                tool,
                f"{r.rate:.0f}",
                f"{r.ms('p50'):.1f}",
                f"{r.ms('p99'):.1f}",
                f"{r.ms('mean'):.1f}",
                str(r.ok),
                r.error_text(),
                str(conflicts) if tool == "create_appointment" else "",
                f"{ratio:.1%}" if ratio is not None else "(baseline)",
                (f">= {goal:.0%}: " + ("met" if met else "NOT met")) if met is not None else "",
                f"{floor_ratio:.1%}" if floor_ratio is not None else "",
                status,
                f"server {r.cpu.get('server', 0):.2f}, wrk {r.cpu.get('wrk', 0):.2f}"
                + (f", pg {r.cpu['postgres']:.2f}" if "postgres" in r.cpu else ""),
            ]
        )
        out[r.label] = r.to_json() | {
            "ratio_to_echo": ratio,
            "target": goal if met is not None else None,
            "sdk_floor_ratio": floor_ratio,
        }
        if met is not None and tool != "list_datebooks":
            kind_name = "write" if tool == "create_appointment" else "read"
            targets.append(
                Target(
                    f"wrk {kind_name} {tool} vs echo ({kind}, {protocol})",
                    f"{ratio:.1%} ({r.rate:.0f} vs {base.rate:.0f} ok/s)" if base else "",
                    f">= {goal:.0%}",
                    bool(met),
                    "; ".join(
                        x
                        for x in (
                            f"the SDK alone sends this answer at {floor_ratio:.0%} of echo"
                            if floor_ratio is not None
                            else "",
                            f"errors: {r.error_text()}" if r.errors else "",
                        )
                        if x
                    ),
                )
            )
    notes = [
        f"wrk -t{cfg.threads} -c{cfg.connections} -d{cfg.duration:.0f}s --timeout {cfg.timeout}"
        + (f", pinned with taskset -c {cfg.cpus}" if cfg.cpus else "")
        + "; Frontdesk with one worker; script bench/mcp_wrk.lua (every answer checked).",
        "ok/s counts successful tool results only; errors = non-2xx + JSON-RPC errors + isError results "
        "(+ socket errors). A row marked ERRORS is not a clean throughput figure.",
        "CPU columns are cores used during the run (CPU seconds / wall seconds) by the server "
        "process(es), wrk, and on PostgreSQL all postgres processes; the machine has "
        f"{os.cpu_count()} cores.",
        "list_datebooks is the cheapest call (2 rows): a reference for the fixed cost per call, "
        "not a target.",
        "replay_<call> rows: the echo server (the bare SDK) handing back one recorded Frontdesk answer of "
        "that call, unchanged, from memory: what the SDK alone costs to send that answer. 'SDK floor' is "
        "its ratio to echo, the most the call itself could reach with any amount of work on Frontdesk.",
    ]
    busy = next((r.raw.get("busy_day") for r in runs if "busy_day" in r.raw), None)
    if busy:
        notes.append(
            f"list_appointments: datebook 1 on {busy} (its busiest day); find_available_slots: 7 days from "
            f"then, limit {SLOT_LIMIT}; create_appointment: 30-minute Check-up on a distinct free slot "
            "per request."
        )
    sec = Section(
        key="wrk_calls",
        title="Tool calls over Streamable HTTP (wrk)",
        columns=[
            "Database",
            "Protocol",
            "Call",
            "ok/s",
            "p50 ms",
            "p99 ms",
            "mean ms",
            "ok",
            "errors",
            "conflicts",
            "vs echo",
            "target",
            "SDK floor",
            "run",
            "CPU cores",
        ],
        rows=rows,
        notes=notes,
        data=out,
    )
    return sec, targets


async def run(*, pg: str | None, cfg: WrkConfig, protocols: Sequence[str]) -> tuple[Section, list[Target]]:
    runs: list[WrkRun] = []
    targets_db = [sqlite_db()] + ([postgres_db(pg)] if pg else [])
    for target in targets_db:
        async with target as db:
            log(f"wrk: building the bench practice on {db.label}")
            info = await data.build(db.url)
            runs += await bench_db(db, info, cfg=cfg, protocols=protocols)
    return section(runs, cfg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pg", nargs="?", const=PG_ADMIN, help=f"also PostgreSQL (admin URL, default {PG_ADMIN})"
    )
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--protocol", choices=["modern", "handshake", "both"], default="modern")
    args = ap.parse_args()
    cfg = WrkConfig(threads=args.threads, connections=args.connections, duration=args.duration)
    protocols = ["modern", "handshake"] if args.protocol == "both" else [args.protocol]
    sec, targets = asyncio.run(run(pg=args.pg, cfg=cfg, protocols=protocols))
    print(sec.text())
    print()
    print(Target.table(targets))


if __name__ == "__main__":
    main()
