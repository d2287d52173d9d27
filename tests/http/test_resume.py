"""Resumable SSE streams (2025-11-25 sessions): a client whose response stream broke sends Last-Event-ID
and gets what it missed, from the process that holds the session or, through Redis, from another one;
never from another credential's session."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from tests.factories import Scenario
from tests.http.conftest import Live, Serve, redis_url
from tests.http.test_hardening import _redis_reachable

LEGACY = "2025-11-25"


def _headers(key: str, session: str | None = None) -> dict[str, str]:
    h = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
    }
    if session:
        h |= {"Mcp-Session-Id": session, "MCP-Protocol-Version": LEGACY}
    return h


def _events(body: str) -> list[tuple[str | None, dict[str, Any] | None]]:
    """(id, data) of each SSE event; data None for a priming event (no payload)."""
    out = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            name, sep, value = line.partition(":")
            if sep and name in ("id", "data"):
                fields[name] = value.strip()
        if "id" in fields or fields.get("data"):
            data = fields.get("data")
            out.append((fields.get("id"), json.loads(data) if data else None))
    return out


async def _session(hc: httpx2.AsyncClient, live: Live, key: str) -> str:
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": LEGACY,
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    r = await hc.post(live.mcp_url, content=json.dumps(init), headers=_headers(key))
    assert r.status_code == 200, r.text
    sid = r.headers["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (
        await hc.post(live.mcp_url, content=json.dumps(note), headers=_headers(key, sid))
    ).status_code == 202
    return sid


async def _call(hc: httpx2.AsyncClient, live: Live, key: str, sid: str, rid: int) -> list[Any]:
    call = {
        "jsonrpc": "2.0",
        "id": rid,
        "method": "tools/call",
        "params": {"name": "list_datebooks", "arguments": {}},
    }
    r = await hc.post(live.mcp_url, content=json.dumps(call), headers=_headers(key, sid))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), r.text
    return _events(r.text)


async def _resume(hc: httpx2.AsyncClient, live: Live, key: str, sid: str, last: str) -> httpx2.Response:
    headers = _headers(key, sid) | {"Accept": "text/event-stream", "Last-Event-ID": last}
    return await hc.get(live.mcp_url, headers=headers, timeout=10)


async def test_a_broken_stream_resumes_on_another_process_through_redis(
    serve: Serve, fd: Frontdesk, scenario: Scenario
) -> None:
    if not await _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI must run the resumption test")
        pytest.skip("Redis is not reachable (set CI=true to make this an error)")
    key = (await fd.practices.create_key(scenario.slug, "resume")).secret
    other = (await fd.practices.create_key(scenario.slug, "someone else")).secret
    shared = {"allow_static_keys": True, "redis_url": redis_url(6)}
    async with serve(**shared) as a, serve(**shared) as b, httpx2.AsyncClient(timeout=30) as hc:
        sid = await _session(hc, a, key)
        events = await _call(hc, a, key, sid, 1)
        (priming, _), (answer_id, answer) = events
        assert answer is not None and answer["id"] == 1 and not answer["result"]["isError"]
        # Another session of the same credential reuses request id 1: its stream must not mix in.
        await _call(hc, a, key, await _session(hc, a, key), 1)
        # The connection to A "broke" after the priming event: B does not hold the session, yet
        # replays what followed from Redis, exactly once.
        r = await _resume(hc, b, key, sid, priming or "")
        assert r.status_code == 200 and r.headers["mcp-session-id"] == sid, r.text
        assert _events(r.text) == [(answer_id, answer)]
        # Nothing after the last event; another credential or a forged event id: nothing.
        after = await _resume(hc, b, key, sid, answer_id or "")
        assert after.status_code == 200 and _events(after.text) == []
        assert (await _resume(hc, b, other, sid, priming or "")).status_code == 404
        forged = f"{uuid.uuid4().hex}.MQ.0"
        assert (await _resume(hc, b, key, sid, forged)).status_code == 404


async def test_without_redis_events_stay_in_the_process_that_holds_the_session(
    serve: Serve, fd: Frontdesk, scenario: Scenario
) -> None:
    key = (await fd.practices.create_key(scenario.slug, "resume")).secret
    async with (
        serve(allow_static_keys=True) as a,
        serve(allow_static_keys=True) as b,
        httpx2.AsyncClient(timeout=30) as hc,
    ):
        sid = await _session(hc, a, key)
        (priming, _), (answer_id, answer) = await _call(hc, a, key, sid, 7)
        assert priming and answer_id and answer is not None and answer["id"] == 7
        assert (await _resume(hc, b, key, sid, priming)).status_code == 404  # B never saw these events
        # A itself replays it from memory (the SDK keeps the resumed stream open for what comes next).
        headers = _headers(key, sid) | {"Accept": "text/event-stream", "Last-Event-ID": priming}
        async with hc.stream("GET", a.mcp_url, headers=headers, timeout=10) as r:
            assert r.status_code == 200
            seen = ""
            async for chunk in r.aiter_text():
                seen += chunk
                if (answer_id, answer) in _events(seen):
                    break
        assert (answer_id, answer) in _events(seen)


async def test_memory_events_are_bounded_and_scoped() -> None:
    from frontdesk.http.events import MemoryBackend

    store = MemoryBackend(max_bytes=1000)
    assert await store.append("s1", "me", "1", "x" * 400) == 1
    assert await store.append("s2", "you", "1", "y" * 400) == 1  # same stream id, another session
    assert await store.append("s1", "me", "1", "z" * 100) == 2
    assert await store.after("s1", "1", 1) == [(2, "z" * 100)]
    assert await store.after("s2", "1", 0) == [(1, "y" * 400)]
    await store.append("s3", "me", "_GET_stream", "w" * 400)  # over 1000 bytes: the oldest stream goes
    assert await store.after("s2", "1", 0) == []
    assert await store.after("s1", "1", 0) == [(1, "x" * 400), (2, "z" * 100)]
    assert await store.owner("s1") == "me" and await store.owner("s2") == "you"
