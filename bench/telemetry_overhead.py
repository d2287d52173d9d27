"""What telemetry costs a tool call, off (no OTEL_EXPORTER_OTLP_ENDPOINT) and on (exporting over
OTLP/HTTP to a collector stand-in on loopback, in its own process).

    .venv/bin/python bench/telemetry_overhead.py [--pg [ADMIN_URL]] [--calls 300] [--batches 7]
                                                 [--micro 20000] [--rounds 2]

Each mode runs in a fresh process (OpenTelemetry's providers are global, set once), built through
the real entry point (`frontdesk.http.factory.create`, which reads the environment), `--rounds` times,
alternating off and on; each figure is the best of all its batches. Two figures per mode:

- the middleware alone (`frontdesk.mcp.telemetry.ToolCalls`, the one that makes the span and the
  measurement) around a handler that answers at once: microseconds per call, and the same handler
  without it. Off, what is left is the request id for the logs; on, the span, the histogram, the
  outcome and the practice lookup (the SDK's own span per message is not in it: it is on in both
  modes and, off, the API's no-op).
- tool calls through the whole ASGI app in this process, as bench/inproc_calls.py drives them
  (ms per call): everything above plus the SQLAlchemy spans and the SDK's span, on a real database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import data
import servers
from common import PG_ADMIN, BenchDB, log, machine, postgres_db, sqlite_db
from inproc_calls import _items, call, check
from wrk_calls import READ_TOOLS, cases, lines_for

HERE = Path(__file__).resolve().parent


# --- the collector stand-in (its own process, so its work is not counted in the server's) -------


def sink(port_file: str) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


# --- one mode, in a child process -------------------------------------------------------------------


async def micro(url: str, n: int) -> dict[str, float]:
    """µs per call of a handler that answers at once, with and without ToolCalls in front of it."""
    from frontdesk.composition import Frontdesk
    from frontdesk.mcp.server import build_server
    from frontdesk.mcp.telemetry import ToolCalls
    from frontdesk.services.context import Principal
    from frontdesk.storage.db import Database

    app = Frontdesk(Database(url))
    try:
        principal = Principal(1, "bench")
        middleware = ToolCalls(build_server(app, default_principal=principal), principal)
        ctx = SimpleNamespace(method="tools/call", params={"name": "list_datebooks"}, request=None)
        answer = {"content": [{"type": "text", "text": "ok"}], "structuredContent": {}, "isError": False}

        async def handler(_: Any) -> dict[str, Any]:
            return answer

        async def bare() -> None:
            await handler(ctx)

        async def wrapped() -> None:
            await middleware(ctx, handler)  # type: ignore[arg-type]

        best: dict[str, float] = {}
        for label, fn in (("bare", bare), ("middleware", wrapped)) * 3:
            for _ in range(n // 10):  # warm-up
                await fn()
            t0 = time.process_time()
            for _ in range(n):
                await fn()
            us = (time.process_time() - t0) * 1e6 / n
            best[label] = min(best.get(label, us), us)
        return best
    finally:
        await app.close()


async def batches(
    app: Any, items: list[tuple[bytes, list[tuple[bytes, bytes]]]], *, calls: int, n: int
) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) per call of each batch. CPU is the whole process's, the exporter's thread too,
    and is less disturbed than wall time by other work on the machine."""
    out = []
    k = 0
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(calls):
            body, headers = items[k % len(items)]
            k += 1
            check(*await call(app, body, headers))
        out.append(((time.perf_counter() - w0) * 1000 / calls, (time.process_time() - c0) * 1000 / calls))
    return out


async def child(args: argparse.Namespace) -> None:
    db = BenchDB(kind=args.kind, url=args.url, env={}, label="")
    os.environ.update(servers.BENCH_ENV)
    os.environ["FRONTDESK_DATABASE_URL"] = args.url
    os.environ["FRONTDESK_LOG_FORMAT"] = "json"
    if args.endpoint:
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = args.endpoint
    from frontdesk import telemetry
    from frontdesk.http.factory import create

    starlette = create()  # logs.setup(), telemetry.setup(): on only with the endpoint
    assert telemetry.enabled() is bool(args.endpoint)
    info = await data.build(args.url)
    c = await cases(db, info)
    out: dict[str, Any] = {"mode": "on" if args.endpoint else "off", "tools": {}}
    async with starlette.router.lifespan_context(starlette):
        for tool in READ_TOOLS:
            items = _items(lines_for(tool, c.reads[tool], "modern"), args.key)
            await batches(starlette, items, calls=min(50, args.calls), n=1)  # warm-up
            runs = await batches(starlette, items, calls=args.calls, n=args.batches)
            out["tools"][tool] = {"wall": min(w for w, _ in runs), "cpu": min(c for _, c in runs)}
        out["micro"] = await micro(args.url, args.micro)  # before the lifespan's end shuts telemetry down
        out["threads"] = sorted(t.name for t in threading.enumerate())
    print(json.dumps(out))


# --- the parent: database, collector, children, table ----------------------------------------------


def run_child(db: BenchDB, key: str, args: argparse.Namespace, endpoint: str | None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--kind", db.kind, "--url", db.url]
    cmd += [
        "--key",
        key,
        "--calls",
        str(args.calls),
        "--batches",
        str(args.batches),
        "--micro",
        str(args.micro),
    ]
    if endpoint:
        cmd += ["--endpoint", endpoint]
    env = {k: v for k, v in servers.server_env(db).items() if not k.startswith("OTEL_")}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800, cwd=HERE)
    if done.returncode != 0:
        raise RuntimeError(f"child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(kind: str, results: dict[str, list[dict[str, Any]]]) -> str:
    def best(mode: str, pick: Any) -> float:
        return min(pick(r) for r in results[mode])

    rows = [f"{'figure':<40} {'off':>10} {'on':>10} {'on - off':>10}"]
    bare = {m: best(m, lambda r: r["micro"]["bare"]) for m in ("off", "on")}
    wrapped = {m: best(m, lambda r: r["micro"]["middleware"]) for m in ("off", "on")}
    rows.append(f"{'handler alone, µs/call':<40} {bare['off']:10.2f} {bare['on']:10.2f} {'':>10}")
    rows.append(
        f"{'ToolCalls + handler, µs/call':<40} {wrapped['off']:10.2f} {wrapped['on']:10.2f} "
        f"{wrapped['on'] - wrapped['off']:10.2f}"
    )
    rows.append(
        f"{'  of which ToolCalls, µs/call':<40} {wrapped['off'] - bare['off']:10.2f} "
        f"{wrapped['on'] - bare['on']:10.2f} {'':>10}"
    )
    for tool in READ_TOOLS:
        for clock in ("cpu", "wall"):
            off = best("off", lambda r: r["tools"][tool][clock])  # noqa: B023
            on = best("on", lambda r: r["tools"][tool][clock])  # noqa: B023
            change = f"{on - off:+10.3f} ({on / off - 1:+.1%})"
            rows.append(f"{f'{tool}, {clock} ms/call':<40} {off:10.3f} {on:10.3f} {change}")
    threads = {m: results[m][0]["threads"] for m in ("off", "on")}
    rows.append(f"threads off: {threads['off']}")
    rows.append(f"threads on:  {threads['on']}")
    return f"{kind}\n" + "\n".join(rows)


async def measure(args: argparse.Namespace, endpoint: str) -> None:
    target = postgres_db(args.pg) if args.pg else sqlite_db()
    async with target as db:
        await data.build(db.url)
        key = servers.create_key(db)
        results: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
        for r in range(args.rounds):
            for mode, ep in (("off", None), ("on", endpoint)):
                log(f"round {r + 1}/{args.rounds}: telemetry {mode}")
                results[mode].append(await asyncio.to_thread(run_child, db, key, args, ep))
    m = machine()
    print(f"{m['cpu']}, {m['nproc']} cores, {m['python']}")
    print(table(db.kind, results))


def parent(args: argparse.Namespace) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the collector
    port_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"frontdesk-otlp-sink-{os.getpid()}"
    collector = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--sink", str(port_file)])
    try:
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        asyncio.run(measure(args, f"http://127.0.0.1:{port_file.read_text()}"))
    finally:
        collector.terminate()  # the process started above, by its handle
        collector.wait(timeout=10)
        port_file.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, help=f"PostgreSQL (admin URL, default {PG_ADMIN})")
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--batches", type=int, default=7)
    ap.add_argument("--micro", type=int, default=20000, help="calls per middleware measurement")
    ap.add_argument("--rounds", type=int, default=2, help="off/on child processes, alternating")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--sink", help=argparse.SUPPRESS)
    ap.add_argument("--kind", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--key", help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sink:
        sink(args.sink)
    elif args.child:
        asyncio.run(child(args))
    else:
        parent(args)


if __name__ == "__main__":
    main()
