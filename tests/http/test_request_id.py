"""Every HTTP answer carries X-Request-Id: the caller's when it is a plain token, a fresh one otherwise,
including the answers the outer guards give before anything else runs."""

from __future__ import annotations

import re

import pytest

from tests.http import flow
from tests.http.conftest import Live

FRESH = re.compile(r"[0-9a-f]{16}")


async def test_a_plain_incoming_id_is_kept(live: Live) -> None:
    async with flow.browser() as hc:
        for path in ("/health", "/.well-known/oauth-authorization-server"):
            r = await hc.get(f"{live.base}{path}", headers={"X-Request-Id": "proxy-5f0c.1"})
            assert r.status_code == 200 and r.headers["x-request-id"] == "proxy-5f0c.1", path
        unauthenticated = await flow.mcp_status(hc, live, None, **{"X-Request-Id": "proxy-5f0c.2"})
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["x-request-id"] == "proxy-5f0c.2"


@pytest.mark.parametrize("sent", [None, "", "two words", "x" * 200, "<script>", "id\u00e9"])
async def test_anything_else_gets_a_fresh_id(live: Live, sent: str | None) -> None:
    headers = {} if sent is None else {"X-Request-Id": sent.encode()}
    async with flow.browser() as hc:
        first = await hc.get(f"{live.base}/health", headers=headers)
        second = await hc.get(f"{live.base}/health", headers=headers)
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(FRESH.fullmatch(i) for i in ids) and ids[0] != ids[1]
    assert len(first.headers.get_list("x-request-id")) == 1


async def test_refusals_before_routing_carry_it_too(live: Live) -> None:
    async with flow.browser() as hc:
        wrong_host = await hc.get(
            f"{live.mcp_url}", headers={"Host": "evil.example", "X-Request-Id": "r-421"}
        )
        assert wrong_host.status_code == 421 and wrong_host.headers["x-request-id"] == "r-421"
        big = b"{" + b" " * (2 * 1024 * 1024) + b"}"
        too_big = await hc.post(
            live.mcp_url, content=big, headers={"content-type": "application/json", "X-Request-Id": "r-413"}
        )
        assert too_big.status_code == 413 and too_big.headers["x-request-id"] == "r-413"
