"""Helpers for the setup tests: the real MCP client in memory, as any principal, on any surface."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal

Open = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def open_as(app: Frontdesk) -> Open:
    """`open_as(principal, surface)`: the real client, in process, on that surface as that caller."""

    @asynccontextmanager
    async def opened(p: Principal, surface: str = "frontdesk") -> AsyncIterator[Client]:
        async with Client(build_server(app, surface=surface, default_principal=p)) as client:
            yield client

    return opened


@pytest.fixture
async def empty(app: Frontdesk) -> Principal:
    """The owner of a brand-new practice: nothing set up (as `frontdesk practices create` leaves it)."""
    slug = "e" + uuid.uuid4().hex[:12]
    practice = await app.practices.create(slug, "Clínica Nueva", "America/Santiago")
    return Principal(practice.id, "user:owner", access.ROLE_SCOPES[access.Role.OWNER])


def desk(p: Principal) -> Principal:
    return Principal(p.practice_id, "user:desk", access.ROLE_SCOPES[access.Role.FRONT_DESK])


async def call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """A tool call that must succeed; its structured content."""
    r = await client.call_tool(tool, args)
    assert not r.is_error, (tool, r.content[0].text if r.content else r)
    assert r.structured_content is not None
    return r.structured_content


async def refused(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """A tool call that must fail; its error object (Frontdesk's shape)."""
    r = await client.call_tool(tool, args)
    assert r.is_error, (tool, r.structured_content)
    assert r.structured_content is not None
    err: dict[str, Any] = r.structured_content.get("error", r.structured_content)
    return err
