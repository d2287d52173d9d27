"""The whole OAuth 2.1 flow as an MCP client runs it, with the `mcp` SDK's own client-side OAuth:
discovery from the 401, dynamic registration, authorize with PKCE, sign-in and consent, token exchange,
then tools/list and tools/call over Streamable HTTP. Also the client-credentials grant."""

from __future__ import annotations

import json

import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

from frontdesk.composition import Frontdesk
from frontdesk.domain.access import ROLE_SCOPES, Role
from tests.factories import Scenario
from tests.http import flow
from tests.http.conftest import PASSWORD, Live


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class Person:
    """Plays the user's browser: opens the authorize URL, signs in, approves; hands the code back."""

    def __init__(self, live: Live, who: flow.SignIn) -> None:
        self.live = live
        self.who = who
        self.result: AuthorizationCodeResult | None = None
        self.consent_page = ""

    async def redirect(self, url: str) -> None:
        async with flow.browser() as hc:
            page = await flow.open_signin(hc, url)
            consent = await flow.submit_signin(hc, self.live, page, self.who)
            assert consent.status_code == 200, consent.text
            self.consent_page = consent.text
            answer = await flow.decide(hc, self.live, consent, "approve")
        self.result = AuthorizationCodeResult(
            code=answer["code"], state=answer["state"], iss=answer.get("iss")
        )

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None
        return self.result


async def test_mcp_client_runs_the_whole_flow_and_calls_tools(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    await fd.staff.create(scenario.slug, "frank@example.com", "Frank Desk", "front_desk", PASSWORD)
    person = Person(live, flow.SignIn(scenario.slug, "frank@example.com"))
    storage = MemoryStorage()
    auth = OAuthClientProvider(
        live.mcp_url,
        OAuthClientMetadata(
            client_name="Claude (test)",
            redirect_uris=[flow.CALLBACK],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage,
        redirect_handler=person.redirect,
        callback_handler=person.callback,
    )
    async with httpx2.AsyncClient(auth=auth, timeout=30) as hc:
        async with Client(streamable_http_client(live.mcp_url, http_client=hc)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            books = await client.call_tool("list_datebooks", {})

    # The consent page named the client, the practice and what the role allows, nothing more.
    assert "Claude (test)" in person.consent_page and "Test Practice" in person.consent_page
    assert "appointments:write" in person.consent_page and "billing:read" not in person.consent_page
    # The token carries the requested scopes (all of them) cut down to the front-desk role.
    assert storage.tokens is not None and storage.tokens.refresh_token
    assert set((storage.tokens.scope or "").split()) == ROLE_SCOPES[Role.FRONT_DESK]
    assert "create_appointment" in tools and "list_audit_events" not in tools
    assert not books.is_error
    names = {b["name"] for b in books.structured_content["datebooks"]}
    assert names == {"Main Street", "Lisboa"}
    # The calls were made by the person, through the client, and audited as such.
    trail = await fd.audit.export(scenario.practice_id)
    assert any(e["action"] == "oauth.token" and str(e["actor"]).startswith("user:") for e in trail)
    text = json.dumps(trail)
    assert "fd_at_" not in text and "fd_rt_" not in text and "fd_ac_" not in text and PASSWORD not in text


async def test_client_credentials_with_the_sdk_client(fd: Frontdesk, scenario: Scenario, live: Live) -> None:
    key = await fd.practices.create_key(scenario.slug, "reception script")
    auth = ClientCredentialsOAuthProvider(
        live.mcp_url, MemoryStorage(), key.info.prefix, key.secret, issuer=live.base
    )
    async with httpx2.AsyncClient(auth=auth, timeout=30) as hc:
        async with Client(streamable_http_client(live.mcp_url, http_client=hc)) as client:
            books = await client.call_tool("list_datebooks", {})
    assert not books.is_error
    assert {b["name"] for b in books.structured_content["datebooks"]} == {"Main Street", "Lisboa"}


async def test_client_credentials_basic_form_and_wrong_secret(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    key = await fd.practices.create_key(scenario.slug, "nightly export")
    async with flow.browser() as hc:
        basic = await hc.post(
            f"{live.base}/token",
            data={"grant_type": "client_credentials", "scope": "appointments:read"},
            auth=(key.info.prefix, key.secret),
        )
        assert basic.status_code == 200, basic.text
        body = basic.json()
        assert body["token_type"] == "Bearer" and body["scope"] == "appointments:read"
        assert "refresh_token" not in body and body["expires_in"] > 0
        assert basic.headers["cache-control"] == "no-store"
        assert (await flow.mcp_status(hc, live, body["access_token"])).status_code == 200

        form = {"grant_type": "client_credentials", "client_id": key.info.prefix, "client_secret": key.secret}
        posted = await hc.post(f"{live.base}/token", data=form)
        assert posted.status_code == 200 and set(posted.json()["scope"].split()) >= {"appointments:write"}

        wrong = await hc.post(f"{live.base}/token", data=form | {"client_secret": key.secret[:-2] + "xx"})
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        other_id = await hc.post(f"{live.base}/token", data=form | {"client_id": "fd_sk_0_abcd"})
        assert other_id.status_code == 401 and other_id.json()["error"] == "invalid_client"
        bad_basic = await hc.post(
            f"{live.base}/token", data={"grant_type": "client_credentials"}, auth=(key.info.prefix, "nope")
        )
        assert bad_basic.status_code == 401 and bad_basic.headers["www-authenticate"].startswith("Basic")


async def test_key_rotation_revokes_the_old_key_and_its_tokens_at_once(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    key = await fd.practices.create_key(scenario.slug, "front desk laptop")
    form = {"grant_type": "client_credentials", "client_id": key.info.prefix, "client_secret": key.secret}
    async with flow.browser() as hc:
        token = (await hc.post(f"{live.base}/token", data=form)).json()["access_token"]
        assert (await flow.mcp_status(hc, live, token)).status_code == 200

        new = await fd.practices.rotate_key(scenario.slug, key.info.id)

        assert (await flow.mcp_status(hc, live, token)).status_code == 401
        again = await hc.post(f"{live.base}/token", data=form)
        assert again.status_code == 401
        fresh = {
            "grant_type": "client_credentials",
            "client_id": new.info.prefix,
            "client_secret": new.secret,
        }
        renewed = await hc.post(f"{live.base}/token", data=fresh)
        assert renewed.status_code == 200
        assert (await flow.mcp_status(hc, live, renewed.json()["access_token"])).status_code == 200
    keys = {k.id: k for k in await fd.practices.list_keys(scenario.slug)}
    assert keys[key.info.id].revoked_at is not None and keys[new.info.id].name == "front desk laptop"


async def test_refresh_rotates_and_the_revocation_endpoint_ends_the_family(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    await fd.staff.create(scenario.slug, "rita@example.com", "Rita Reader", "read_only", PASSWORD)
    async with flow.browser() as hc:
        client = await flow.register(hc, live)
        first = await flow.tokens(live, client["client_id"], flow.SignIn(scenario.slug, "rita@example.com"))
        assert set(first["scope"].split()) == ROLE_SCOPES[Role.READ_ONLY]
        rotated = await flow.refresh(hc, live, client["client_id"], first["refresh_token"])
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        assert (await flow.mcp_status(hc, live, second["access_token"])).status_code == 200

        revoked = await hc.post(
            f"{live.base}/revoke", data={"token": second["refresh_token"], "client_id": client["client_id"]}
        )
        assert revoked.status_code == 200
        assert (await flow.mcp_status(hc, live, second["access_token"])).status_code == 401
        assert (await flow.mcp_status(hc, live, first["access_token"])).status_code == 401
        refused = await flow.refresh(hc, live, client["client_id"], second["refresh_token"])
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


async def test_a_confidential_connector_with_extra_scopes(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    """Connectors register with scopes such as `openid` and authenticate with a secret (Basic here):
    unknown scopes are ignored, the known ones are cut to the role, the secret is checked by hash."""
    await fd.staff.create(scenario.slug, "bill@example.com", "Bill Ling", "billing", PASSWORD)
    async with flow.browser() as hc:
        reg = await hc.post(
            f"{live.base}/register",
            json={
                "client_name": "ChatGPT (test)",
                "redirect_uris": [flow.CALLBACK],
                "token_endpoint_auth_method": "client_secret_basic",
                "scope": "openid offline_access",
            },
        )
        assert reg.status_code == 201, reg.text
        client = reg.json()
        code, verifier = await flow.get_code(
            live, client["client_id"], flow.SignIn(scenario.slug, "bill@example.com"),
            scope="openid billing:* appointments:write",
        )  # fmt: skip
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow.CALLBACK,
            "client_id": client["client_id"],
            "code_verifier": verifier,
        }
        unauthenticated = await hc.post(f"{live.base}/token", data=form)
        assert unauthenticated.status_code == 401 and unauthenticated.json()["error"] == "invalid_client"
        wrong = await hc.post(f"{live.base}/token", data=form, auth=(client["client_id"], "not-the-secret"))
        assert wrong.status_code == 401
        ok = await hc.post(
            f"{live.base}/token", data=form, auth=(client["client_id"], client["client_secret"])
        )
        assert ok.status_code == 200, ok.text
    # billing:* within the billing role; appointments:write is not the billing role's, so it is dropped.
    assert set(ok.json()["scope"].split()) == {"billing:read", "billing:write"}
