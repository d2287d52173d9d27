"""Each surface is a protected resource of its own (RFC 9728 metadata at its path-inserted URL, RFC 8707
audience): a token is good at the surface it was issued for, and nowhere else."""

from __future__ import annotations

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import SURFACES
from tests.factories import Scenario
from tests.http import flow
from tests.http.conftest import PASSWORD, Live


@pytest.fixture
async def signed_up(fd: Frontdesk, scenario: Scenario) -> flow.SignIn:
    await fd.staff.create(scenario.slug, "frank@example.com", "Frank Desk", "front_desk", PASSWORD)
    return flow.SignIn(scenario.slug, "frank@example.com")


async def test_every_surface_has_its_metadata_and_challenge(live: Live) -> None:
    async with flow.browser() as hc:
        for surface in SURFACES.values():
            if surface.anonymous:  # the public booking surface: no token, so no resource metadata
                continue
            resource = live.base + surface.path
            prm = await hc.get(f"{live.base}/.well-known/oauth-protected-resource{surface.path}")
            assert prm.status_code == 200 and prm.json()["resource"] == resource, surface.name
            challenge = await flow.mcp_status(hc, live, None, url=resource)
            assert challenge.status_code == 401
            header = challenge.headers["www-authenticate"]
            assert (
                f'resource_metadata="{live.base}/.well-known/oauth-protected-resource{surface.path}"'
                in header
            )


async def test_a_token_is_good_at_its_own_surface_only(live: Live, signed_up: flow.SignIn) -> None:
    client = await flow.new_client(live)
    odonto = live.base + SURFACES["odonto"].path
    code, verifier = await flow.get_code(live, client["client_id"], signed_up, resource=odonto)
    async with flow.browser() as hc:
        issued = await flow.exchange(hc, live, client["client_id"], code, verifier, resource=odonto)
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        assert (await flow.mcp_status(hc, live, token, url=odonto)).status_code == 200
        assert (await flow.mcp_status(hc, live, token)).status_code == 401, "not for /mcp"
        main = (await flow.tokens(live, client["client_id"], signed_up))["access_token"]
        assert (await flow.mcp_status(hc, live, main)).status_code == 200
        assert (await flow.mcp_status(hc, live, main, url=odonto)).status_code == 401, "not for /mcp/odonto"
