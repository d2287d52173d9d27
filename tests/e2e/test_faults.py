"""Faults a deployment meets: clients vanishing mid-response, and PostgreSQL restarting under load."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest

from tests.e2e.conftest import Server, demo_server, fresh_postgres_database, http_client, running_server

pytestmark = pytest.mark.e2e
LOCAL_CLUSTER = Path("/etc/postgresql").is_dir()  # a PostgreSQL on this machine that the test may restart


def later_weekday(offset: int) -> date:
    d = date.today() + timedelta(days=16 + offset)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def legacy_session(server: Server) -> str:
    headers = {
        "Authorization": f"Bearer {server.key}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-Protocol-Version": "2025-11-25",
    }
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    r = httpx2.post(server.mcp_url, json=init, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    sid = r.headers["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    httpx2.post(server.mcp_url, json=note, headers=headers | {"Mcp-Session-Id": sid}, timeout=10)
    return sid


def post_and_vanish(server: Server, session_id: str, body: dict[str, object]) -> None:
    """Send a whole request on a raw socket, then close it without reading a byte of the answer."""
    url = urlsplit(server.mcp_url)
    payload = json.dumps(body).encode()
    head = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {server.key}\r\n"
        "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
        f"MCP-Protocol-Version: 2025-11-25\r\nMcp-Session-Id: {session_id}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(head + payload)
        sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )  # RST on close


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with demo_server(request.param, tmp_path_factory.mktemp(f"faults-{request.param}")) as srv:
        yield srv


async def test_client_dropping_mid_response_writes_once_and_server_carries_on(server: Server) -> None:
    async with http_client(server, "auto") as c:
        doctors = (await c.call_tool("list_doctors", {})).structured_content["doctors"]
    doctor = next(d["id"] for d in doctors if d["name"] == "Dr. Ana Garcia")
    day = later_weekday(0).isoformat()
    session = legacy_session(server)
    for i, hhmm in enumerate(["09:00", "10:00", "11:00", "13:00", "14:00"]):
        call = {
            "jsonrpc": "2.0",
            "id": 100 + i,
            "method": "tools/call",
            "params": {
                "name": "create_appointment",
                "arguments": {
                    "datebook_name": "Downtown Dental",
                    "doctor_id": doctor,
                    "patient_name": f"Gone Client{i}",
                    "starts_at": f"{day}T{hhmm}",
                    "idempotency_key": f"vanish-{i}",
                },
            },
        }
        post_and_vanish(server, session, call)
    # The server keeps answering, promptly, and each vanished request was carried out exactly once.
    deadline = time.monotonic() + 15
    async with http_client(server, "auto") as c:
        while True:
            listed = await c.call_tool(
                "list_appointments", {"datebook_name": "Downtown Dental", "start": day, "end": f"{day}T23:59"}
            )
            gone = [
                a for a in listed.structured_content["appointments"] if a["patient_name"].startswith("Gone")
            ]
            if len(gone) == 5 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert sorted(a["patient_name"] for a in gone) == [f"Gone Client{i}" for i in range(5)]
        retried = await c.call_tool(
            "create_appointment",
            {
                "datebook_name": "Downtown Dental",
                "doctor_id": doctor,
                "patient_name": "Gone Client0",
                "starts_at": f"{day}T09:00",
                "idempotency_key": "vanish-0",
            },
        )
    # Another credential's retry is a new request, so it meets the booking it would duplicate.
    assert retried.is_error or retried.structured_content["patient_name"] == "Gone Client0"
    assert httpx2.get(f"{server.base_url}/health", timeout=5).status_code == 200
    assert server.proc.poll() is None


def _pg(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def pg_server(tmp_path: Path) -> Iterator[Server]:
    if not LOCAL_CLUSTER:
        pytest.skip("no local PostgreSQL cluster to restart")
    with fresh_postgres_database() as url, running_server("postgres", tmp_path, url) as server:
        yield server


@pytest.mark.postgres
async def test_postgres_restart_under_load(pg_server: Server) -> None:
    """While PostgreSQL is down requests fail cleanly and /health says so; nothing is half-written;
    when it is back the same server process serves again without a restart."""
    server = pg_server
    async with http_client(server, "auto") as c:
        doctors = (await c.call_tool("list_doctors", {})).structured_content["doctors"]
    doctor_ids = [d["id"] for d in doctors]
    acknowledged: list[int] = []
    failures: list[str] = []
    stop = asyncio.Event()

    async def load(worker: int) -> None:
        n = 0
        while not stop.is_set() and n < 400:
            n += 1
            day = later_weekday(n % 20).isoformat()
            try:
                async with http_client(server, "auto") as c:
                    r = await c.call_tool(
                        "create_appointment",
                        {
                            "datebook_name": "Downtown Dental",
                            "doctor_id": doctor_ids[worker % 3],
                            "patient_name": f"Load W{worker}N{n}",
                            "starts_at": f"{day}T{9 + (n // 20) % 3:02d}:{(n % 4) * 15:02d}",
                            "ends_at": f"{day}T{9 + (n // 20) % 3:02d}:{(n % 4) * 15 + 15:02d}",
                        },
                    )
                if r.is_error:
                    failures.append(r.structured_content["error"]["code"])
                else:
                    acknowledged.append(r.structured_content["id"])
            except Exception as exc:  # a refused or reset HTTP connection while the database is down
                failures.append(type(exc).__name__)
            await asyncio.sleep(0.02)

    workers = [asyncio.create_task(load(w)) for w in range(3)]
    await asyncio.sleep(1.5)
    await asyncio.to_thread(_pg, "stop")
    try:
        await asyncio.sleep(1.0)
        health = httpx2.get(f"{server.base_url}/health", timeout=10)
        assert health.status_code == 503 and health.json()["database"] == "unreachable"
    finally:
        await asyncio.to_thread(_pg, "start")
    for _ in range(100):
        if httpx2.get(f"{server.base_url}/health", timeout=10).status_code == 200:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*workers)
    assert server.proc.poll() is None, server.logs()
    assert failures, "the outage should have refused some requests"
    assert "internal" not in " ".join(failures)
    # Served again by the same process, and every acknowledged booking is stored, once.
    async with http_client(server, "auto") as c:
        after = await c.call_tool(
            "create_appointment",
            {
                "datebook_name": "Downtown Dental",
                "doctor_id": doctor_ids[0],
                "patient_name": "After Outage",
                "starts_at": f"{later_weekday(25).isoformat()}T16:00",
            },
        )
        assert not after.is_error, after.content[0].text
        stored: set[int] = set()
        for off in range(0, 30):
            d = later_weekday(off).isoformat()
            got = await c.call_tool(
                "list_appointments", {"datebook_name": "Downtown Dental", "start": d, "end": f"{d}T23:59"}
            )
            stored |= {
                a["id"]
                for a in got.structured_content["appointments"]
                if a["patient_name"].startswith("Load")
            }
    assert set(acknowledged) <= stored
    assert len(acknowledged) == len(set(acknowledged))
