"""The Coordinalo booking tools through the real MCP client, on both databases."""

from __future__ import annotations

from sqlalchemy import update

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal
from frontdesk.storage import models as m
from tests.bookings.conftest import add_providers, audit_actions, call, configure, set_titular
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect

# The clock: Monday 2 March 2026, 08:00 in New York. Garcia works at Main Street 09-17 (lunch 12-13).
TUESDAY_10 = "2026-03-03T10:00"


def create(sc: Scenario, **kw: object) -> dict[str, object]:
    """booking_create's arguments: at Main Street unless told (a time without offset is local to the
    location: without one, 10:00 is 10:00 in New York and in Lisbon)."""
    return {
        "serviceId": sc.cleaning,
        "clientId": sc.juan,
        "scheduledAt": TUESDAY_10,
        "locationId": sc.ny,
        **kw,
    }


async def test_create_auto_assigns_and_prefers_the_titular(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    extra = await add_providers(app, scenario, 2)
    await set_titular(app, scenario, scenario.maria, extra[1])
    async with connect("coordinalo") as client:
        first = await call(client, "booking_create", create(scenario, locationId=scenario.ny))
        assert first["status"] == "scheduled" and first["assignedBy"] == "round_robin"
        assert first["providerId"] in {scenario.garcia, *extra}
        assert first["scheduledAt"] == "2026-03-03T10:00:00-05:00"
        titular = await call(
            client, "booking_create", create(scenario, clientId=scenario.maria, locationId=None)
        )
        assert titular["providerId"] == extra[1] and titular["assignedBy"] == "titular"
        named = await call(
            client,
            "booking_create",
            create(scenario, providerId=scenario.garcia, scheduledAt="2026-03-03T11:00"),
        )
        assert named["providerId"] == scenario.garcia and named["assignedBy"] is None
        # Nobody works at 07:00: refused naming the seed's parameter.
        early = await call(
            client, "booking_create", create(scenario, scheduledAt="2026-03-03T07:00"), error=True
        )
        assert early["error"]["field"] == "scheduledAt"
        got = await call(client, "booking_get", {"sessionId": first["id"]})
        assert got == first


async def test_round_robin_spreads_through_the_service(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    extra = await add_providers(app, scenario, 2)
    everyone = {scenario.garcia, *extra}
    async with connect("coordinalo") as client:
        got = []
        for hhmm in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30"):
            done = await call(
                client,
                "booking_create",
                create(scenario, scheduledAt=f"2026-03-03T{hhmm}", locationId=scenario.ny),
            )
            got.append(done["providerId"])
    assert set(got) == everyone and all(got.count(p) == 2 for p in everyone)


async def test_least_booked_and_assisted_assignment_off(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    (other,) = await add_providers(app, scenario, 1)
    await configure(app, scenario, availability__assignmentStrategy="least_booked")
    async with connect("coordinalo") as client:
        for hhmm in ("09:00", "09:30"):
            await call(
                client,
                "booking_create",
                create(scenario, providerId=scenario.garcia, scheduledAt=f"2026-03-03T{hhmm}"),
            )
        done = await call(client, "booking_create", create(scenario, scheduledAt="2026-03-03T14:00"))
        assert done["providerId"] == other and done["assignedBy"] == "least_booked"
        await configure(app, scenario, availability__assistedAssignment=False)
        off = await call(
            client, "booking_create", create(scenario, scheduledAt="2026-03-03T15:00"), error=True
        )
        assert off["error"]["field"] == "providerId"


async def test_retroactive_sessions(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    async with connect("coordinalo") as client:
        past = create(
            scenario, providerId=scenario.garcia, scheduledAt="2025-12-01T10:00", locationId=scenario.ny
        )
        done = await call(client, "booking_create", past)
        assert done["status"] == "completed" and done["provenance"] == "self_declared"
        # A past time outside working hours and overlapping is recorded as declared: no slot check.
        again = await call(
            client, "booking_create", past | {"scheduledAt": "2025-12-01T10:15", "retroactive": True}
        )
        assert again["status"] == "completed"
        too_old = await call(client, "booking_create", past | {"scheduledAt": "2025-02-01T10:00"}, error=True)
        assert "365" in too_old["error"]["message"]
        nobody = await call(
            client,
            "booking_create",
            create(scenario, scheduledAt="2025-12-02T10:00", locationId=scenario.ny),
            error=True,
        )
        assert nobody["error"]["field"] == "providerId"
        history = await call(client, "lifecycle_get_history", {"sessionId": done["id"]})
        assert [(e["from"], e["to"], e["reason"]) for e in history["events"]] == [
            (None, "completed", "retroactive")
        ]


async def test_list_pages_by_cursor_while_rows_are_inserted(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect("coordinalo") as client:
        made = []
        for hhmm in ("09:00", "10:00", "11:00", "13:00", "14:00"):
            s = await call(
                client,
                "booking_create",
                create(scenario, providerId=scenario.garcia, scheduledAt=f"2026-03-04T{hhmm}"),
            )
            made.append(s["id"])
        first = await call(client, "booking_list", {"providerId": scenario.garcia, "limit": 2})
        assert [x["id"] for x in first["sessions"]] == made[:2] and first["nextCursor"]
        # One inserted before the cursor (not repeated), one after it (not skipped).
        await call(
            client,
            "booking_create",
            create(scenario, providerId=scenario.garcia, scheduledAt="2026-03-04T09:30"),
        )
        late = await call(
            client,
            "booking_create",
            create(scenario, providerId=scenario.garcia, scheduledAt="2026-03-04T15:00"),
        )
        seen, cursor = [], first["nextCursor"]
        while cursor:
            page = await call(
                client, "booking_list", {"providerId": scenario.garcia, "limit": 2, "cursor": cursor}
            )
            seen += [x["id"] for x in page["sessions"]]
            cursor = page["nextCursor"]
        assert seen == [*made[2:], late["id"]]
        only = await call(client, "booking_list", {"status": "scheduled", "clientId": scenario.maria})
        assert only["sessions"] == []
        bad = await call(client, "booking_list", {"cursor": "nonsense"}, error=True)
        assert bad["error"]["field"] == "cursor"


async def test_cancellation_policy(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    async with app.db.write() as s:
        await s.execute(
            update(m.Service)
            .where(m.Service.id == scenario.cleaning)
            .values(price_cents=8000, currency="EUR")
        )
    await configure(
        app,
        scenario,
        policies__cancellationType="penalty",
        policies__cancellationDeadlineHours=24,
        policies__cancellationPenaltyKind="percent",
        policies__cancellationPenaltyValue=25,
    )
    async with connect("coordinalo") as client:
        soon = await call(client, "booking_create", create(scenario, scheduledAt="2026-03-02T15:00"))
        later = await call(client, "booking_create", create(scenario, scheduledAt="2026-03-06T10:00"))
        unconfirmed = await call(client, "booking_cancel", {"sessionId": soon["id"]}, error=True)
        assert unconfirmed["error"]["field"] == "confirm"
        late = await call(client, "booking_cancel", {"sessionId": soon["id"], "confirm": True})
        assert late["status"] == "cancelled" and late["penalty"] == {"amountCents": 2000, "currency": "EUR"}
        on_time = await call(client, "booking_cancel", {"sessionId": later["id"], "confirm": True})
        assert on_time["status"] == "cancelled" and on_time["penalty"] is None
        await configure(app, scenario, policies__cancellationType="block")
        blocked = await call(client, "booking_create", create(scenario, scheduledAt="2026-03-02T16:00"))
        refused = await call(
            client, "booking_cancel", {"sessionId": blocked["id"], "confirm": True}, error=True
        )
        assert refused["error"]["code"] == "conflict"
        assert (await call(client, "booking_get", {"sessionId": blocked["id"]}))["status"] == "scheduled"
    trail = await audit_actions(app, scenario)
    assert ("appointment.cancel", str(soon["id"]), "ok", "penalty=2000 EUR") in trail
    assert any(a == "appointment.cancel" and r == str(blocked["id"]) and o != "ok" for a, r, o, _ in trail)


async def test_reschedule_links_both_ways(connect: Connect, scenario: Scenario) -> None:
    async with connect("coordinalo") as client:
        old = await call(client, "booking_create", create(scenario, providerId=scenario.garcia))
        args = {"sessionId": old["id"], "scheduledAt": "2026-03-03T10:15", "confirm": True}
        done = await call(client, "booking_reschedule", args)
        assert done["cancelled"]["status"] == "cancelled" and done["booked"]["status"] == "scheduled"
        assert done["cancelled"]["rescheduledToId"] == done["booked"]["id"]
        assert done["booked"]["rescheduledFromId"] == old["id"]
        assert done["booked"]["scheduledAt"] == "2026-03-03T10:15:00-05:00"
        again = await call(client, "booking_reschedule", args, error=True)
        assert again["error"]["code"] == "conflict"


async def test_lifecycle_allowed_and_refused(connect: Connect, scenario: Scenario) -> None:
    async with connect("coordinalo") as client:
        s = await call(client, "booking_create", create(scenario, providerId=scenario.garcia))
        sid = s["id"]
        state = await call(client, "lifecycle_get_state", {"sessionId": sid})
        assert state["current_state"] == "scheduled" and "confirm" in state["available_transitions"]
        skip = await call(
            client, "lifecycle_transition", {"sessionId": sid, "to_state": "completed"}, error=True
        )
        assert skip["error"]["code"] == "conflict"
        assert await call(client, "lifecycle_transition", {"sessionId": sid, "action": "deliver"}, error=True)
        for action in ("confirm", "start", "complete"):
            done = await call(client, "booking_update_status", {"sessionId": sid, "action": action})
        assert done["status"] == "completed"
        documented = await call(client, "lifecycle_transition", {"sessionId": sid, "to_state": "documented"})
        assert documented["available_transitions"] == {"mark_error": "entered_in_error"}
        page = await call(client, "lifecycle_get_history", {"sessionId": sid, "limit": 2})
        assert [(e["from"], e["to"]) for e in page["events"]] == [
            (None, "scheduled"),
            ("scheduled", "confirmed"),
        ]
        rest = await call(
            client, "lifecycle_get_history", {"sessionId": sid, "from_sequence": page["next_cursor"]}
        )
        assert [e["to"] for e in rest["events"]] == ["in_progress", "completed", "documented"]
        assert {e["method"] for e in page["events"] + rest["events"]} == {"manual"}
        assert all(e["by"] == "test" for e in rest["events"])


async def test_no_show_block_and_override(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    await configure(app, scenario, policies__noShowMaxStrikes=2, policies__noShowBlockDays=30)
    async with connect("coordinalo") as client:
        for hhmm in ("09:00", "10:00"):
            s = await call(
                client,
                "booking_create",
                create(scenario, providerId=scenario.garcia, scheduledAt=f"2026-03-02T{hhmm}"),
            )
            needs_side = await call(
                client, "booking_update_status", {"sessionId": s["id"], "action": "no_show"}, error=True
            )
            assert needs_side["error"]["field"] == "noShowType"
            marked = await call(
                client,
                "booking_update_status",
                {"sessionId": s["id"], "action": "no_show", "noShowType": "client"},
            )
            assert marked["noShowType"] == "client"
        blocked = await call(
            client, "booking_create", create(scenario, scheduledAt="2026-03-05T10:00"), error=True
        )
        assert blocked["error"]["field"] == "clientId" and "blocked_until" in blocked["error"]["details"]
        forced = await call(
            client,
            "booking_create",
            create(scenario, scheduledAt="2026-03-05T10:00", overrideNoShowBlock=True),
        )
        # A provider's no-show is not the client's strike.
        other = await call(
            client,
            "booking_create",
            create(
                scenario, clientId=scenario.maria, scheduledAt="2026-03-02T11:00", providerId=scenario.garcia
            ),
        )
        await call(
            client,
            "booking_update_status",
            {"sessionId": other["id"], "action": "no_show", "noShowType": "provider"},
        )
        await call(
            client,
            "booking_create",
            create(scenario, clientId=scenario.maria, scheduledAt="2026-03-05T11:00"),
        )
    trail = await audit_actions(app, scenario)
    assert any(
        a == "appointment.create" and r == str(forced["id"]) and d and "no_show_block_overridden" in d
        for a, r, _, d in trail
    )


async def test_slots_and_stats(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    await set_titular(app, scenario, scenario.maria, scenario.silva_j)
    async with connect("coordinalo") as client:
        week = {"startDate": "2026-03-03", "endDate": "2026-03-04"}
        by_service = await call(client, "availability_get_slots", week | {"serviceId": scenario.cleaning})
        assert by_service["mode"] == "service" and {x["providerId"] for x in by_service["slots"]} <= {
            scenario.garcia,
            scenario.silva_j,
            scenario.silva_a,
        }
        by_client = await call(client, "availability_get_slots", week | {"clientId": scenario.maria})
        assert by_client["mode"] == "client" and {x["providerId"] for x in by_client["slots"]} == {
            scenario.silva_j
        }
        at_ny = await call(client, "availability_get_slots", week | {"locationId": scenario.ny})
        assert at_ny["mode"] == "location" and all(x["providerId"] is None for x in at_ny["slots"])
        assert at_ny["slots"][0]["start"] == "2026-03-03T09:00:00-05:00"
        s = await call(
            client,
            "booking_create",
            create(scenario, providerId=scenario.garcia, scheduledAt="2026-03-02T09:00"),
        )
        n = await call(
            client,
            "booking_create",
            create(scenario, providerId=scenario.garcia, scheduledAt="2026-03-02T10:00"),
        )
        for action in ("confirm", "start", "complete"):
            await call(client, "booking_update_status", {"sessionId": s["id"], "action": action})
        await call(
            client,
            "booking_update_status",
            {"sessionId": n["id"], "action": "no_show", "noShowType": "client"},
        )
        stats = await call(
            client,
            "provider_get_stats",
            {"providerId": scenario.garcia, "startDate": "2026-03-02", "endDate": "2026-03-03"},
        )
        (row,) = stats["rows"]
        assert (row["sessions"], row["delivered"], row["no_shows"], row["no_show_rate"]) == (2, 1, 1, 0.5)
        assert (
            row["open_minutes"] == 420
            and row["booked_minutes"] == 30
            and row["occupancy"] == round(30 / 420, 4)
        )


async def test_roles_and_other_practices(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    other = await build_scenario(app)
    async with connect("coordinalo") as client:
        mine = await call(client, "booking_create", create(scenario, providerId=scenario.garcia))
        for tool, args in (
            ("booking_create", create(other)),
            ("booking_create", create(scenario, providerId=other.garcia)),
        ):
            probe = await call(client, tool, args, error=True)
            assert probe["error"]["code"] == "not_found"
    theirs = build_server(app, surface="coordinalo", default_principal=other.principal)
    from mcp import Client

    async with Client(theirs) as client:
        for tool, args in (
            ("booking_get", {"sessionId": mine["id"]}),
            ("lifecycle_get_state", {"sessionId": mine["id"]}),
            ("lifecycle_get_history", {"sessionId": mine["id"]}),
            ("booking_cancel", {"sessionId": mine["id"], "confirm": True}),
            ("lifecycle_transition", {"sessionId": mine["id"], "action": "confirm"}),
        ):
            probe = await call(client, tool, args, error=True)
            assert probe["error"]["code"] == "not_found", tool
    reader = Principal(
        scenario.practice_id, "reader", scopes=frozenset({"appointments:read", "patients:read"})
    )
    async with Client(build_server(app, surface="coordinalo", default_principal=reader)) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "booking_create" not in tools and "booking_get" in tools
        refused = await client.call_tool("booking_cancel", {"sessionId": mine["id"], "confirm": True})
        assert refused.is_error
    assert (await app.bookings.get(scenario.principal, mine["id"])).appointment.status == "scheduled"


async def test_create_with_an_idempotency_key_books_once(connect: Connect, scenario: Scenario) -> None:
    async with connect("coordinalo") as client:
        args = create(scenario, providerId=scenario.garcia, idempotencyKey="visit-1")
        first = await call(client, "booking_create", args)
        again = await call(client, "booking_create", args)
        assert again["id"] == first["id"]
        listed = await call(client, "booking_list", {"clientId": scenario.juan})
        assert listed["count"] == 1
        other = await call(client, "booking_create", args | {"scheduledAt": "2026-03-03T11:00"}, error=True)
        assert other["error"]["code"] in ("conflict", "invalid")


async def test_a_reschedule_that_cannot_book_changes_nothing(connect: Connect, scenario: Scenario) -> None:
    async with connect("coordinalo") as client:
        old = await call(client, "booking_create", create(scenario, providerId=scenario.garcia))
        taken = await call(
            client,
            "booking_create",
            create(scenario, providerId=scenario.garcia, scheduledAt="2026-03-03T14:00"),
        )
        args = {"sessionId": old["id"], "scheduledAt": "2026-03-03T14:00", "confirm": True}
        clash = await call(client, "booking_reschedule", args, error=True)
        assert clash["error"]["code"] == "conflict" and clash["error"]["field"] == "scheduledAt"
        assert taken["id"] in clash["error"]["details"]["conflicting_appointment_ids"]
        still = await call(client, "booking_get", {"sessionId": old["id"]})
        assert still["status"] == "scheduled" and still["rescheduledToId"] is None
        history = await call(client, "lifecycle_get_history", {"sessionId": old["id"]})
        assert [e["to"] for e in history["events"]] == ["scheduled"]


def test_the_status_filter_names_every_lifecycle_state() -> None:
    """The seeds' list filters take the lifecycle's states, declared once beside the transition table."""
    from typing import get_args

    from frontdesk.domain.scheduling.status import AppointmentStatus
    from frontdesk.services.scheduling.operations.coordinalo import Status

    assert set(get_args(Status)) == {s.value for s in AppointmentStatus}
