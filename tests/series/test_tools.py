"""The series and waitlist tools through the real MCP client, on /mcp and /mcp/coordinalo."""

from __future__ import annotations

from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect


def _create(sc: Scenario, **kw: object) -> dict[str, object]:
    return {
        "action": "create",
        "patient_id": sc.juan,
        "doctor_id": sc.garcia,
        "datebook_id": sc.ny,
        "service_id": sc.cleaning,
        "starts_at": "2026-03-03T10:00",
        "frequency": "weekly",
        "count": 3,
    } | kw


async def test_recurring_series_on_frontdesk(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"manage_recurring_appointments", "manage_waitlist"} <= names
        made = await client.call_tool("manage_recurring_appointments", _create(scenario))
        assert not made.is_error, made.content
        series = made.structured_content["series"]
        assert series["booked"] == 3 and [o["start"][11:16] for o in series["occurrences"]] == ["10:00"] * 3
        ids = [o["appointment_id"] for o in series["occurrences"]]
        clash = await client.call_tool(
            "manage_recurring_appointments", _create(scenario, patient_id=scenario.maria)
        )
        assert clash.is_error
        err = clash.structured_content["error"]
        assert err["code"] == "conflict" and len(err["details"]["conflicts"]) == 3
        assert {c["reason"] for c in err["details"]["conflicts"]} == {"busy"}
        wrong = await client.call_tool("manage_recurring_appointments", _create(scenario, scope="all"))
        assert wrong.is_error and wrong.structured_content["error"]["field"] == "scope"
        unasked = await client.call_tool(
            "manage_recurring_appointments",
            {
                "action": "cancel",
                "series_id": series["series_id"],
                "scope": "following",
                "appointment_id": ids[1],
            },
        )
        assert unasked.is_error and unasked.structured_content["error"]["field"] == "confirm"
        done = await client.call_tool(
            "manage_recurring_appointments",
            {
                "action": "cancel",
                "series_id": series["series_id"],
                "scope": "following",
                "appointment_id": ids[1],
                "confirm": True,
            },
        )
        assert not done.is_error and done.structured_content["cancelled_appointment_ids"] == ids[1:]
        got = await client.call_tool(
            "manage_recurring_appointments", {"action": "get", "series_id": series["series_id"]}
        )
        assert [o["status"] for o in got.structured_content["series"]["occurrences"]] == [
            "booked",
            "cancelled",
            "cancelled",
        ]


async def test_waitlist_on_frontdesk(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        booked = await client.call_tool(
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_id": scenario.juan,
                "starts_at": "2026-03-04T11:00",
                "ends_at": "2026-03-04T11:30",
            },
        )
        joined = await client.call_tool(
            "manage_waitlist",
            {
                "action": "join",
                "patient_id": scenario.maria,
                "service_id": scenario.cleaning,
                "time_of_day": "morning",
            },
        )
        assert not joined.is_error, joined.content
        entry = joined.structured_content["entries"][0]
        assert entry["status"] == "waiting" and entry["from_time"] == "00:00"
        extra = await client.call_tool(
            "manage_waitlist", {"action": "leave", "entry_id": entry["id"], "priority": 3}
        )
        assert extra.is_error and extra.structured_content["error"]["field"] == "priority"
        await client.call_tool(
            "update_appointment",
            {"appointment_id": booked.structured_content["id"], "status": "cancelled", "confirm": True},
        )
        listed = await client.call_tool("manage_waitlist", {"action": "list"})
        [offered] = listed.structured_content["entries"]
        assert offered["status"] == "offered" and offered["offer"]["start"] == "2026-03-04T11:00:00-05:00"
        took = await client.call_tool("manage_waitlist", {"action": "accept", "entry_id": entry["id"]})
        assert not took.is_error and took.structured_content["appointment"]["status"] == "scheduled"
        assert took.structured_content["appointment"]["patient_id"] == scenario.maria


async def test_coordinalo_tools_take_camel_case_and_confirm(connect: Connect, scenario: Scenario) -> None:
    async with connect("coordinalo") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert {"booking_create_recurring", "waitlist_join", "waitlist_list", "waitlist_leave"} <= set(tools)
        # Frontdesk's own series and offer tools are not added to the seed's surface.
        assert not {"booking_cancel_recurring", "waitlist_accept"} & set(tools)
        described = tools["booking_create_recurring"].description or ""
        assert described.startswith("Create recurring sessions (e.g. weekly therapy).")
        assert "onConflict" in described and "on_conflict" not in described
        made = await client.call_tool(
            "booking_create_recurring",
            {
                "clientId": scenario.juan,
                "providerId": scenario.garcia,
                "serviceId": scenario.crown,
                "scheduledAt": "2026-03-05T09:00",
                "rrule": "FREQ=WEEKLY;BYDAY=TH,SA;COUNT=4",
                "onConflict": "skip",
            },
        )
        assert not made.is_error, made.content
        out = made.structured_content
        assert out["booked"] == 2 and out["conflicts"] == 2  # Saturdays are outside the hours
        assert out["datebook_id"] == scenario.ny  # the one place Dr. Garcia works
        none = await client.call_tool(
            "booking_create_recurring",
            {
                "clientId": scenario.maria,
                "providerId": scenario.garcia,
                "scheduledAt": "2026-03-05T09:00",
                "frequency": "weekly",
                "count": 2,
            },
        )
        assert none.is_error and "onConflict" in none.content[0].text
        snake = await client.call_tool("booking_create_recurring", {"client_id": scenario.juan})
        assert snake.is_error
        first = next(o for o in out["occurrences"] if o["status"] == "booked")
        unconfirmed = await client.call_tool("booking_cancel", {"sessionId": first["appointment_id"]})
        assert unconfirmed.is_error and unconfirmed.structured_content["error"]["field"] == "confirm"
        joined = await client.call_tool(
            "waitlist_join",
            {
                "clientId": scenario.maria,
                "serviceId": scenario.cleaning,
                "providerId": scenario.garcia,
                "fromTime": "09:00",
                "toTime": "10:00",
                "priority": 2,
            },
        )
        assert not joined.is_error, joined.content
        cancelled = await client.call_tool(
            "booking_cancel", {"sessionId": first["appointment_id"], "confirm": True}
        )
        assert not cancelled.is_error, cancelled.content
        listed = await client.call_tool("waitlist_list", {"clientId": scenario.maria})
        [entry] = listed.structured_content["entries"]
        assert entry["offer"]["start"] == "2026-03-05T09:00:00-05:00"
        # The held offer is booked like any booking there; the waitlist counts it as accepted.
        held = entry["offer"]["appointment_id"]
        took = await client.call_tool("booking_update_status", {"sessionId": held, "action": "confirm"})
        assert not took.is_error, took.content
        left = await client.call_tool("waitlist_leave", {"entryId": entry["id"]})
        assert left.is_error and left.structured_content["error"]["code"] == "conflict"


SERIES_TOOLS = frozenset({"booking_create_recurring", "waitlist_join", "waitlist_list", "waitlist_leave"})


async def test_roles_and_other_practices_through_the_tools(app: Frontdesk, scenario: Scenario) -> None:
    reader = Principal(scenario.practice_id, "user:ro", access.ROLE_SCOPES[access.Role.READ_ONLY])
    async with Client(build_server(app, surface="coordinalo", default_principal=reader)) as client:
        names = {t.name for t in (await client.list_tools()).tools} & SERIES_TOOLS
        assert names == {"waitlist_list"}  # the writes are not even listed to a read-only credential
        assert not (await client.call_tool("waitlist_list", {})).is_error
    own = build_server(app, surface="frontdesk", default_principal=scenario.principal)
    async with Client(own) as client:
        made = await client.call_tool("manage_recurring_appointments", _create(scenario, count=1))
        sid = made.structured_content["series"]["series_id"]
        joined = await client.call_tool(
            "manage_waitlist",
            {"action": "join", "patient_id": scenario.juan, "service_id": scenario.cleaning},
        )
        eid = joined.structured_content["entries"][0]["id"]
    other = await build_scenario(app)
    async with Client(build_server(app, surface="frontdesk", default_principal=other.principal)) as client:
        for args in (
            {"action": "get", "series_id": sid},
            {"action": "cancel", "series_id": sid, "scope": "all", "confirm": True},
        ):
            probe = await client.call_tool("manage_recurring_appointments", args)
            assert probe.is_error and probe.structured_content["error"]["code"] == "not_found"
        for args in ({"action": "accept", "entry_id": eid}, {"action": "leave", "entry_id": eid}):
            probe = await client.call_tool("manage_waitlist", args)
            assert probe.is_error and probe.structured_content["error"]["code"] == "not_found"
        joined = await client.call_tool(
            "manage_waitlist", {"action": "join", "patient_id": scenario.juan, "service_id": other.cleaning}
        )
        assert joined.is_error and joined.structured_content["error"]["code"] == "not_found"
