"""`frontdesk serve --demo` as a user runs it, driven over Streamable HTTP by the real MCP client.

The whole module runs once on SQLite and once on a fresh PostgreSQL database."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from tests.e2e import flows
from tests.e2e.conftest import MODES, Server, http_client

pytestmark = pytest.mark.e2e

LEGACY = "2025-11-25"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}},
}
MODE_INDEX = {mode: i for i, mode in enumerate(MODES)}
OTHER_DOCTOR = {"auto": "Dr. Luis Rodriguez", "legacy": "Dr. Emily Chen"}


def post_headers(key: str | None, session_id: str | None = None) -> dict[str, str]:
    h = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-Protocol-Version": LEGACY,
    }
    if key is not None:
        h["Authorization"] = f"Bearer {key}"
    if session_id is not None:
        h["Mcp-Session-Id"] = session_id
    return h


def rpc_result(response: httpx2.Response) -> dict[str, Any]:
    """The JSON-RPC message of a POST answer, sent as JSON or as one SSE event."""
    if response.headers["content-type"].startswith("application/json"):
        return dict(response.json())
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    assert data, response.text
    return dict(json.loads(data[-1]))


async def initialize(hc: httpx2.AsyncClient, server: Server, key: str) -> str:
    r = await hc.post(server.mcp_url, headers=post_headers(key), json=INITIALIZE)
    assert r.status_code == 200, r.text
    body = rpc_result(r)
    assert body["result"]["protocolVersion"] == LEGACY
    assert body["result"]["serverInfo"]["name"] == "frontdesk"
    session_id = r.headers.get("mcp-session-id")
    assert session_id
    note = await hc.post(
        server.mcp_url,
        headers=post_headers(key, session_id),
        json={"jsonrpc": "2.0", "method": "notifications/initialized"},
    )
    assert note.status_code == 202, note.text
    return session_id


# --- MCP over HTTP with the real client -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", ["frontdesk", "odonto", "charm"])
async def test_handshake_and_tool_list(server: Server, mode: str, surface: str) -> None:
    async with http_client(server, mode, surface=surface) as client:
        # legacy: the initialize handshake at 2025-11-25; auto: the newer protocol, no fallback.
        assert (client.session.protocol_version == LEGACY) == (mode == "legacy")
        flows.check_tool_list(await flows.Session(client).list_tools(), surface)


@pytest.mark.parametrize("mode", MODES)
async def test_medapp_tool_list_and_widget(server: Server, mode: str) -> None:
    async with http_client(server, mode, surface="medapp") as client:
        flows.check_tool_list(await flows.Session(client).list_tools(), "medapp")
        resources = await client.list_resources()
        widget = [r for r in resources.resources if str(r.uri) == flows.WIDGET_URI]
        assert len(widget) == 1 and widget[0].mime_type == "text/html+skybridge"
        html = await client.read_resource(flows.WIDGET_URI)
        assert "<" in html.contents[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("surface", ["odonto", "frontdesk"])
async def test_odonto_todays_schedule(server: Server, mode: str, surface: str) -> None:
    async with http_client(server, mode, surface=surface) as client:
        assert await flows.todays_schedule(flows.Session(client)) > 0


@pytest.mark.parametrize("mode", MODES)
async def test_odonto_book_cleaning_next_tuesday(server: Server, mode: str) -> None:
    # Each mode books a different Tuesday: both run against the same server and database. The seed's
    # example, through the seed's own surface.
    async with http_client(server, mode, surface="odonto") as client:
        await flows.book_cleaning(flows.Session(client), weeks_later=MODE_INDEX[mode])


@pytest.mark.parametrize("mode", MODES)
async def test_odonto_reschedule_and_cancel(server: Server, mode: str) -> None:
    async with http_client(server, mode) as client:
        await flows.reschedule_and_cancel(flows.Session(client), OTHER_DOCTOR[mode])


@pytest.mark.parametrize("mode", MODES)
async def test_medical_appointment_flow(server: Server, mode: str) -> None:
    async with http_client(server, mode, surface="medapp") as client:
        appt = await flows.medical_flow(
            flows.Session(client), "Maria Santos", f"+351 912 000 00{MODE_INDEX[mode]}"
        )
        assert appt["patientName"] == "Maria Santos"


async def test_booking_a_new_patient_is_visible_to_a_later_connection(server: Server) -> None:
    """patient_name creates the patient; another session (the other protocol mode) reads both back."""
    async with http_client(server, "legacy") as client:
        s = flows.Session(client)
        slots = (
            await s.ok(
                "find_available_slots", {"datebook_name": "Lisboa Clinic", "duration_minutes": 45, "limit": 5}
            )
        ).structured_content["slots"]
        assert slots
        made = (
            await s.ok(
                "create_appointment",
                {
                    "datebook_name": "Lisboa Clinic",
                    "doctor_id": slots[0]["doctor_id"],
                    "patient_name": "Zélia Quaresma",
                    "starts_at": slots[0]["start"],
                    "ends_at": slots[0]["end"],
                },
            )
        ).structured_content
        assert made is not None and made["start"] == slots[0]["start"] and made["end"] == slots[0]["end"]
        assert made["patient_name"] == "Zélia Quaresma"
    async with http_client(server, "auto", surface="odonto") as client:
        s = flows.Session(client)
        found = (await s.ok("search_patients", {"query": "zelia"})).structured_content
        assert found is not None
        assert [(p["id"], p["firstname"], p["lastname"]) for p in found["patients"]] == [
            (made["patient_id"], "Zélia", "Quaresma")
        ]
        r = await s.ok(
            "list_appointments",
            {"datebook_name": "Lisboa Clinic", "start": made["start"], "end": made["end"]},
        )
        assert made["id"] in [a["id"] for a in r.structured_content["appointments"]]


# --- the HTTP surface -------------------------------------------------------------------------------


async def test_health(server: Server) -> None:
    async with httpx2.AsyncClient(timeout=10) as hc:
        r = await hc.get(f"{server.base_url}/health")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"]


async def test_mcp_requires_a_valid_key(server: Server) -> None:
    async with httpx2.AsyncClient(timeout=10) as hc:
        missing = await hc.post(server.mcp_url, headers=post_headers(None), json=INITIALIZE)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        for wrong in (
            "fd_sk_1_" + "x" * 43,
            server.key[:-1] + ("A" if server.key[-1] != "A" else "B"),
            "nonsense",
        ):
            r = await hc.post(server.mcp_url, headers=post_headers(wrong), json=INITIALIZE)
            assert r.status_code == 401, wrong
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert server.key not in r.text
        get = await hc.get(server.mcp_url, headers={"Accept": "text/event-stream"})
        assert get.status_code == 401
        assert (
            await hc.post(server.mcp_url, headers=post_headers(server.key), json=INITIALIZE)
        ).status_code == 200


async def test_get_opens_the_sse_stream_of_a_session(server: Server) -> None:
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(10, read=10)) as hc:
        session_id = await initialize(hc, server, server.key)
        sse_headers = {
            "Authorization": f"Bearer {server.key}",
            "Accept": "text/event-stream",
            "Mcp-Session-Id": session_id,
            "MCP-Protocol-Version": LEGACY,
        }
        async with hc.stream("GET", server.mcp_url, headers=sse_headers) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
        # The session still answers requests after the stream closed.
        r = await hc.post(
            server.mcp_url,
            headers=post_headers(server.key, session_id),
            json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        )
        assert r.status_code == 200
        assert "list_datebooks" in [t["name"] for t in rpc_result(r)["result"]["tools"]]
        no_session = await hc.get(
            server.mcp_url, headers={k: v for k, v in sse_headers.items() if k != "Mcp-Session-Id"}
        )
        assert no_session.status_code == 400
        unknown = await hc.get(server.mcp_url, headers=sse_headers | {"Mcp-Session-Id": "not-a-session"})
        assert unknown.status_code == 404
        closed = await hc.delete(server.mcp_url, headers=post_headers(server.key, session_id))
        assert closed.status_code in (200, 204)
        gone = await hc.post(
            server.mcp_url,
            headers=post_headers(server.key, session_id),
            json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
        )
        assert gone.status_code == 404


async def test_revoked_key_is_refused_at_once(server: Server) -> None:
    secret = server.cli(
        "keys", "create", "--practice", "demo", "--name", "e2e-revoke", "--quiet"
    ).stdout.strip()
    listed = server.cli("keys", "list", "--practice", "demo").stdout
    rows = [line.split("\t") for line in listed.splitlines()]
    mine = [r for r in rows if r[2] == "e2e-revoke"]
    assert len(mine) == 1 and mine[0][3] == "active", listed
    assert secret.startswith(mine[0][1].rstrip("…")), "the list shows the key's prefix"
    assert secret not in listed, "keys list never prints a secret"
    key_id = mine[0][0]

    async with httpx2.AsyncClient(timeout=10) as hc:
        session_id = await initialize(hc, server, secret)
        out = server.cli("keys", "revoke", "--practice", "demo", key_id).stdout
        assert f"key {key_id} revoked" in out
        for attempt in (
            hc.post(server.mcp_url, headers=post_headers(secret), json=INITIALIZE),
            hc.post(
                server.mcp_url,
                headers=post_headers(secret, session_id),
                json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            ),
        ):
            r = await attempt
            assert r.status_code == 401, r.text
            assert r.headers["www-authenticate"].startswith("Bearer")
        # Other keys keep working.
        assert (
            await hc.post(server.mcp_url, headers=post_headers(server.key), json=INITIALIZE)
        ).status_code == 200
    states = {
        r[0]: r[3]
        for r in (
            line.split("\t") for line in server.cli("keys", "list", "--practice", "demo").stdout.splitlines()
        )
    }
    assert states[key_id].startswith("revoked")
    again = server.cli("keys", "revoke", "--practice", "demo", "99999", check=False)
    assert again.returncode == 2 and "no key with id 99999" in again.stderr


# --- the keys CLI -------------------------------------------------------------------------------------


async def test_keys_create_quiet_and_json(server: Server) -> None:
    quiet = server.cli("keys", "create", "--practice", "demo", "--name", "x", "--quiet")
    lines = quiet.stdout.splitlines()
    assert len(lines) == 1 and quiet.stdout == lines[0] + "\n", quiet.stdout
    secret = lines[0]
    assert secret.startswith("fd_sk_") and len(secret) > 40 and " " not in secret

    as_json = server.cli("keys", "create", "--practice", "demo", "--name", "x", "--json")
    body = json.loads(as_json.stdout)
    assert set(body) == {"client_id", "client_secret"}
    assert body["client_secret"].startswith("fd_sk_") and body["client_secret"].startswith(body["client_id"])
    assert body["client_secret"] != secret

    for key in (secret, body["client_secret"]):
        async with http_client(server, "legacy", key=key) as client:
            r = await flows.Session(client).ok("list_datebooks", {})
            assert len(r.structured_content["datebooks"]) == 2

    missing = server.cli("keys", "create", "--practice", "nope", "--name", "x", "--quiet", check=False)
    assert missing.returncode == 2 and missing.stdout == "" and "nope" in missing.stderr
