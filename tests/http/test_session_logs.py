"""MCP logging over real Streamable HTTP: the level is per session, and a session receives the lines of
its own requests only, on the request's stream."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import LoggingMessageNotificationParams

from frontdesk.composition import Frontdesk
from tests.factories import Scenario
from tests.http.conftest import Live, Serve

pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")


@asynccontextmanager
async def session(live: Live, key: str, seen: list[str]) -> AsyncIterator[Client]:
    async def collect(params: LoggingMessageNotificationParams) -> None:
        seen.append(str(params.data))

    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as hc:
        transport = streamable_http_client(live.mcp_url, http_client=hc)
        async with Client(transport, mode="legacy", logging_callback=collect) as client:
            yield client


async def test_each_session_gets_its_own_lines_at_its_own_level(
    serve: Serve, fd: Frontdesk, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="frontdesk")
    key = (await fd.practices.create_key(scenario.slug, "logs")).secret
    a_seen: list[str] = []
    b_seen: list[str] = []
    async with serve(allow_static_keys=True) as live:
        async with session(live, key, a_seen) as a, session(live, key, b_seen) as b:
            await a.set_logging_level("debug")
            a_seen.clear()

            async def a_calls() -> None:
                for _ in range(5):
                    await a.call_tool("list_datebooks", {})

            async def b_calls() -> None:
                for _ in range(5):
                    await b.list_prompts()
                    await b.call_tool("list_doctors", {})

            await asyncio.gather(a_calls(), b_calls())
    assert b_seen == []  # B never asked
    # A's own five calls (each logged by the forwarder and by the telemetry middleware), and the
    # tools/list its client sends to check results; nothing of B's (list_doctors, prompts).
    mine = [t for t in a_seen if t.startswith("tools/call list_datebooks answered in ")]
    assert len(mine) == 5, a_seen
    traced = [t for t in a_seen if t.startswith("tool call list_datebooks: ok in ")]
    assert len(traced) == 5, a_seen
    assert all(t in mine or t in traced or t.startswith("tools/list answered in ") for t in a_seen), a_seen
