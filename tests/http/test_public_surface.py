"""The public booking surface over real HTTP with no token: /mcp/public answers with its own tools
(a booking requested and confirmed), while /mcp and every staff surface still refuse a caller
without a token, and no staff tool is reachable through /mcp/public."""

from __future__ import annotations

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import SURFACES
from tests.factories import Scenario
from tests.http import flow
from tests.http.conftest import Live


async def test_public_answers_without_a_token_and_nothing_else_does(
    live: Live, fd: Frontdesk, scenario: Scenario
) -> None:
    async with httpx2.AsyncClient(timeout=30) as hc:
        async with Client(streamable_http_client(live.base + "/mcp/public", http_client=hc)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert "public_booking_create" in tools and len(tools) == 9
            assert not tools & {"booking_list", "find_patients", "client_list", "agendas_list"}
            listed = await client.call_tool("public_service_list", {"orgSlug": scenario.slug})
            assert not listed.is_error and listed.structured_content is not None
            assert listed.structured_content["count"] >= 1
            staff = await client.call_tool("booking_list", {})
            assert staff.is_error  # not a tool of this surface
        # The audit trail records the anonymous caller by IP in the practice.
        trail = await fd.audit.entries(scenario.principal, limit=50)
        assert any(e.actor == "public:127.0.0.1" and e.outcome == "accepted" for e in trail)
    async with flow.browser() as hc:
        for surface in SURFACES.values():
            status = (await flow.mcp_status(hc, live, None, url=live.base + surface.path)).status_code
            assert status == (200 if surface.anonymous else 401), surface.name
