"""Destructive changes need the person's consent, checked by the service: a client that declared
elicitation is asked through it (accept: done; decline or cancel: nothing changes); one that did not
passes confirm: true; the Odonto.me surface leaves it to its client, as the seed says."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp_types import ElicitRequestParams, ElicitResult

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.factories import Scenario

pytestmark = pytest.mark.usefixtures("scenario")

MODES = ["auto", "legacy"]


def booking(sc: Scenario) -> dict[str, object]:
    return {
        "datebook_id": sc.ny,
        "doctor_id": sc.garcia,
        "patient_id": sc.juan,
        "starts_at": "2026-03-03T10:00",
    }


class Person:
    """Stands in for the person behind the client: answers every question the same way."""

    def __init__(self, action: str, content: dict[str, Any] | None = None) -> None:
        self.action, self.content = action, content
        self.asked: list[str] = []

    async def __call__(self, context: object, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        return ElicitResult(action=self.action, content=self.content)  # type: ignore[arg-type]


async def status_of(client: Client, sc: Scenario) -> str:
    day = await client.call_tool(
        "list_appointments", {"datebook_id": sc.ny, "start": "2026-03-03", "end": "2026-03-04"}
    )
    return str(day.structured_content["appointments"][0]["status"])


@pytest.mark.parametrize("mode", MODES)
async def test_an_accepted_question_cancels(app: Frontdesk, scenario: Scenario, mode: str) -> None:
    person = Person("accept", {"confirm": True})
    server = build_server(app, default_principal=scenario.principal)
    async with Client(server, mode=mode, elicitation_callback=person) as client:
        a = (await client.call_tool("create_appointment", booking(scenario))).structured_content
        r = await client.call_tool("update_appointment", {"appointment_id": a["id"], "status": "cancelled"})
        assert not r.is_error, r.content[0].text
        assert r.structured_content["status"] == "cancelled"
        assert len(person.asked) == 1
        assert "Juan Perez" in person.asked[0] and "Garcia" in person.asked[0] and "2026" in person.asked[0]
        # Not destructive: nobody is asked.
        moved = await client.call_tool("update_appointment", {"appointment_id": a["id"], "notes": "x-ray"})
        assert not moved.is_error and len(person.asked) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", [("decline", None), ("cancel", None), ("accept", {"confirm": False})])
async def test_a_declined_question_changes_nothing(
    app: Frontdesk, scenario: Scenario, mode: str, answer: tuple[str, dict[str, Any] | None]
) -> None:
    person = Person(*answer)
    server = build_server(app, default_principal=scenario.principal)
    async with Client(server, mode=mode, elicitation_callback=person) as client:
        a = (await client.call_tool("create_appointment", booking(scenario))).structured_content
        # Even confirm: true does not stand in for the person when the client can ask them.
        r = await client.call_tool(
            "update_appointment", {"appointment_id": a["id"], "status": "cancelled", "confirm": True}
        )
        assert r.is_error and r.structured_content["error"]["code"] == "declined", r.content[0].text
        assert "nothing was changed" in r.content[0].text
        assert person.asked
        assert await status_of(client, scenario) == "scheduled"
        trail = await client.call_tool("list_audit_events", {"record_type": "appointment"})
        outcomes = [(e["action"], e["outcome"]) for e in trail.structured_content["events"]]
        assert ("appointment.update", "declined") in outcomes


async def test_without_elicitation_confirm_is_needed(app: Frontdesk, scenario: Scenario) -> None:
    server = build_server(app, default_principal=scenario.principal)
    async with Client(server) as client:
        a = (await client.call_tool("create_appointment", booking(scenario))).structured_content
        r = await client.call_tool("update_appointment", {"appointment_id": a["id"], "status": "cancelled"})
        assert r.is_error and r.structured_content["error"]["field"] == "confirm"
        assert "ask the person, then call again with confirm: true" in r.content[0].text
        assert await status_of(client, scenario) == "scheduled"


async def test_the_odonto_surface_leaves_confirming_to_its_client(app: Frontdesk, scenario: Scenario) -> None:
    person = Person("decline")
    server = build_server(app, surface="odonto", default_principal=scenario.principal)
    async with Client(server, elicitation_callback=person) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["update_appointment"].annotations.destructive_hint is True
        a = (await client.call_tool("create_appointment", booking(scenario))).structured_content
        r = await client.call_tool("update_appointment", {"appointment_id": a["id"], "status": "cancelled"})
        assert not r.is_error and r.structured_content["status"] == "cancelled"
        assert person.asked == [], "the seed's client asked the person itself"


async def test_asking_about_another_practices_appointment_is_not_found(
    app: Frontdesk, scenario: Scenario
) -> None:
    person = Person("accept", {"confirm": True})
    async with Client(build_server(app, default_principal=scenario.principal)) as mine:
        a = (await mine.call_tool("create_appointment", booking(scenario))).structured_content
    from tests.factories import build_scenario

    other = await build_scenario(app)
    async with Client(build_server(app, default_principal=other.principal), elicitation_callback=person) as c:
        r = await c.call_tool("update_appointment", {"appointment_id": a["id"], "status": "cancelled"})
        assert r.is_error and r.structured_content["error"]["code"] == "not_found"
        assert person.asked == [] and "Juan" not in r.content[0].text
