"""An error names the argument at fault as the caller's surface spells it: a seed surface renames
the operation's fields (serviceId for service_id, doctor_id for provider_id), and its errors must
speak of the argument the caller gave, in `field` and in the text, never of ours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.factories import Scenario

MISSING = 999999
WHEN = "2030-01-07T10:00:00"  # a Monday inside Dr. Garcia's hours
Args = dict[str, Any] | Callable[[Scenario], dict[str, Any]]
# (surface, tool, arguments (or how the scenario gives them), the argument the error names)
CASES: list[tuple[str, str, Args, str]] = [
    ("coordinalo", "service_update", {"serviceId": MISSING, "name": "x"}, "serviceId"),
    (
        "coordinalo",
        "service_assign_provider",
        lambda sc: {"serviceId": MISSING, "providerId": sc.garcia},
        "serviceId",
    ),
    ("coordinalo", "provider_get", {"providerId": MISSING}, "providerId"),
    (
        "coordinalo",
        "service_create",
        {"name": "P", "durationMinutes": 30, "providerIds": [MISSING]},
        "providerIds",
    ),
    (
        "coordinalo",
        "booking_create_recurring",
        lambda sc: {"clientId": MISSING, "providerId": sc.garcia, "scheduledAt": WHEN, "count": 2},
        "clientId",
    ),
    (
        "coordinalo",
        "booking_create_recurring",
        lambda sc: {"clientId": sc.juan, "providerId": MISSING, "scheduledAt": WHEN, "count": 2},
        "providerId",
    ),
    (
        "frontdesk",
        "manage_recurring_appointments",
        lambda sc: {"action": "create", "patient_id": sc.juan, "doctor_id": MISSING, "starts_at": WHEN},
        "doctor_id",
    ),
    ("coordinalo", "booking_cancel", {"sessionId": MISSING, "confirm": True}, "sessionId"),
    ("coordinalo", "waitlist_join", lambda sc: {"clientId": MISSING, "serviceId": sc.cleaning}, "clientId"),
    ("coordinalo", "waitlist_leave", {"entryId": MISSING}, "entryId"),
    ("medcor", "get_doctor_details", {"doctor_id": MISSING}, "doctor_id"),
    ("medcor", "list_appointment_slots", {"doctor_id": MISSING}, "doctor_id"),
    ("medcor", "get_treatment_details", {"treatment_id": MISSING}, "treatment_id"),
    ("medcor", "update_treatment", {"treatment_id": MISSING, "name": "x"}, "treatment_id"),
]


@pytest.mark.parametrize(("surface", "tool", "arguments", "argument"), CASES)
async def test_an_error_names_the_surfaces_argument(
    app: Frontdesk, scenario: Scenario, surface: str, tool: str, arguments: Args, argument: str
) -> None:
    if callable(arguments):
        arguments = arguments(scenario)
    async with Client(build_server(app, surface=surface, default_principal=scenario.principal)) as client:
        takes = next(t for t in (await client.list_tools()).tools if t.name == tool).input_schema[
            "properties"
        ]
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    error = result.structured_content["error"]
    assert error["field"] == argument, error
    assert argument in takes
    text = result.content[0].text
    assert text.startswith(f"Error ({error['code']}): {argument}: "), text


async def test_a_message_naming_a_field_names_the_argument(app: Frontdesk, scenario: Scenario) -> None:
    """A rule's message that names the operation's field reads with the surface's argument."""
    server = build_server(app, surface="coordinalo", default_principal=scenario.principal)
    async with Client(server) as client:
        result = await client.call_tool(
            "booking_create_recurring",
            {
                "clientId": scenario.juan,
                "providerId": scenario.garcia,
                "serviceId": scenario.cleaning,
                "scheduledAt": "not a time",
                "frequency": "weekly",
                "count": 2,
            },
        )
    assert result.is_error
    error = result.structured_content["error"]
    assert error["field"] == "scheduledAt", error
    assert "starts_at" not in error["message"] and "starts_at" not in result.content[0].text, error
