"""Helpers for the public booking tests: the staff-side agenda set up through /mcp/coordinalo, the
public surface through the real MCP client (in memory), the public flow's arguments."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.bookings.conftest import audit_actions, call, configure
from tests.factories import Scenario
from tests.mcp.conftest import Connect

__all__ = ["TODAY_10", "TODAY_11", "audit_actions", "booking_args", "call", "configure"]

# The clock: Monday 2 March 2026, 08:00 in New York; Garcia works at Main Street 09-17 (lunch 12-13).
TODAY_10 = "2026-03-02T10:00"
TODAY_11 = "2026-03-02T11:00"


@pytest.fixture
def connect(app: Frontdesk, scenario: Scenario) -> Connect:
    servers: dict[str, Any] = {}

    def open_on(surface: str = "public") -> Any:
        if surface not in servers:
            servers[surface] = build_server(app, surface=surface, default_principal=scenario.principal)
        return Client(servers[surface])

    return open_on


def booking_args(sc: Scenario, **kw: Any) -> dict[str, Any]:
    return {
        "orgSlug": sc.slug,
        "serviceId": sc.cleaning,
        "scheduledAt": TODAY_10,
        "requester": {"fullName": "Lucía Rojas", "email": "lucia@example.org", "phone": "+1 212 555 0100"},
        "submission": {"channel": "web", "agentAssisted": True},
        "authorization": {"humanIntentConfirmed": True},
        **kw,
    }


async def agenda(connect: Connect, sc: Scenario, **kw: Any) -> dict[str, Any]:
    """A default agenda at Main Street's Garcia (her services linked), via the staff tools."""
    args = {"slug": "main", "title": "Main Street", "providerId": sc.garcia, **kw}
    async with connect("coordinalo") as staff:
        return await call(staff, "agendas_create", args)
