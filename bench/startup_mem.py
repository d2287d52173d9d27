"""Start-up time over stdio, and the resident memory of `frontdesk serve` under many tool calls.

    .venv/bin/python bench/startup_mem.py [--starts 10] [--calls 100000]

Start-up: in a temporary data directory (SQLite, the stdio default) `frontdesk demo` seeds the demo
practice once; then `frontdesk stdio --practice demo` is spawned `--starts` times, an initialize
request written to its stdin as one JSON-RPC line, and the time from spawn to a valid initialize
answer on stdout (result.protocolVersion and serverInfo) taken; the median is the figure. The
process is then closed (stdin closed, SIGTERM if it lingers). `python -X importtime` of the modules
stdio loads gives the largest imports, to say where start-up goes.

Memory: `frontdesk serve` (one worker) on the bench practice, wrk calling list_datebooks (protocol
2026-07-28) in rounds; VmRSS of the server process after 1,000 calls and after each round up to
--calls. Growth is (RSS at the end - RSS after 1,000) / RSS after 1,000 (target < 10%).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import data
import servers
from common import Section, Target, log, sqlite_db
from wrk_calls import WrkConfig, lines_for, run_wrk

STARTUP_TARGET = 1.0  # seconds (issue 4: stdio answers initialize in under 1 s)
GROWTH_TARGET = 0.10
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "1"},
    },
}


def _stdio_once(env: dict[str, str], timeout: float = 60) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*servers.frontdesk_cmd(), "stdio", "--practice", "demo"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(INIT) + "\n")
        proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"frontdesk stdio exited ({proc.poll()}) before answering initialize")
            msg = json.loads(line)
            if msg.get("id") == 1:
                result = msg.get("result") or {}
                if "protocolVersion" not in result or "serverInfo" not in result:
                    raise RuntimeError(f"not a valid initialize answer: {line[:300]}")
                return time.perf_counter() - t0
        raise RuntimeError("no initialize answer in time")
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def import_times(env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """Import time (ms, the modules' own time summed per top-level package) of what `frontdesk stdio`
    loads before it answers initialize (the rest loads after the answer: cli/stdio.py), largest first."""
    code = "import frontdesk.cli.main, frontdesk.cli.stdio"
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    per: dict[str, float] = {}
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m:
            root = m.group(4).split(".")[0]
            per[root] = per.get(root, 0.0) + int(m.group(1)) / 1000
    return sorted(per.items(), key=lambda r: -r[1])[:top]


def startup(starts: int) -> tuple[dict[str, Any], list[list[str]]]:
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-startup-"))
    try:
        env = servers.server_env(None)
        env["FRONTDESK_DATA_DIR"] = str(tmp)
        subprocess.run(
            [*servers.frontdesk_cmd(), "demo"], env=env, check=True, capture_output=True, timeout=180
        )
        _stdio_once(env)  # first start: bytecode caches, page cache
        secs = [_stdio_once(env) for _ in range(starts)]
        imports = import_times(env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    med = statistics.median(secs) * 1000
    log(f"startup: median {med:.0f} ms over {starts}")
    info = {
        "median_ms": round(med, 1),
        "min_ms": round(min(secs) * 1000, 1),
        "max_ms": round(max(secs) * 1000, 1),
        "runs_ms": [round(s * 1000, 1) for s in secs],
        "largest_imports_ms": imports,
    }
    rows = [
        [
            "start-up: spawn `frontdesk stdio --practice demo` to initialize answer",
            f"median {med:.0f} ms",
            f"min {min(secs) * 1000:.0f}, max {max(secs) * 1000:.0f} ms over {starts} starts (SQLite)",
        ]
    ]
    return info, rows


async def memory(calls: int, cfg: WrkConfig) -> tuple[dict[str, Any], list[list[str]], float | None]:
    marks: list[tuple[int, int]] = []
    async with sqlite_db() as db:
        await data.build(db.url)
        key = servers.create_key(db)
        with servers.frontdesk(db) as srv:
            lines = lines_for("list_datebooks", [{}], "modern")
            start_rss = srv.rss_bytes()
            done = 0
            errors = 0
            rate = 0.0  # calls per second, from the first round's latency (connections / mean latency)
            for _ in range(60):  # bounded number of rounds
                if done >= calls:
                    break
                want = 1000 if done == 0 else calls - done
                # wrk runs for its whole -d even when the script stops early, so size -d to the round.
                seconds = 10.0 if not rate else min(120.0, want / rate * 1.02 + 1)
                r = run_wrk(
                    srv.url,
                    lines,
                    cfg=cfg,
                    label=f"memory after {done}",
                    key=key,
                    max_requests=want,
                    duration=seconds,
                )
                done += r.raw["requests"]
                errors += r.errors
                if not rate and r.ms("mean") > 0:
                    rate = cfg.connections / (r.ms("mean") / 1000)
                await asyncio.sleep(1.0)
                marks.append((done, srv.rss_bytes()))
                log(f"  memory: {done} calls, RSS {marks[-1][1] / 2**20:.1f} MiB")
    first = marks[0][1]
    last_calls, last = marks[-1]
    growth = (last - first) / first if first else None
    info = {
        "rss_start_mib": round(start_rss / 2**20, 1),
        "marks": [{"calls": c, "rss_mib": round(b / 2**20, 1)} for c, b in marks],
        "growth": growth,
        "errors": errors,
    }
    rows = [
        ["RSS of frontdesk serve at start (idle)", f"{start_rss / 2**20:.1f} MiB", ""],
        *[[f"RSS after {c:,} list_datebooks calls", f"{b / 2**20:.1f} MiB", ""] for c, b in marks],
        [
            f"RSS growth from {marks[0][0]:,} to {last_calls:,} calls",
            f"{growth:+.1%}" if growth is not None else "?",
            f"target < {GROWTH_TARGET:.0%}; {errors} failed calls",
        ],
    ]
    return info, rows, growth


async def run(*, starts: int, calls: int, cfg: WrkConfig) -> tuple[Section, list[Target]]:
    info_s, rows_s = startup(starts)
    info_m, rows_m, growth = await memory(calls, cfg)
    sec = Section(
        key="startup_memory",
        title="Start-up (stdio) and memory under load (HTTP)",
        columns=["figure", "value", "notes"],
        rows=rows_s + rows_m,
        notes=[
            "Start-up is the interpreter and the imports answering initialize needs (the SDK); the "
            "database, the practice lookup and the tools load after the answer (cli/stdio.py). "
            "Import time of that path by top-level package (python -X importtime, modules' own time "
            "summed, ms): " + ", ".join(f"{name} {ms:.0f}" for name, ms in info_s["largest_imports_ms"]),
            f"Memory: wrk -t{cfg.threads} -c{cfg.connections}, protocol 2026-07-28, VmRSS (psutil) of the "
            "server process 1 s after each round; SQLite.",
        ],
        data={"startup": info_s, "memory": info_m},
    )
    targets = [
        Target(
            "start-up: stdio spawn to initialize answer (median)",
            f"{info_s['median_ms']:.0f} ms",
            f"< {STARTUP_TARGET * 1000:.0f} ms",
            info_s["median_ms"] < STARTUP_TARGET * 1000,
            f"over {starts} starts",
        ),
        Target(
            f"memory: RSS growth {info_m['marks'][0]['calls']:,} -> {info_m['marks'][-1]['calls']:,} calls",
            f"{growth:+.1%}" if growth is not None else "?",
            f"< {GROWTH_TARGET:.0%}",
            growth is not None and growth < GROWTH_TARGET and info_m["errors"] == 0,
            f"{info_m['marks'][0]['rss_mib']} -> {info_m['marks'][-1]['rss_mib']} MiB",
        ),
    ]
    return sec, targets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    cfg = WrkConfig(threads=args.threads, connections=args.connections)
    sec, targets = asyncio.run(run(starts=args.starts, calls=args.calls, cfg=cfg))
    print(sec.text())
    print("\n".join(sec.notes))
    print(Target.table(targets))


if __name__ == "__main__":
    main()
