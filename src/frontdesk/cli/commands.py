"""What each CLI command does; all of it through the services."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from frontdesk.cli.registry import area_for
from frontdesk.domain.errors import FrontdeskError
from frontdesk.services import demo
from frontdesk.services.app import Frontdesk
from frontdesk.services.context import Principal
from frontdesk.storage.db import default_url


def _url(args: argparse.Namespace) -> str:
    return args.database_url or default_url()


async def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "stdio":
            return await _stdio(args)
        app = await Frontdesk.open(_url(args))
        try:
            return await _dispatch(app, args)
        finally:
            await app.close()
    except FrontdeskError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


async def _dispatch(app: Frontdesk, args: argparse.Namespace) -> int:
    if args.command == "migrate":
        print("database is up to date")
        return 0
    if args.command == "demo":
        practice, created = await demo.seed(app.db, app.clock)
        state = "created" if created else "already present; nothing changed"
        print(f"demo practice {practice.slug!r} {state}")
        return 0
    area = area_for(args.command)
    assert area is not None, args.command
    code: int = await area.run(app, args)
    return code


async def _stdio(args: argparse.Namespace) -> int:
    from frontdesk.mcp.server import build_server

    app = await Frontdesk.open(_url(args))
    try:
        practice = await app.practices.get(args.practice)
        server = build_server(app, default_principal=Principal(practice.id, f"stdio:{practice.slug}"))
        await server.run_stdio_async()
    finally:
        await app.close()
    return 0


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    url = _url(args)
    os.environ["FRONTDESK_DATABASE_URL"] = url  # workers and the app factory read it

    async def prepare() -> None:
        app = await Frontdesk.open(url)
        try:
            if args.demo:
                await demo.seed(app.db, app.clock)
                key = await app.practices.create_key(demo.SLUG, "serve --demo")
                _announce(args.host, args.port, key.secret)
        finally:
            await app.close()

    try:
        asyncio.run(prepare())
    except FrontdeskError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from exc
    uvicorn.run(
        "frontdesk.http.factory:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_level="warning",
        access_log=False,
    )


def _announce(host: str, port: int, secret: str) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/mcp"
    config = {
        "mcpServers": {
            "frontdesk": {"type": "http", "url": url, "headers": {"Authorization": f"Bearer {secret}"}}
        }
    }
    print(f"Frontdesk is serving the demo practice at {url}", flush=True)
    print(f"API key (shown once): {secret}", flush=True)
    print("MCP client configuration:", flush=True)
    print(json.dumps(config, indent=2), flush=True)
