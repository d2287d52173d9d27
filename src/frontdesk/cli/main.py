"""The `frontdesk` command. Each area registers its own subcommands (see the modules in this folder)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from frontdesk import logs
from frontdesk.cli.registry import AREAS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="frontdesk", description="Practice management over MCP.")
    p.add_argument(
        "--database-url", help="SQLAlchemy URL (default: FRONTDESK_DATABASE_URL or ~/.frontdesk/frontdesk.db)"
    )
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="Streamable HTTP server at /mcp (and /health)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed the demo practice and print a fresh key")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    stdio = sub.add_parser("stdio", help="serve one practice over stdio (Claude Desktop, local clients)")
    stdio.add_argument("--practice", required=True, help="practice slug")
    stdio.add_argument(
        "--surface",
        default="frontdesk",
        help="which tools to serve: frontdesk (the default, Frontdesk's own) or a seed's exact surface: "
        "odonto, medapp, charm, coordinalo, medcor",
    )
    sub.add_parser("demo", help="seed the demo practice (slug demo); running it again changes nothing")
    sub.add_parser("migrate", help="apply database migrations")
    worker = sub.add_parser("worker", help="run job workers (reminders, messages) until stopped")
    worker.add_argument("--concurrency", type=int, default=1, help="workers in this process")
    worker.add_argument("--once", action="store_true", help="run the jobs due now, then exit")
    for area in AREAS:
        area.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    # stdout belongs to the protocol under stdio, and to the command's output otherwise.
    if args.command in ("serve", "stdio"):
        try:
            logs.setup()  # FRONTDESK_LOG_FORMAT, FRONTDESK_LOG_LEVEL
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(2) from exc
    else:
        logging.basicConfig(
            level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )
    if args.command == "stdio":
        # Imports only what answering `initialize` needs before it starts serving (see cli/stdio.py).
        from frontdesk.cli import stdio

        raise SystemExit(asyncio.run(stdio.run(args)))
    from frontdesk.cli import commands

    if args.command == "serve":
        commands.serve(args)
        return
    raise SystemExit(asyncio.run(commands.run(args)))


if __name__ == "__main__":
    main()
