from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.factories import Scenario

Connect = Callable[[], AbstractAsyncContextManager[Client]]


@pytest.fixture(params=["auto", "legacy"])
def connect(request: pytest.FixtureRequest, app: Frontdesk, scenario: Scenario) -> Connect:
    """Opens the real mcp client, in-process, as the scenario practice's staff. (A factory rather than
    a yielded client: the client's task group must be entered and left in the test's own task.)"""
    server = build_server(app, default_principal=scenario.principal)
    return lambda: Client(server, mode=request.param)
