from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.factories import Scenario

Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture(params=["auto", "legacy"])
def connect(request: pytest.FixtureRequest, app: Frontdesk, scenario: Scenario) -> Connect:
    """Opens the real mcp client, in-process, as the scenario practice's staff, on a surface
    (`connect()` is Frontdesk's own, `connect("odonto")` a seed's). A factory rather than a yielded
    client: the client's task group must be entered and left in the test's own task."""
    servers = {}

    def open_on(surface: str = "frontdesk") -> AbstractAsyncContextManager[Client]:
        if surface not in servers:
            servers[surface] = build_server(app, surface=surface, default_principal=scenario.principal)
        return Client(servers[surface], mode=request.param)

    return open_on
