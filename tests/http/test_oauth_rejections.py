"""Each way the authorization server and /mcp must say no: audience, expiry, replays, PKCE downgrades,
redirect variants, a disabled registration endpoint, static keys, disabled users, TOTP."""

from __future__ import annotations

import pyotp
import pytest

from frontdesk.composition import Frontdesk
from tests.factories import Scenario
from tests.http import flow
from tests.http.conftest import PASSWORD, Live, Serve

pytestmark = pytest.mark.usefixtures("staff")


@pytest.fixture
async def staff(fd: Frontdesk, scenario: Scenario) -> None:
    await fd.staff.create(scenario.slug, "frank@example.com", "Frank Desk", "front_desk", PASSWORD)


def frank(scenario: Scenario) -> flow.SignIn:
    return flow.SignIn(scenario.slug, "frank@example.com")


# --- metadata and the 401 challenge ----------------------------------------------------------------------


async def test_metadata_and_the_401_challenge(live: Live) -> None:
    async with flow.browser() as hc:
        inserted = await hc.get(f"{live.base}/.well-known/oauth-protected-resource/mcp")
        root = await hc.get(f"{live.base}/.well-known/oauth-protected-resource")
        server = await hc.get(f"{live.base}/.well-known/oauth-authorization-server")
        challenge = await flow.mcp_status(hc, live, None)
        bad = await flow.mcp_status(hc, live, "fd_at_1_" + "x" * 43)
    for prm in (inserted, root):
        assert prm.status_code == 200
        assert prm.json()["resource"] == live.mcp_url
        assert prm.json()["authorization_servers"] == [live.base]
    meta = server.json()
    assert meta["issuer"] == live.base
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(meta["grant_types_supported"])
    assert meta["registration_endpoint"] == f"{live.base}/register"
    assert meta["revocation_endpoint"] == f"{live.base}/revoke"
    assert challenge.status_code == 401
    header = challenge.headers["www-authenticate"]
    assert header.startswith("Bearer ")
    assert f'resource_metadata="{live.base}/.well-known/oauth-protected-resource/mcp"' in header
    assert 'scope="' in header and "appointments:read" in header
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]


# --- audience, expiry, lifetimes ----------------------------------------------------------------------


async def test_a_token_for_another_resource_is_refused(
    fd: Frontdesk, scenario: Scenario, live: Live, serve: Serve
) -> None:
    client = await flow.new_client(live)
    token = (await flow.tokens(live, client["client_id"], frank(scenario)))["access_token"]
    async with serve() as other, flow.browser() as hc:  # same database, another public URL (resource)
        assert (await flow.mcp_status(hc, live, token)).status_code == 200
        refused = await flow.mcp_status(hc, other, token)
        assert refused.status_code == 401
        # Nor will this server mint a token for another resource (RFC 8707 invalid_target).
        _, challenge = flow.pkce()
        at_authorize = await hc.get(
            flow.authorize_url(live, client["client_id"], challenge, resource="https://elsewhere.example/mcp")
        )
        assert at_authorize.status_code == 302
        assert flow.query(at_authorize.headers["location"])["error"] == "invalid_target"
        code, verifier = await flow.get_code(live, client["client_id"], frank(scenario))
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow.CALLBACK,
            "client_id": client["client_id"],
            "code_verifier": verifier,
            "resource": other.mcp_url,
        }
        at_token = await hc.post(f"{live.base}/token", data=form)
        assert at_token.status_code == 400 and at_token.json()["error"] == "invalid_target"


async def test_expired_access_token_code_and_refresh_lifetime(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    async with flow.browser() as hc:
        client = await flow.register(hc, live)
        got = await flow.tokens(live, client["client_id"], frank(scenario))
        assert got["expires_in"] == fd.oauth.settings.access_seconds
        assert (await flow.mcp_status(hc, live, got["access_token"])).status_code == 200
        live.clock.advance(seconds=fd.oauth.settings.access_seconds + 1)
        assert (await flow.mcp_status(hc, live, got["access_token"])).status_code == 401

        code, verifier = await flow.get_code(live, client["client_id"], frank(scenario))
        live.clock.advance(seconds=fd.oauth.settings.code_seconds + 1)
        late = await flow.exchange(hc, live, client["client_id"], code, verifier)
        assert late.status_code == 400 and late.json()["error"] == "invalid_grant"

        # Refresh tokens rotate, but never past the grant's absolute lifetime.
        fresh = await flow.tokens(live, client["client_id"], frank(scenario))
        live.clock.advance(seconds=fd.oauth.settings.refresh_seconds - 60)
        rotated = await flow.refresh(hc, live, client["client_id"], fresh["refresh_token"])
        assert rotated.status_code == 200
        assert rotated.json()["expires_in"] <= 60
        live.clock.advance(seconds=61)
        over = await flow.refresh(hc, live, client["client_id"], rotated.json()["refresh_token"])
        assert over.status_code == 400 and over.json()["error"] == "invalid_grant"


# --- replays -------------------------------------------------------------------------------------


async def test_a_reused_code_is_refused_and_revokes_what_it_issued(scenario: Scenario, live: Live) -> None:
    async with flow.browser() as hc:
        client = await flow.register(hc, live)
        code, verifier = await flow.get_code(live, client["client_id"], frank(scenario))
        first = await flow.exchange(hc, live, client["client_id"], code, verifier)
        assert first.status_code == 200
        issued = first.json()
        assert (await flow.mcp_status(hc, live, issued["access_token"])).status_code == 200

        again = await flow.exchange(hc, live, client["client_id"], code, verifier)
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
        assert (await flow.mcp_status(hc, live, issued["access_token"])).status_code == 401
        refreshed = await flow.refresh(hc, live, client["client_id"], issued["refresh_token"])
        assert refreshed.status_code == 400


async def test_a_replayed_refresh_token_revokes_the_whole_family(scenario: Scenario, live: Live) -> None:
    async with flow.browser() as hc:
        client = await flow.register(hc, live)
        first = await flow.tokens(live, client["client_id"], frank(scenario))
        second = (await flow.refresh(hc, live, client["client_id"], first["refresh_token"])).json()
        third = (await flow.refresh(hc, live, client["client_id"], second["refresh_token"])).json()
        assert (await flow.mcp_status(hc, live, third["access_token"])).status_code == 200

        replay = await flow.refresh(hc, live, client["client_id"], first["refresh_token"])
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
        for access in (first, second, third):
            assert (await flow.mcp_status(hc, live, access["access_token"])).status_code == 401
        latest = await flow.refresh(hc, live, client["client_id"], third["refresh_token"])
        assert latest.status_code == 400


# --- PKCE ------------------------------------------------------------------------------------------


async def test_pkce_downgrades_are_refused(scenario: Scenario, live: Live) -> None:
    async with flow.browser() as hc:
        client = await flow.register(hc, live)
        verifier, _challenge = flow.pkce()
        plain = await hc.get(
            flow.authorize_url(live, client["client_id"], verifier, code_challenge_method="plain")
        )
        assert (
            plain.status_code == 302 and flow.query(plain.headers["location"])["error"] == "invalid_request"
        )
        missing = await hc.get(flow.authorize_url(live, client["client_id"], None))
        assert (
            missing.status_code == 302
            and flow.query(missing.headers["location"])["error"] == "invalid_request"
        )
        # The sign-in page refuses a hand-made request without a challenge as well.
        direct = await hc.get(f"{live.base}/oauth/signin", params={"client_id": client["client_id"]})
        assert direct.status_code == 400

        code, verifier = await flow.get_code(live, client["client_id"], frank(scenario))
        no_verifier = await flow.exchange(hc, live, client["client_id"], code, None)
        assert no_verifier.status_code == 400 and no_verifier.json()["error"] == "invalid_request"
        wrong = await flow.exchange(hc, live, client["client_id"], code, flow.pkce()[0])
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        assert (await flow.exchange(hc, live, client["client_id"], code, verifier)).status_code == 200


# --- redirect URIs -----------------------------------------------------------------------------------


async def test_redirect_uris_match_exactly_except_the_loopback_port(live: Live) -> None:
    async with flow.browser() as hc:
        registered = "https://app.example/oauth/callback"
        web = await flow.register(hc, live, [registered, "http://127.0.0.1:5555/cb"])
        _, challenge = flow.pkce()
        for variant in (
            "https://app.example/oauth/other",  # different path
            "https://evil.example/oauth/callback",  # different host
            "https://app.example/oauth/callback?next=/x",  # extra query
            "http://127.0.0.1:5555/elsewhere",  # loopback, different path
            "http://localhost:5555/cb",  # loopback, different host name
        ):
            r = await hc.get(flow.authorize_url(live, web["client_id"], challenge, redirect_uri=variant))
            assert r.status_code == 400, variant  # shown to the user, never redirected to
            assert r.json()["error"] == "invalid_request"
        for accepted in (registered, "http://127.0.0.1:5555/cb", "http://127.0.0.1:61234/cb"):
            r = await hc.get(flow.authorize_url(live, web["client_id"], challenge, redirect_uri=accepted))
            assert r.status_code == 302 and "/oauth/signin?" in r.headers["location"], accepted
        refused = await hc.post(
            f"{live.base}/register", json={"redirect_uris": ["http://app.example/cb"], "client_name": "x"}
        )
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_redirect_uri"


# --- settings ----------------------------------------------------------------------------------------


async def test_dynamic_registration_can_be_turned_off(serve: Serve) -> None:
    async with serve(dynamic_registration=False) as live, flow.browser() as hc:
        meta = (await hc.get(f"{live.base}/.well-known/oauth-authorization-server")).json()
        assert "registration_endpoint" not in meta
        r = await hc.post(f"{live.base}/register", json={"redirect_uris": [flow.CALLBACK]})
        assert r.status_code == 403 and r.json()["error"] == "access_denied"


async def test_static_keys_only_with_the_development_setting(
    fd: Frontdesk, scenario: Scenario, live: Live, serve: Serve
) -> None:
    key = await fd.practices.create_key(scenario.slug, "dev")
    async with flow.browser() as hc:
        assert (await flow.mcp_status(hc, live, key.secret)).status_code == 401
        async with serve(allow_static_keys=True) as dev:
            assert (await flow.mcp_status(hc, dev, key.secret)).status_code == 200


# --- sign-in ------------------------------------------------------------------------------------------


async def test_a_disabled_user_cannot_sign_in_and_loses_its_tokens(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    async with flow.browser() as hc:
        client = await flow.register(hc, live)
        before = await flow.tokens(live, client["client_id"], frank(scenario))
        await fd.staff.disable(scenario.slug, "frank@example.com")
        assert (await flow.mcp_status(hc, live, before["access_token"])).status_code == 401
        assert (await flow.refresh(hc, live, client["client_id"], before["refresh_token"])).status_code == 400
    _, challenge = flow.pkce()
    async with flow.browser() as browser:
        page = await flow.open_signin(browser, flow.authorize_url(live, client["client_id"], challenge))
        refused = await flow.submit_signin(browser, live, page, frank(scenario))
        assert refused.status_code == 401
        assert "the practice, email or password is not right" in refused.text
        assert 'name="consent"' not in refused.text
        wrong = await flow.submit_signin(
            browser, live, refused, flow.SignIn(scenario.slug, "nobody@example.com")
        )
        assert wrong.status_code == 401 and "not right" in wrong.text


async def test_totp_is_required_when_enrolled(fd: Frontdesk, scenario: Scenario, live: Live) -> None:
    new = await fd.staff.create(scenario.slug, "olga@example.com", "Olga Owner", "owner", PASSWORD, totp=True)
    assert new.totp_uri is not None
    totp = pyotp.parse_uri(new.totp_uri)
    client = await flow.new_client(live)
    _, challenge = flow.pkce()
    who = flow.SignIn(scenario.slug, "olga@example.com")
    async with flow.browser() as hc:
        page = await flow.open_signin(hc, flow.authorize_url(live, client["client_id"], challenge))
        without = await flow.submit_signin(hc, live, page, who)
        assert without.status_code == 401 and "6-digit code" in without.text
        wrong_code = "000000" if totp.at(live.clock()) != "000000" else "111111"
        wrong = await flow.submit_signin(
            hc, live, without, flow.SignIn(who.practice, who.email, totp=wrong_code)
        )
        assert wrong.status_code == 401
        code = totp.at(live.clock())
        right = await flow.submit_signin(hc, live, wrong, flow.SignIn(who.practice, who.email, totp=code))
        assert right.status_code == 200 and 'name="consent"' in right.text
    async with flow.browser() as other:  # the same code cannot be used twice, even in another browser
        page = await flow.open_signin(other, flow.authorize_url(live, client["client_id"], challenge))
        replay = await flow.submit_signin(other, live, page, flow.SignIn(who.practice, who.email, totp=code))
        assert replay.status_code == 401 and "already used" in replay.text


async def test_deny_sends_access_denied_back_and_a_consent_is_answered_once(
    scenario: Scenario, live: Live
) -> None:
    client = await flow.new_client(live)
    _, challenge = flow.pkce()
    async with flow.browser() as hc:
        page = await flow.open_signin(hc, flow.authorize_url(live, client["client_id"], challenge))
        consent = await flow.submit_signin(hc, live, page, frank(scenario))
        denied = await flow.decide(hc, live, consent, "deny")
        assert denied == {
            "error": "access_denied",
            "error_description": "the user denied access",
            "state": "state-1",
            "iss": live.base,
        }
        form = flow.hidden_fields(consent.text) | {"decision": "approve"}
        again = await hc.post(f"{live.base}/oauth/consent", data=form)
        assert again.status_code == 400  # the same consent cannot be approved after a denial


async def test_forms_without_the_csrf_cookie_are_refused(scenario: Scenario, live: Live) -> None:
    client = await flow.new_client(live)
    _, challenge = flow.pkce()
    async with flow.browser() as hc:
        page = await flow.open_signin(hc, flow.authorize_url(live, client["client_id"], challenge))
    async with flow.browser() as stranger:  # another browser: no cookie
        r = await flow.submit_signin(stranger, live, page, frank(scenario))
        assert r.status_code == 400 and 'name="consent"' not in r.text
