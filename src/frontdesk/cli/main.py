"""The `frontdesk` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from frontdesk.cli import commands


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

    stdio = sub.add_parser(
        "stdio", help="serve one practice over stdio (Claude Desktop and other local clients)"
    )
    stdio.add_argument("--practice", required=True, help="practice slug")

    sub.add_parser("demo", help="seed the demo practice (slug demo); running it again changes nothing")
    sub.add_parser("migrate", help="apply database migrations")

    keys = sub.add_parser("keys", help="practice secret keys").add_subparsers(
        dest="keys_command", required=True
    )
    kc = keys.add_parser("create", help="create a key; it is shown once")
    kc.add_argument("--practice", required=True)
    kc.add_argument("--name", required=True)
    kc.add_argument("--quiet", action="store_true", help="print the key alone")
    kc.add_argument("--json", action="store_true", help='print {"client_id": ..., "client_secret": ...}')
    kl = keys.add_parser("list", help="list a practice's keys (never the secrets)")
    kl.add_argument("--practice", required=True)
    kr = keys.add_parser("revoke", help="revoke a key at once")
    kr.add_argument("--practice", required=True)
    kr.add_argument("key_id", type=int)

    pr = sub.add_parser("practices", help="practices").add_subparsers(dest="practices_command", required=True)
    pc = pr.add_parser("create")
    pc.add_argument("--slug", required=True)
    pc.add_argument("--name", required=True)
    pc.add_argument("--timezone", required=True)
    pr.add_parser("list")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    # stdout belongs to the protocol under stdio, and to the command's output otherwise.
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        commands.serve(args)
        return
    code = asyncio.run(commands.run(args))
    raise SystemExit(code)


if __name__ == "__main__":
    main()
