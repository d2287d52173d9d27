"""The client's address behind reverse proxies (FRONTDESK_TRUSTED_PROXIES): a forwarding header is
believed only from a trusted peer, the chain is walked from the right past trusted hops; the page's
and /mcp/public's per-IP limits and audit actor follow it. /mcp/public is served by a real uvicorn
(its own proxy handling off, as `frontdesk serve` runs it) and called with the real MCP client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.proxies import ForwardedClient, client_address, hops, networks
from frontdesk.http.settings import HttpSettings
from tests.factories import Scenario, build_scenario
from tests.http.booking import BASE
from tests.http.conftest import free_port

PROXIES = networks(["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"])


@pytest.mark.parametrize(
    ("peer", "chain", "client"),
    [
        ("203.0.113.5", ["198.51.100.7"], "203.0.113.5"),  # untrusted peer: its header ignored
        ("10.0.0.1", ["198.51.100.7"], "198.51.100.7"),
        ("10.0.0.1", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),  # the left part is the client's
        ("10.0.0.1", ["198.51.100.7", "10.1.1.1", "192.0.2.1"], "198.51.100.7"),  # past trusted hops
        ("10.0.0.1", ["10.2.2.2", "10.1.1.1"], "10.2.2.2"),  # all trusted: the left-most
        ("10.0.0.1", ["198.51.100.7", "unknown"], "10.0.0.1"),  # unreadable: the hop that vouched
        ("10.0.0.1", ["198.51.100.7:4711"], "198.51.100.7"),
        ("2001:db8::1", ['"[2001:db8:cafe::17]:4711"'], "2001:db8:cafe::17"),
        ("::ffff:10.0.0.1", ["198.51.100.7"], "198.51.100.7"),  # IPv4-mapped peer
    ],
)
def test_the_chain_is_walked_from_the_right(peer: str, chain: list[str], client: str) -> None:
    assert client_address(peer, chain, PROXIES) == client


def test_the_forwarded_header_is_read_for_its_for_parameter() -> None:
    value = 'for=198.51.100.7;proto=https;by=10.0.0.1, For="[2001:db8::5]:80", by=10.0.0.2'
    assert hops("forwarded", value) == ["198.51.100.7", '"[2001:db8::5]:80"', "unknown"]
    assert hops("x-forwarded-for", "1.2.3.4, 5.6.7.8") == ["1.2.3.4", " 5.6.7.8"]


def test_a_bad_setting_stops_start_up() -> None:
    with pytest.raises(ValueError, match="FRONTDESK_TRUSTED_PROXIES"):
        networks(["10.0.0.0/8", "proxy.example.org"])
    with pytest.raises(ValueError, match="FRONTDESK_FORWARDED_HEADER"):
        ForwardedClient(create_app, ("10.0.0.1",), "x-real-ip")  # type: ignore[arg-type]


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
    monkeypatch.setenv("FRONTDESK_FORWARDED_HEADER", "Forwarded")
    got = HttpSettings.from_env()
    assert got.trusted_proxies == ("10.0.0.0/8", "192.0.2.1") and got.forwarded_header == "forwarded"
    monkeypatch.delenv("FRONTDESK_TRUSTED_PROXIES")
    assert HttpSettings.from_env().trusted_proxies == ()


@asynccontextmanager
async def page_client(app: Frontdesk, peer: str, **settings: Any) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(app, HttpSettings(**settings)), client=(peer, 4000))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def _actors(app: Frontdesk, sc: Scenario) -> set[str]:
    return {e.actor for e in await app.audit.entries(sc.principal, limit=100)}


async def test_the_page_ignores_a_spoofed_header_from_an_untrusted_peer(app: Frontdesk) -> None:
    sc = await build_scenario(app)
    await app.practice_settings.update(sc.principal, {"policies.publicRequestsPerMinuteIp": 2})
    async with page_client(app, "203.0.113.5", trusted_proxies=("10.0.0.0/8",)) as web:
        answers = [
            (await web.get(f"/{sc.slug}/book", headers={"X-Forwarded-For": f"198.51.100.{n}"})).status_code
            for n in range(4)
        ]
    assert answers == [200, 200, 429, 429]  # one bucket: the peer's, whatever it claims
    assert "public:203.0.113.5" in await _actors(app, sc)
    assert not [a for a in await _actors(app, sc) if a.startswith("public:198.51.100.")]


async def test_the_page_believes_a_trusted_proxy(app: Frontdesk) -> None:
    sc = await build_scenario(app)
    await app.practice_settings.update(sc.principal, {"policies.publicRequestsPerMinuteIp": 2})
    async with page_client(app, "10.0.0.1", trusted_proxies=("10.0.0.0/8",)) as web:
        # Each patient behind the proxy has a bucket of their own; a spoofed left part changes nothing.
        for n in range(3):
            head = {"X-Forwarded-For": f"6.6.6.{n}, 198.51.100.{n}, 10.9.9.9"}
            assert (await web.get(f"/{sc.slug}/book", headers=head)).status_code == 200
        same = {"X-Forwarded-For": "7.7.7.7, 198.51.100.0"}
        assert (await web.get(f"/{sc.slug}/book", headers=same)).status_code == 200
        assert (await web.get(f"/{sc.slug}/book", headers=same)).status_code == 429
    actors = await _actors(app, sc)
    assert {"public:198.51.100.0", "public:198.51.100.1", "public:198.51.100.2"} <= actors
    assert not [a for a in actors if a.startswith(("public:6.", "public:7.", "public:10."))]
    # No trusted proxies (the default): the same header from the same peer is ignored.
    async with page_client(app, "10.0.0.1") as web:
        await web.get(f"/{sc.slug}/book", headers={"X-Forwarded-For": "198.51.100.99"})
    assert "public:10.0.0.1" in await _actors(app, sc)
    assert "public:198.51.100.99" not in await _actors(app, sc)


async def test_the_forwarded_header_when_configured(app: Frontdesk) -> None:
    sc = await build_scenario(app)
    async with page_client(
        app, "10.0.0.1", trusted_proxies=("10.0.0.1",), forwarded_header="forwarded"
    ) as web:
        head = {"Forwarded": 'for="[2001:db8:cafe::17]:4711";proto=https', "X-Forwarded-For": "6.6.6.6"}
        assert (await web.get(f"/{sc.slug}/book", headers=head)).status_code == 200
    actors = await _actors(app, sc)
    assert "public:2001:db8:cafe::17" in actors and "public:6.6.6.6" not in actors


@asynccontextmanager
async def uvicorn_app(app: Frontdesk, **settings: Any) -> AsyncIterator[str]:
    """The app under uvicorn as `frontdesk serve` runs it (uvicorn's proxy headers off)."""
    port = free_port()
    conf = replace(HttpSettings(public_url=f"http://127.0.0.1:{port}"), **settings)
    config = uvicorn.Config(
        create_app(app, conf),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.wait({task}, timeout=0.02)
    try:
        yield conf.public_url
    finally:
        server.should_exit = True
        await task


async def _public_list(base: str, slug: str, forwarded: str) -> list[bool]:
    """Three public_service_list calls over Streamable HTTP, each request with the header."""
    async with httpx2.AsyncClient(timeout=30, headers={"X-Forwarded-For": forwarded}) as hc:
        async with Client(streamable_http_client(base + "/mcp/public", http_client=hc)) as client:
            return [
                (await client.call_tool("public_service_list", {"orgSlug": slug})).is_error for _ in range(3)
            ]


async def test_mcp_public_follows_a_trusted_proxy_only(fd: Frontdesk, scenario: Scenario) -> None:
    await fd.practice_settings.update(scenario.principal, {"policies.publicRequestsPerMinuteIp": 2})
    async with uvicorn_app(fd) as base:  # nobody trusted: the header is the caller's say-so
        assert await _public_list(base, scenario.slug, "198.51.100.7") == [False, False, True]
    async with uvicorn_app(fd, trusted_proxies=("127.0.0.1",)) as base:
        assert await _public_list(base, scenario.slug, "6.6.6.6, 198.51.100.8") == [False, False, True]
        assert await _public_list(base, scenario.slug, "198.51.100.9") == [False, False, True]
    actors = await _actors(fd, scenario)
    assert {"public:127.0.0.1", "public:198.51.100.8", "public:198.51.100.9"} <= actors
    assert "public:198.51.100.7" not in actors and "public:6.6.6.6" not in actors
