"""HTTP fixtures: the real Starlette app served by uvicorn on a loopback port, inside the test's event
loop, over a real SQLite file or PostgreSQL database, with a clock the test can move.

The clock starts at the real time (the SDK compares code expiry with the wall clock too) and only ever
moves forward, so lifetimes are tested by advancing it, never by sleeping."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.settings import HttpSettings
from frontdesk.services.oauth import OAuthSettings
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    app: Frontdesk
    settings: HttpSettings
    clock: Clock

    @property
    def base(self) -> str:
        return self.settings.public_url

    @property
    def mcp_url(self) -> str:
        return self.settings.resource_url


Serve = Callable[..., AbstractAsyncContextManager[Live]]


@pytest.fixture
def real_clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def fd(db_url: str, real_clock: Clock) -> AsyncIterator[Frontdesk]:
    app = Frontdesk(
        Database(db_url, pool_size=10), clock=real_clock, settings=Settings(), oauth_settings=OAuthSettings()
    )
    yield app
    await app.close()


@pytest.fixture
async def scenario(fd: Frontdesk) -> Scenario:
    return await build_scenario(fd)


@asynccontextmanager
async def serving(app: Frontdesk, clock: Clock, **overrides: Any) -> AsyncIterator[Live]:
    """One uvicorn server for `create_app(app, HttpSettings(...))`, stopped on exit."""
    for _attempt in range(3):
        port = free_port()
        settings = replace(HttpSettings(public_url=f"http://127.0.0.1:{port}"), **overrides)
        config = uvicorn.Config(
            create_app(app, settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():  # uvicorn offers a flag, not an event
            await asyncio.wait({task}, timeout=0.02)
        if task.done():  # the port was taken in between: try another
            continue
        try:
            yield Live(app, settings, clock)
        finally:
            server.should_exit = True
            await task
        return
    raise AssertionError("uvicorn never bound a port")


@pytest.fixture
def serve(fd: Frontdesk, real_clock: Clock) -> Serve:
    """`async with serve(**HttpSettings overrides) as live:` a server for this test's database."""

    def factory(**overrides: Any) -> AbstractAsyncContextManager[Live]:
        return serving(fd, real_clock, **overrides)

    return factory


@pytest.fixture
async def live(serve: Serve) -> AsyncIterator[Live]:
    async with serve() as server:
        yield server


def redis_url(db: int) -> str:
    return os.environ.get("FRONTDESK_TEST_REDIS", "redis://127.0.0.1:6379") + f"/{db}"
