"""Limits in front of every route: body size, Host and Origin, protocol version, rate limits (in memory
and shared through Redis), idle sessions; and no secret in the logs."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from tests.factories import Scenario, build_scenario
from tests.http import flow
from tests.http.conftest import PASSWORD, Live, Serve, redis_url

ONE_MB = 1024 * 1024


async def key_token(fd: Frontdesk, live: Live, slug: str, hc: httpx2.AsyncClient) -> str:
    key = await fd.practices.create_key(slug, "hardening")
    form = {"grant_type": "client_credentials", "client_id": key.info.prefix, "client_secret": key.secret}
    r = await hc.post(f"{live.base}/token", data=form)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


# --- body size -------------------------------------------------------------------------------------


async def test_oversized_bodies_get_413_before_parsing(live: Live) -> None:
    big = b"{" + b" " * ONE_MB + b"}"
    async with flow.browser() as hc:
        # No credentials at all: the size is refused before authentication or JSON parsing.
        declared = await hc.post(live.mcp_url, content=big, headers={"content-type": "application/json"})
        assert declared.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
            for _ in range(9):
                yield b" " * (128 * 1024)

        streamed = await hc.post(live.mcp_url, content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        token = await hc.post(f"{live.base}/token", content=b"a=" + b"b" * ONE_MB)
        assert token.status_code == 413
        small = await hc.post(live.mcp_url, content=b"{}", headers={"content-type": "application/json"})
        assert small.status_code == 401  # under the limit: on to authentication


# --- Host and Origin -----------------------------------------------------------------------------------


async def test_bad_host_is_refused_everywhere_but_health(
    fd: Frontdesk, scenario: Scenario, serve: Serve
) -> None:
    async with serve(allowed_hosts=("clinic.example",)) as live, flow.browser() as hc:
        token = await key_token(fd, live, scenario.slug, hc)
        for path in ("/mcp", "/token", "/oauth/signin", "/.well-known/oauth-authorization-server"):
            r = await hc.get(f"{live.base}{path}", headers={"Host": "evil.example"})
            assert r.status_code == 421, path
        assert (await hc.get(f"{live.base}/health", headers={"Host": "10.0.0.7:8000"})).status_code == 200
        # A name on FRONTDESK_ALLOWED_HOSTS is served (the SDK transport agrees).
        ok = await flow.mcp_status(hc, live, token, Host="clinic.example")
        assert ok.status_code == 200, ok.text


async def test_cross_site_origin_is_refused_on_mcp_and_the_sign_in_pages(
    fd: Frontdesk, scenario: Scenario, live: Live
) -> None:
    async with flow.browser() as hc:
        token = await key_token(fd, live, scenario.slug, hc)
        evil = {"Origin": "http://evil.example"}
        assert (await flow.mcp_status(hc, live, token, **evil)).status_code == 403
        assert (await hc.post(f"{live.base}/oauth/signin", data={"a": "b"}, headers=evil)).status_code == 403
        assert (await flow.mcp_status(hc, live, token, Origin=live.base)).status_code == 200
        # The token endpoint is meant for browser-based clients too (CORS), so any Origin may call it.
        cors = await hc.post(f"{live.base}/token", data={"grant_type": "client_credentials"}, headers=evil)
        assert cors.status_code == 401 and cors.headers["access-control-allow-origin"] == "*"


# --- protocol version --------------------------------------------------------------------------------


async def test_unsupported_protocol_version_is_400(fd: Frontdesk, scenario: Scenario, live: Live) -> None:
    async with flow.browser() as hc:
        token = await key_token(fd, live, scenario.slug, hc)
        r = await flow.mcp_status(hc, live, token, **{"MCP-Protocol-Version": "1999-01-01"})
        assert r.status_code == 400 and "Unsupported MCP-Protocol-Version" in r.text
        assert (await flow.mcp_status(hc, live, token)).status_code == 200


# --- rate limits -------------------------------------------------------------------------------------


async def test_rate_limit_per_ip(serve: Serve) -> None:
    async with serve(ip_rate="3/minute") as live, flow.browser() as hc:
        url = f"{live.base}/.well-known/oauth-protected-resource"
        assert [(await hc.get(url)).status_code for _ in range(3)] == [200, 200, 200]
        limited = await hc.get(url)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert (await hc.get(f"{live.base}/health")).status_code == 200  # probes are never limited


async def test_rate_limit_per_practice(fd: Frontdesk, scenario: Scenario, serve: Serve) -> None:
    other = await build_scenario(fd)
    async with serve(practice_rate="3/minute", ip_rate="1000/minute") as live, flow.browser() as hc:
        mine = await key_token(fd, live, scenario.slug, hc)
        theirs = await key_token(fd, live, other.slug, hc)
        assert [(await flow.mcp_status(hc, live, mine)).status_code for _ in range(3)] == [200, 200, 200]
        limited = await flow.mcp_status(hc, live, mine)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert (await flow.mcp_status(hc, live, theirs)).status_code == 200  # another practice is unaffected


async def _redis_reachable() -> bool:
    import redis.asyncio as redis

    client = redis.from_url(redis_url(0))
    try:
        return bool(await asyncio.wait_for(client.ping(), 3))
    except Exception:
        return False
    finally:
        await client.aclose()


async def test_rate_limits_are_shared_through_redis(serve: Serve) -> None:
    if not await _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI must run the shared rate-limit test")
        pytest.skip("Redis is not reachable (set CI=true to make this an error)")
    shared = {
        "ip_rate": "4/minute",
        "redis_url": redis_url(7),
        "rate_key_prefix": f"fdtest-{uuid.uuid4().hex}",
    }
    async with serve(**shared) as a, serve(**shared) as b, flow.browser() as hc:
        path = "/.well-known/oauth-authorization-server"
        codes = [(await hc.get(f"{s.base}{path}")).status_code for s in (a, b, a, b)]
        assert codes == [200, 200, 200, 200]
        assert (await hc.get(f"{a.base}{path}")).status_code == 429  # the two processes counted together
        assert (await hc.get(f"{b.base}{path}")).status_code == 429
    # Control: in memory, each instance counts alone.
    async with serve(ip_rate="4/minute") as a, serve(ip_rate="4/minute") as b, flow.browser() as hc:
        codes = [(await hc.get(f"{s.base}{path}")).status_code for s in (a, b, a, b, a, b)]
        assert codes == [200] * 6


# --- sessions ------------------------------------------------------------------------------------------


async def test_idle_sessions_expire(fd: Frontdesk, scenario: Scenario, serve: Serve) -> None:
    async with serve(session_idle_seconds=0.5) as live, flow.browser() as hc:
        token = await key_token(fd, live, scenario.slug, hc)
        first = await flow.mcp_status(hc, live, token)
        session = first.headers["mcp-session-id"]
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        headers = {
            "Authorization": f"Bearer {token}",
            "Mcp-Session-Id": session,
            "MCP-Protocol-Version": "2025-11-25",
            "Accept": "application/json, text/event-stream",
        }
        assert (await hc.post(live.mcp_url, json=ping, headers=headers)).status_code == 200
        status = 200
        for _ in range(10):  # each poll is activity, so wait twice the idle time between polls
            await asyncio.sleep(1.0)
            status = (await hc.post(live.mcp_url, json=ping, headers=headers)).status_code
            if status == 404:
                break
        assert status == 404


# --- secrets stay out of logs -----------------------------------------------------------------------


async def test_no_secret_reaches_the_logs_or_the_audit_trail(
    fd: Frontdesk, scenario: Scenario, live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await fd.staff.create(scenario.slug, "frank@example.com", "Frank Desk", "front_desk", PASSWORD)
    client = await flow.new_client(live, auth_method="client_secret_post")
    who = flow.SignIn(scenario.slug, "frank@example.com")
    code, verifier = await flow.get_code(live, client["client_id"], who)
    async with flow.browser() as hc:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow.CALLBACK,
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
            "code_verifier": verifier,
        }
        issued = (await hc.post(f"{live.base}/token", data=form)).json()
        await flow.mcp_status(hc, live, issued["access_token"])
        await hc.post(f"{live.base}/token", data=form)  # a replay, which is logged and audited
        key_secret = (await fd.practices.create_key(scenario.slug, "k")).secret
        await flow.mcp_status(hc, live, key_secret)
    secrets_seen = [
        code,
        issued["access_token"],
        issued["refresh_token"],
        client["client_secret"],
        PASSWORD,
        key_secret,
    ]
    trail = str(await fd.audit.export(scenario.practice_id))
    # The server's records (the test's own HTTP client logs what it sends and receives).
    server_log = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx2", "httpcore2", "mcp.client"))
    )
    assert "oauth" in trail and server_log
    for secret in secrets_seen:
        assert secret not in server_log
        assert secret not in trail
