"""Tool calls through the ASGI apps in this process, one after another: the CPU a call costs, steadier
than wrk on a busy machine, and the same ratio to the echo server.

    .venv/bin/python bench/inproc_calls.py [--pg [ADMIN_URL]] [--calls 300] [--batches 7]
                                           [--tools list_datebooks,list_appointments,...] [--profile OUT]

Frontdesk's Starlette app (src/frontdesk/http/app.py, with its lifespan: audit sealer, session manager)
and bench/echo_server.py's app are driven with the same raw JSON-RPC bodies wrk sends (protocol
2026-07-28, a practice key as bearer token), each request a fresh ASGI http scope: everything from the
outermost middleware to the JSON answer runs, only uvicorn's HTTP parsing and the socket are left out
(they cost both servers the same). Every answer is checked (status 200, a result without isError).
Per tool: `--batches` batches of `--calls` calls; the figure is the best batch's mean (least disturbed
by the machine), in ms per call, and its ratio to echo's. --profile writes a pyinstrument profile (HTML and
text) of one more batch of each tool (needs `pip install pyinstrument`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import data
import servers
from common import PG_ADMIN, BenchDB, log, postgres_db, sqlite_db
from wrk_calls import READ_TOOLS, cases, lines_for

ASGI = Callable[..., Any]
HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"content-type", b"application/json"),
    (b"accept", b"application/json, text/event-stream"),
    (b"mcp-protocol-version", b"2026-07-28"),
    (b"mcp-method", b"tools/call"),
]


async def call(app: ASGI, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/mcp",
        "raw_path": b"/mcp",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                done.set()

    await app(scope, receive, send)
    return status, b"".join(chunks)


def check(status: int, raw: bytes) -> None:
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {raw[:300]!r}")
    text = raw.decode()
    if text.startswith("event:") or "\ndata:" in text:  # an SSE answer: its data line
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    msg = json.loads(text)
    if "error" in msg or msg.get("result", {}).get("isError"):
        raise RuntimeError(f"not a tool result: {text[:300]}")


async def batches(
    app: ASGI, items: list[tuple[bytes, list[tuple[bytes, bytes]]]], *, calls: int, n: int
) -> list[float]:
    """Mean ms per call of each batch; `items` are cycled (creates: each a different slot)."""
    out = []
    k = 0
    for _ in range(n):
        t0 = time.perf_counter()
        for _ in range(calls):
            body, headers = items[k % len(items)]
            k += 1
            check(*await call(app, body, headers))
        out.append((time.perf_counter() - t0) * 1000 / calls)
    return out


def _items(lines: list[str], key: str | None) -> list[tuple[bytes, list[tuple[bytes, bytes]]]]:
    out = []
    for line in lines:
        tool, body = line.split("\t", 1)
        headers = [*HEADERS, (b"mcp-name", tool.encode())]
        if key:
            headers.append((b"authorization", f"Bearer {key}".encode()))
        raw = body.encode()
        out.append((raw, [*headers, (b"content-length", str(len(raw)).encode())]))
    return out


async def measure(db: BenchDB, args: argparse.Namespace) -> dict[str, list[float]]:
    info = await data.build(db.url)
    c = await cases(db, info)
    key = servers.create_key(db)
    os.environ.update(servers.server_env(db))
    os.environ["FRONTDESK_DATABASE_URL"] = db.url  # storage.db read FRONTDESK_DATA_DIR at import
    from echo_server import create_app as echo_app

    from frontdesk.http.factory import create

    results: dict[str, list[float]] = {}
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002, async_mode="disabled")
    for label, app, tools in (("frontdesk", create(), args.tools), ("echo", echo_app(), ["echo"])):
        async with app.router.lifespan_context(app):
            for tool in tools:
                if tool == "echo":
                    lines = lines_for("echo", [{"text": "hello"}], "modern")
                elif tool in READ_TOOLS:
                    lines = lines_for(tool, c.reads[tool], "modern")
                else:
                    lines = lines_for("create_appointment", c.creates, "modern")
                items = _items(lines, key if label == "frontdesk" else None)
                if tool == "create_appointment":
                    items = items[: args.calls * (args.batches + 2)]  # each slot once
                await batches(app, items, calls=min(50, args.calls), n=1)  # warm-up
                results[tool] = await batches(
                    app,
                    items[50:] if tool == "create_appointment" else items,
                    calls=args.calls,
                    n=args.batches,
                )
                log(
                    f"  {db.kind} {tool}: best {min(results[tool]):.3f} ms/call, "
                    f"batches {', '.join(f'{x:.3f}' for x in results[tool])}"
                )
                if profiler is not None and tool != "echo":
                    more = items[-args.calls :] if tool == "create_appointment" else items
                    profiler.start()
                    try:
                        await batches(app, more, calls=args.calls, n=1)
                    finally:
                        profiler.stop()
                    out = Path(f"{args.profile}-{db.kind}-{tool}.html")
                    out.write_text(profiler.output_html())  # noqa: ASYNC240 - a bench, not a server
                    out.with_suffix(".txt").write_text(profiler.output_text(unicode=True, show_all=False))
                    profiler.reset()
                    log(f"  profile: {out}")
    return results


def table(kind: str, results: dict[str, list[float]]) -> str:
    echo = min(results["echo"])
    rows = [f"{'tool':<22} {'ms/call':>8} {'calls/s':>8} {'vs echo':>8}"]
    for tool, xs in results.items():
        best = min(xs)
        ratio = "" if tool == "echo" else f"{echo / best:.1%}"
        rows.append(f"{tool:<22} {best:8.3f} {1000 / best:8.0f} {ratio:>8}")
    return f"{kind}\n" + "\n".join(rows)


async def run(args: argparse.Namespace) -> None:
    target = postgres_db(args.pg) if args.pg else sqlite_db()
    async with target as db:
        results = await measure(db, args)
    print(table(db.kind, results))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", nargs="?", const=PG_ADMIN, help=f"PostgreSQL (admin URL, default {PG_ADMIN})")
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--batches", type=int, default=7)
    ap.add_argument("--tools", default=",".join([*READ_TOOLS, "create_appointment"]))
    ap.add_argument("--profile", help="write pyinstrument HTML profiles to OUT-<db>-<tool>.html")
    args = ap.parse_args()
    args.tools = [t for t in args.tools.split(",") if t]
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
