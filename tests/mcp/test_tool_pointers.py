"""The tools a surface's texts point to are tools that surface serves: the services write one name
("call admin_list_providers", "from service_list") and each surface's words turn it into its own.
A pointer to another surface's tool sends the model to a tool it cannot call."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import SURFACES, build_server
from frontdesk.mcp.surfaces import bindings
from tests.factories import Scenario

MISSING = 999999
# Every tool name of every surface, and the operations' own names: what a text may point to.
KNOWN = {n for s in SURFACES for b in bindings(s) for n in (b.tool_name, b.operation.name)}
WORD = re.compile(r"[A-Za-z_]\w*")


def _descriptions(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [d for k, v in node.items() if k != "description" for d in _descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in _descriptions(v)]
    return []


def _actions(schema: dict[str, Any]) -> set[str]:
    action = schema.get("properties", {}).get("action", {})
    return set(action.get("enum", []))


@pytest.mark.parametrize("surface", list(SURFACES))
async def test_descriptions_name_only_the_surfaces_tools(
    app: Frontdesk, scenario: Scenario, surface: str
) -> None:
    async with Client(build_server(app, surface=surface, default_principal=scenario.principal)) as client:
        tools = (await client.list_tools()).tools
    served = {t.name for t in tools}
    strays = set()
    for t in tools:
        actions = _actions(t.input_schema)  # an action's name (list_nurses) is not a tool's
        for text in [t.description or "", *_descriptions(t.input_schema)]:
            strays |= {(t.name, w) for w in WORD.findall(text) if w in KNOWN - served - actions}
    assert not strays, f"{surface}: texts name tools it does not serve: {sorted(strays)}"


# (surface, tool, arguments, the pointer the message must carry, the one it must not)
POINTERS = [
    (
        "frontdesk",
        "manage_providers",
        {"action": "get", "provider_id": MISSING},
        "manage_providers",
        "admin_",
    ),
    (
        "frontdesk",
        "manage_services",
        {"action": "get", "service_id": MISSING},
        "manage_services",
        "service_list",
    ),
    (
        "coordinalo",
        "client_create",
        {"firstName": "Probe", "titularProviderId": MISSING},
        "admin_list_providers",
        "list_doctors",
    ),
    ("coordinalo", "provider_get_stats", {"providerId": MISSING}, "admin_list_providers", "list_doctors"),
    (
        "coordinalo",
        "booking_create",
        {"serviceId": MISSING, "clientId": 1, "scheduledAt": "2030-01-07T10:00:00"},
        "service_list",
        "list_services",
    ),
    (
        "coordinalo",
        "availability_get_slots",
        {"locationId": MISSING},
        "report_organization_summary",
        "datebooks",
    ),
    ("medcor", "list_appointments", {"tenant_id": MISSING}, "leave tenant_id out", "list_tenants"),
    (
        "charm",
        "manageAppointments",
        {"action": "update", "appointment_id": MISSING, "notes": "x"},
        "call manageAppointments",
        "list_appointments",
    ),
]


@pytest.mark.parametrize(("surface", "tool", "arguments", "wanted", "unwanted"), POINTERS)
async def test_error_messages_point_to_the_surfaces_tools(
    app: Frontdesk,
    scenario: Scenario,
    surface: str,
    tool: str,
    arguments: dict[str, Any],
    wanted: str,
    unwanted: str,
) -> None:
    async with Client(build_server(app, surface=surface, default_principal=scenario.principal)) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    message = result.structured_content["error"]["message"]
    assert wanted in message, message
    assert unwanted not in message, message
