"""The JSON-RPC envelope over real HTTP: a request id that is not a string or an integer is -32600
Invalid Request (400), not a silent 202; the SSE priming event carries `retry:`."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from tests.factories import Scenario
from tests.http.conftest import Serve

VERSION = "2025-11-25"
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def headers(key: str, session: str | None = None) -> dict[str, str]:
    h = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
    }
    if session:
        h |= {"Mcp-Session-Id": session, "MCP-Protocol-Version": VERSION}
    return h


async def open_session(hc: httpx2.AsyncClient, url: str, key: str) -> str:
    r = await hc.post(url, content=json.dumps(INIT), headers=headers(key))
    assert r.status_code == 200, r.text
    sid = r.headers["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (await hc.post(url, content=json.dumps(note), headers=headers(key, sid))).status_code == 202
    return sid


def sse_events(body: str) -> list[dict[str, str]]:
    out = []
    for block in body.replace("\r\n", "\n").strip().split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            name, sep, value = line.partition(":")
            if sep:
                fields[name] = value.strip()
        out.append(fields)
    return out


BAD_IDS: list[tuple[Any, str]] = [
    ({"a": 1}, "an object"),
    ([1], "an array"),
    (1.5, "a number with a fraction"),
    (1.0, "a number with a fraction"),
    (True, "a boolean"),
    (False, "a boolean"),
    (None, "null"),
]


@pytest.fixture
async def key(fd: Frontdesk, scenario: Scenario) -> str:
    return (await fd.practices.create_key(scenario.slug, "jsonrpc")).secret


async def test_a_request_id_that_is_no_string_or_integer_is_invalid_request(serve: Serve, key: str) -> None:
    async with serve(allow_static_keys=True) as live, httpx2.AsyncClient(timeout=30) as hc:
        sid = await open_session(hc, live.mcp_url, key)
        for rid, kind in BAD_IDS:
            for session in (sid, None):  # inside a session, and as the first message
                body = json.dumps({"jsonrpc": "2.0", "id": rid, "method": "ping"})
                r = await hc.post(live.mcp_url, content=body, headers=headers(key, session))
                assert r.status_code == 400, (rid, r.status_code, r.text)
                answer = r.json()
                assert answer["jsonrpc"] == "2.0" and answer["id"] is None, answer
                assert answer["error"]["code"] == -32600, answer
                assert answer["error"]["message"].startswith(
                    "Invalid Request: id: must be a string or an integer"
                )
                assert kind in answer["error"]["message"], answer
        # A string id and an integer id are answered as ever; a notification is still accepted.
        for rid in ("a-1", 7):
            r = await hc.post(
                live.mcp_url,
                content=json.dumps({"jsonrpc": "2.0", "id": rid, "method": "ping"}),
                headers=headers(key, sid),
            )
            assert r.status_code == 200, r.text
            answers = [json.loads(e["data"]) for e in sse_events(r.text) if e.get("data")]
            assert answers == [{"jsonrpc": "2.0", "id": rid, "result": {}}]
        note = json.dumps({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}})
        assert (await hc.post(live.mcp_url, content=note, headers=headers(key, sid))).status_code == 202


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ('[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]', "batches are not supported"),
        ('"ping"', "must be a JSON object"),
        ('{"id": 1, "method": "ping"}', 'jsonrpc: must be "2.0"'),
        ('{"jsonrpc": "2.0", "id": 1, "method": 5}', "method: must be a string"),
    ],
)
async def test_other_invalid_envelopes_are_invalid_request(
    serve: Serve, key: str, body: str, rule: str
) -> None:
    async with serve(allow_static_keys=True) as live, httpx2.AsyncClient(timeout=30) as hc:
        r = await hc.post(live.mcp_url, content=body, headers=headers(key))
    assert r.status_code == 400 and r.json()["error"]["code"] == -32600, r.text
    assert rule in r.json()["error"]["message"]
    assert "pydantic" not in r.text


async def test_envelopes_are_checked_only_for_an_authenticated_caller(serve: Serve) -> None:
    async with serve(allow_static_keys=True) as live, httpx2.AsyncClient(timeout=30) as hc:
        body = json.dumps({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"})
        r = await hc.post(live.mcp_url, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401


async def test_sse_streams_carry_the_retry_interval(serve: Serve, key: str) -> None:
    ping = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"})
    for overrides, expected in (({}, "2000"), ({"sse_retry_ms": 500}, "500")):
        async with serve(allow_static_keys=True, **overrides) as live, httpx2.AsyncClient(timeout=30) as hc:
            sid = await open_session(hc, live.mcp_url, key)
            r = await hc.post(live.mcp_url, content=ping, headers=headers(key, sid))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        priming, answer = sse_events(r.text)
        assert priming.get("retry") == expected and priming["data"] == "" and priming["id"], r.text
        assert json.loads(answer["data"])["result"] == {}
