"""What each CLI command does; all of it through the services. (`stdio` is in stdio.py.)"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys

from frontdesk.cli import workers
from frontdesk.cli.registry import area_for
from frontdesk.composition import Frontdesk, default_database_url
from frontdesk.domain.errors import Conflict, FrontdeskError
from frontdesk.mcp.server import SURFACES
from frontdesk.services import demo


def _url(args: argparse.Namespace) -> str:
    return args.database_url or default_database_url()


async def run(args: argparse.Namespace) -> int:
    try:
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
    if args.command == "worker":
        return await _workers(app, args)
    if args.command == "demo":
        practice, created = await app.seed_demo()
        state = "created" if created else "already present; nothing changed"
        print(f"demo practice {practice.slug!r} {state}")
        return 0
    area = area_for(args.command)
    assert area is not None, args.command
    code: int = await area.run(app, args)
    return code


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    url = _url(args)
    os.environ["FRONTDESK_DATABASE_URL"] = url  # workers and the app factory read it
    if not os.environ.get("FRONTDESK_PUBLIC_URL"):
        os.environ["FRONTDESK_PUBLIC_URL"] = _public_url(args.host, args.port)
    if args.demo:
        # Development conveniences, each unless set explicitly: the printed practice key works as a
        # bearer token over HTTP, and rate limits are generous enough for scripted trials and test suites.
        os.environ.setdefault("FRONTDESK_ALLOW_STATIC_KEYS", "1")
        os.environ.setdefault("FRONTDESK_RATE_LIMIT_PRACTICE", DEMO_RATE)
        os.environ.setdefault("FRONTDESK_RATE_LIMIT_IP", DEMO_RATE)

    async def prepare() -> None:
        app = await Frontdesk.open(url)
        try:
            if args.demo:
                await app.seed_demo()
                key = await app.practices.create_key(demo.SLUG, "serve --demo")
                password = await _demo_owner(app)
                _announce(os.environ["FRONTDESK_PUBLIC_URL"], key.secret, password)
        finally:
            await app.close()

    try:
        asyncio.run(prepare())
    except FrontdeskError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from exc
    if args.workers > 1:
        workers.run(args.host, args.port, args.workers)
        return
    uvicorn.run(
        "frontdesk.http.factory:create",
        factory=True,
        host=args.host,
        port=args.port,
        log_level="warning",
        log_config=None,  # uvicorn's loggers go through frontdesk.logs like the rest
        access_log=False,
        proxy_headers=False,  # the app reads them, from FRONTDESK_TRUSTED_PROXIES only (http/proxies.py)
    )


def _public_url(host: str, port: int) -> str:
    """The issuer and resource base when FRONTDESK_PUBLIC_URL is unset: loopback over plain HTTP.
    Anything reachable from elsewhere needs FRONTDESK_PUBLIC_URL=https://... (behind TLS)."""
    if host in ("127.0.0.1", "localhost", "::1"):
        shown = "[::1]" if host == "::1" else host
    else:
        shown = "127.0.0.1"
        print(
            f"note: FRONTDESK_PUBLIC_URL is not set; OAuth will name http://127.0.0.1:{port}. "
            "Set it to this server's https address to connect remote clients.",
            file=sys.stderr,
            flush=True,
        )
    return f"http://{shown}:{port}"


DEMO_OWNER = "owner@demo.example"
DEMO_RATE = "100000/minute"


async def _demo_owner(app: Frontdesk) -> str:
    """The demo practice's owner account, with a fresh password each start."""
    password = secrets.token_urlsafe(12)
    try:
        await app.staff.create(demo.SLUG, DEMO_OWNER, "Demo Owner", "owner", password)
    except Conflict:  # started before (or by another process just now)
        await app.staff.set_password(demo.SLUG, DEMO_OWNER, password)
    return password


def _announce(public_url: str, secret: str, password: str) -> None:
    url = f"{public_url}/mcp"
    config = {
        "mcpServers": {
            "frontdesk": {"type": "http", "url": url, "headers": {"Authorization": f"Bearer {secret}"}}
        }
    }
    print(f"Frontdesk is serving the demo practice at {url}", flush=True)
    seeds = ", ".join(f"{public_url}{s.path}" for s in SURFACES.values() if s.path != "/mcp")
    print(f"Seed surfaces (each seed's exact tools): {seeds}", flush=True)
    print(f"API key (shown once): {secret}", flush=True)
    print(
        "note: --demo is for development: it accepts this practice key as a bearer token over HTTP"
        " (FRONTDESK_ALLOW_STATIC_KEYS=1) and relaxes rate limits; real deployments use OAuth sign-in.",
        flush=True,
    )
    print(f"Sign-in page (OAuth clients): practice demo, email {DEMO_OWNER}, password {password}", flush=True)
    print("MCP client configuration:", flush=True)
    print(json.dumps(config, indent=2), flush=True)


async def _workers(app: Frontdesk, args: argparse.Namespace) -> int:
    """`frontdesk worker`: N workers sharing the queue; SIGTERM or SIGINT lets each finish its job."""
    import signal

    if args.once:
        done = await app.worker().drain()
        print(f"{done} jobs run")
        return 0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.gather(*(app.worker().run(stop) for _ in range(max(1, args.concurrency))))
    return 0
