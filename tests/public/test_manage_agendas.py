"""/mcp's manage_agendas (issue 13): the Coordinalo agenda tools as one tool with actions, through the
real MCP client on both databases; snake_case arguments, the same operations (what one surface
writes the other reads), errors naming /mcp's arguments and tools, delete asking for consent."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from tests.factories import Scenario
from tests.mcp.conftest import Connect
from tests.public.conftest import audit_actions, booking_args, call


async def test_every_action_on_mcp(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    async with connect("frontdesk") as staff:
        made = await call(
            staff,
            "manage_agendas",
            {"action": "create", "slug": "main", "title": "Main Street", "provider_id": scenario.garcia},
        )
        first = made["agendas"][0]
        assert made["action"] == "create" and made["count"] == 1 and made["deleted"] is None
        assert first["isDefault"] is True and first["providerId"] == scenario.garcia and first["serviceIds"]
        second = (
            await call(
                staff,
                "manage_agendas",
                {
                    "action": "create",
                    "slug": "crowns",
                    "title": "Crowns",
                    "service_ids": [scenario.crown],
                    "min_advance_minutes": 0,
                },
            )
        )["agendas"][0]
        listed = await call(staff, "manage_agendas", {"action": "list"})
        assert [a["slug"] for a in listed["agendas"]] == ["main", "crowns"] and listed["count"] == 2
        upd = await call(
            staff,
            "manage_agendas",
            {"action": "update", "agenda_id": second["id"], "title": "Crowns only", "is_default": True},
        )
        assert upd["agendas"][0]["title"] == "Crowns only" and upd["agendas"][0]["isDefault"] is True
        flag = await call(staff, "manage_agendas", {"action": "toggle_discoverable", "discoverable": False})
        assert flag["agendas"][0]["id"] == second["id"] and flag["agendas"][0]["isPublic"] is False
    async with connect("coordinalo") as seed:  # one set of operations: the seed's tools see it all
        got = await call(seed, "agendas_get", {"agendaId": second["id"]})
        assert got["title"] == "Crowns only" and got["minAdvanceMinutes"] == 0 and got["isPublic"] is False
    async with connect() as public:
        booked = await call(public, "public_booking_create", booking_args(scenario, agendaSlug="main"))
    async with connect("frontdesk") as staff:
        refused = await call(
            staff, "manage_agendas", {"action": "delete", "agenda_id": first["id"]}, error=True
        )
        assert refused["error"]["field"] == "confirm"
        gone = await call(
            staff, "manage_agendas", {"action": "delete", "agenda_id": first["id"], "confirm": True}
        )
        assert gone["agendas"] == [] and gone["deleted"]["slug"] == "main"
        assert gone["deleted"]["cancelledSessionIds"] and gone["deleted"]["unlinkedServices"] >= 1
        got = await call(staff, "manage_agendas", {"action": "get", "agenda_id": second["id"]})
        assert got["agendas"][0]["slug"] == "crowns"
    async with connect() as public:
        args = {"orgSlug": scenario.slug, "bookingToken": booked["bookingToken"]}
        assert (await call(public, "public_booking_get", args))["status"] == "cancelled"
    trail = await audit_actions(app, scenario)
    assert {"agenda.create", "agenda.update", "agenda.discoverable", "agenda.delete"} <= {
        a for a, *_ in trail
    }


async def test_errors_name_the_arguments_and_tools_of_mcp(connect: Connect, scenario: Scenario) -> None:
    async with connect("frontdesk") as staff:
        missing = await call(staff, "manage_agendas", {"action": "get", "agenda_id": 999999}, error=True)
        assert missing["error"]["field"] == "agenda_id" and missing["error"]["code"] == "not_found"
        assert (
            "manage_agendas" in missing["error"]["message"]
            and "agendas_list" not in missing["error"]["message"]
        )
        none = await call(
            staff, "manage_agendas", {"action": "toggle_discoverable", "discoverable": True}, error=True
        )
        assert "call manage_agendas" in none["error"]["message"] and none["error"]["field"] == "agenda_id"
        needs = await call(staff, "manage_agendas", {"action": "get"}, error=True)
        assert needs["error"]["field"] == "agenda_id" and "agenda_id is required" in needs["error"]["message"]
        stray = await call(staff, "manage_agendas", {"action": "list", "title": "x"}, error=True)
        assert stray["error"]["field"] == "title"
        pct = await call(
            staff,
            "manage_agendas",
            {
                "action": "create",
                "slug": "p",
                "title": "P",
                "cancellation_penalty_kind": "percent",
                "cancellation_penalty_value": 150,
            },
            error=True,
        )
        assert pct["error"]["field"] == "cancellation_penalty_value"
        bad = await call(
            staff, "manage_agendas", {"action": "create", "slug": "Bad Slug!", "title": "X"}, error=True
        )
        assert bad["error"]["field"] == "slug"
        tools = {t.name: t for t in (await staff.list_tools()).tools}
        schema = tools["manage_agendas"].input_schema
        assert "agenda_id" in schema["properties"] and "agendaId" not in schema["properties"]
        assert "agendas_list" not in (tools["manage_agendas"].description or "")
        assert schema["properties"]["action"]["x-actions"]["get"]["required"] == ["agenda_id"]
