"""The public booking's limits (policies.publicRequestsPerMinuteIp / ...Practice) counted in Redis
when FRONTDESK_REDIS_URL is set: two Frontdesk instances, each with its own ASGI app, over one
database (two processes' worth: each its own engine and limiter) count one patient's and one
practice's requests together, the page's and /mcp/public's alike; in memory each counts alone. Each
run keys its counters under a prefix of its own (FRONTDESK_RATE_KEY_PREFIX), removed afterwards."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx2
import pytest
import redis.asyncio as redis
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.settings import HttpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.http.booking import BASE
from tests.http.conftest import redis_url
from tests.http.test_forwarded_client import uvicorn_app

REDIS = redis_url(7)


@pytest.fixture
async def prefix(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    client = redis.from_url(REDIS)
    try:
        await asyncio.wait_for(client.ping(), 3)
    except Exception:
        await client.aclose()
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI must run the shared limit test")
        pytest.skip("Redis is not reachable (set CI=true to make this an error)")
    name = f"fdtest-{uuid.uuid4().hex}"
    monkeypatch.setenv("FRONTDESK_REDIS_URL", REDIS)
    monkeypatch.setenv("FRONTDESK_RATE_KEY_PREFIX", name)
    try:
        yield name
    finally:
        keys = [k async for k in client.scan_iter(match=f"{name}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@asynccontextmanager
async def instances(db_url: str, clock: Clock, n: int = 2) -> AsyncIterator[list[Frontdesk]]:
    """`n` Frontdesk instances over one database, each built now (reading the environment now)."""
    async with AsyncExitStack() as stack:
        out = []
        for _ in range(n):
            fd = Frontdesk(Database(db_url, pool_size=5), clock=clock, settings=Settings())
            stack.push_async_callback(fd.close)
            out.append(fd)
        yield out


async def _get(app: Frontdesk, path: str, ip: str) -> int:
    transport = httpx2.ASGITransport(app=create_app(app, HttpSettings()), client=(ip, 5000))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as web:
        return (await web.get(path)).status_code


async def _limits(app: Frontdesk, sc: Scenario, per_ip: int, per_practice: int) -> None:
    await app.practice_settings.update(
        sc.principal,
        {
            "policies.publicRequestsPerMinuteIp": per_ip,
            "policies.publicRequestsPerMinutePractice": per_practice,
        },
    )


async def test_one_ips_requests_count_across_both_instances(prefix: str, db_url: str, clock: Clock) -> None:
    async with instances(db_url, clock) as (a, b):
        sc = await build_scenario(a)
        await _limits(a, sc, 4, 1000)
        path = f"/{sc.slug}/book"
        codes = [await _get(x, path, "198.51.100.7") for x in (a, b, a, b)]
        assert codes == [200, 200, 200, 200]
        assert await _get(a, path, "198.51.100.7") == 429  # the two instances counted together
        assert await _get(b, path, "198.51.100.7") == 429
        assert await _get(b, path, "198.51.100.8") == 200  # another patient has a count of their own
    async with redis.from_url(REDIS) as r:
        assert [k async for k in r.scan_iter(match=f"{prefix}-public*")]  # the counters are there


async def test_the_page_and_mcp_public_count_together_across_instances(
    prefix: str, db_url: str, clock: Clock
) -> None:
    """The page on one instance and /mcp/public (Streamable HTTP, real MCP client) on the other,
    both from 127.0.0.1: one patient's count."""
    async with instances(db_url, clock) as (a, b):
        sc = await build_scenario(a)
        await _limits(a, sc, 4, 1000)
        assert [await _get(a, f"/{sc.slug}/book", "127.0.0.1") for _ in range(2)] == [200, 200]
        async with uvicorn_app(b) as base, httpx2.AsyncClient(timeout=30) as hc:
            async with Client(streamable_http_client(base + "/mcp/public", http_client=hc)) as client:
                refused = [
                    (await client.call_tool("public_service_list", {"orgSlug": sc.slug})).is_error
                    for _ in range(3)
                ]
        assert refused == [False, False, True]
        assert await _get(a, f"/{sc.slug}/book", "127.0.0.1") == 429


async def test_one_practices_requests_count_across_both_instances(
    prefix: str, db_url: str, clock: Clock
) -> None:
    async with instances(db_url, clock) as (a, b):
        sc = await build_scenario(a)
        other = await build_scenario(a)
        await _limits(a, sc, 1000, 5)
        path = f"/{sc.slug}/book"
        codes = [await _get(x, path, f"198.51.100.{n}") for n, x in enumerate((a, b, a, b, a))]
        assert codes == [200] * 5
        assert await _get(b, path, "203.0.113.1") == 429  # a new patient, the practice's count is full
        assert await _get(a, path, "203.0.113.2") == 429
        assert await _get(b, f"/{other.slug}/book", "203.0.113.1") == 200  # another practice's own


async def test_in_memory_each_instance_counts_alone(
    db_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRONTDESK_REDIS_URL", raising=False)
    async with instances(db_url, clock) as (a, b):
        sc = await build_scenario(a)
        await _limits(a, sc, 2, 1000)
        path = f"/{sc.slug}/book"
        codes = [await _get(x, path, "198.51.100.7") for x in (a, b, a, b)]
        assert codes == [200, 200, 200, 200]
        assert await _get(a, path, "198.51.100.7") == 429
