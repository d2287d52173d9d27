"""The six setup tools of /mcp, and practice-wide closures in the slot engine (real MCP client, both
databases)."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from frontdesk.services.context import Principal
from tests.factories import Scenario, build_scenario
from tests.setup.conftest import Open, call, desk, refused

SETUP_TOOLS = {
    "manage_locations",
    "manage_providers",
    "manage_services",
    "manage_availability",
    "practice_settings",
    "organization_summary",
}


async def test_setup_on_mcp_is_six_tools(open_as: Open, scenario: Scenario) -> None:
    async with open_as(scenario.principal) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert SETUP_TOOLS <= names and len(names) <= 60


async def test_locations_providers_services_through_manage_tools(open_as: Open, empty: Principal) -> None:
    async with open_as(empty) as c:
        bad = await refused(
            c, "manage_locations", {"action": "create", "name": "Centro", "timezone": "Mars/Olympus"}
        )
        assert bad["field"] == "timezone"
        loc = (
            await call(
                c,
                "manage_locations",
                {"action": "create", "name": "Centro", "timezone": "America/Santiago", "city": "Santiago"},
            )
        )["locations"][0]
        dup = await refused(c, "manage_locations", {"action": "create", "name": "centro", "timezone": "UTC"})
        assert dup["code"] == "conflict"
        moved = await call(
            c,
            "manage_locations",
            {"action": "update", "location_id": loc["id"], "address": "Av. Providencia 1"},
        )
        assert moved["locations"][0]["address"] == "Av. Providencia 1"
        wrong = await refused(
            c, "manage_locations", {"action": "update", "location_id": loc["id"], "include_inactive": True}
        )
        assert wrong["field"] == "include_inactive"  # not a field of update

        a = (await call(c, "manage_providers", {"action": "create", "name": "Dr. Uno", "specialty": "GP"}))[
            "providers"
        ][0]
        b = (
            await call(
                c, "manage_providers", {"action": "create", "name": "Dr. Dos", "commission_percent": 30}
            )
        )["providers"][0]
        svc = (
            await call(
                c,
                "manage_services",
                {
                    "action": "create",
                    "name": "Consulta",
                    "duration_minutes": 30,
                    "price_cents": 30000,
                    "currency": "CLP",
                },
            )
        )["services"][0]
        assert svc["provider_ids"] == []  # two providers: nobody chosen for it
        svc = (
            await call(
                c,
                "manage_services",
                {"action": "assign_provider", "service_id": svc["id"], "provider_id": a["id"]},
            )
        )["services"][0]
        svc = (
            await call(
                c,
                "manage_services",
                {"action": "assign_provider", "service_id": svc["id"], "provider_id": b["id"]},
            )
        )["services"][0]
        assert svc["provider_ids"] == sorted([a["id"], b["id"]])
        svc = (
            await call(
                c,
                "manage_services",
                {"action": "unassign_provider", "service_id": svc["id"], "provider_id": b["id"]},
            )
        )["services"][0]
        assert svc["provider_ids"] == [a["id"]]
        summary = await call(c, "organization_summary", {})
        status = summary["onboarding_status"]
        assert status["ready"] is False
        assert any("Dr. Uno" in m and "weekly hours" in m for m in status["missing"]), status

        week = [
            {"day": "mon", "start": "8:30", "end": "12:00"},
            {"day": "mon", "start": "14:00", "end": "18:00"},
        ]
        got = await call(
            c, "manage_availability", {"action": "set_weekly", "provider_id": a["id"], "schedule": week}
        )
        assert got["locations"][0]["blocks"][0] == {"day": "monday", "start": "08:30", "end": "12:00"}
        overlap = await refused(
            c,
            "manage_availability",
            {
                "action": "set_weekly",
                "provider_id": a["id"],
                "schedule": [*week, {"day": "monday", "start": "11:00", "end": "13:00"}],
            },
        )
        assert overlap["field"] == "schedule"
        outside = await refused(
            c,
            "manage_availability",
            {
                "action": "set_weekly",
                "provider_id": a["id"],
                "schedule": week,
                "breaks": [{"day": "monday", "start": "12:30", "end": "13:00"}],
            },
        )
        assert outside["field"] == "breaks"
        assert (await call(c, "organization_summary", {}))["onboarding_status"]["ready"] is True

        settings = await call(c, "practice_settings", {"action": "get", "chapter": "policies"})
        assert set(settings["settings"]) == {"policies"}
        org = await call(
            c, "practice_settings", {"action": "update_organization", "description": "Medicina general"}
        )
        assert org["organization"]["description"] == "Medicina general"


async def test_the_front_desk_may_read_setup_but_not_change_it(open_as: Open, scenario: Scenario) -> None:
    async with open_as(desk(scenario.principal)) as c:
        assert (await call(c, "manage_providers", {"action": "list"}))["count"] == 3
        assert (await call(c, "organization_summary", {}))["counts"]["providers"] == 3
        for tool, args in (
            ("manage_locations", {"action": "create", "name": "X", "timezone": "UTC"}),
            ("manage_providers", {"action": "update", "provider_id": scenario.garcia, "active": False}),
            ("manage_services", {"action": "create", "name": "X", "duration_minutes": 10}),
            ("manage_availability", {"action": "add_closure", "day": "2026-03-04"}),
            ("practice_settings", {"action": "update", "settings": {"policies.noShowMaxStrikes": 2}}),
        ):
            assert (await refused(c, tool, args))["code"] == "forbidden", tool


async def test_cross_practice_ids_are_not_found_on_mcp(
    open_as: Open, app: Frontdesk, scenario: Scenario
) -> None:
    other = await build_scenario(app)
    async with open_as(scenario.principal) as c:
        for tool, args in (
            ("manage_locations", {"action": "update", "location_id": other.ny, "name": "Mine now"}),
            ("manage_providers", {"action": "get", "provider_id": other.garcia}),
            ("manage_services", {"action": "get", "service_id": other.crown}),
            ("manage_availability", {"action": "get_schedule", "provider_id": other.garcia}),
            (
                "manage_availability",
                {
                    "action": "add_time_off",
                    "provider_id": other.garcia,
                    "start": "2026-03-04T09:00",
                    "end": "2026-03-04T12:00",
                },
            ),
            ("manage_availability", {"action": "add_closure", "day": "2026-03-04", "location_id": other.ny}),
        ):
            assert (await refused(c, tool, args))["code"] == "not_found", tool


async def _starts(c: object, scenario: Scenario, day: str, doctor: int | None = None) -> list[str]:
    args = {
        "datebook_id": scenario.ny,
        "start": day,
        "end": day + "T23:59",
        "doctor_id": doctor or scenario.garcia,
    }
    found = await call(c, "find_available_slots", args)  # type: ignore[arg-type]
    return [s["start"] for s in found["slots"]]


async def test_holidays_closures_overrides_and_time_off_close_the_slots(
    open_as: Open, scenario: Scenario
) -> None:
    async with open_as(scenario.principal) as c:
        assert await _starts(c, scenario, "2026-03-04")
        holiday = await call(
            c, "manage_availability", {"action": "add_closure", "day": "2026-03-04", "reason": "Holiday"}
        )
        assert holiday["exceptions"][0]["closed"] is True
        assert await _starts(c, scenario, "2026-03-04") == []
        err = await refused(
            c,
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_id": scenario.juan,
                "starts_at": "2026-03-04T10:00",
            },
        )
        assert err["field"] == "starts_at"
        # Open only 10:00-11:00 everywhere on the 5th; closed 15:00-17:00 on the 6th at Main Street.
        await call(
            c,
            "manage_availability",
            {
                "action": "add_closure",
                "day": "2026-03-05",
                "start": "10:00",
                "end": "11:00",
                "open_only": True,
            },
        )
        fifth = await _starts(c, scenario, "2026-03-05")
        assert fifth and all(s.startswith("2026-03-05T10:") for s in fifth)
        await call(
            c,
            "manage_availability",
            {
                "action": "add_closure",
                "day": "2026-03-06",
                "start": "15:00",
                "end": "17:00",
                "location_id": scenario.ny,
            },
        )
        sixth = await _starts(c, scenario, "2026-03-06")
        assert sixth and not any(s >= "2026-03-06T15:00" for s in sixth)
        # One provider: a day override and time off.
        await call(
            c,
            "manage_availability",
            {
                "action": "set_day_override",
                "provider_id": scenario.garcia,
                "day": "2026-03-09",
                "start": "09:00",
                "end": "10:00",
                "location_id": scenario.ny,
            },
        )
        ninth = await _starts(c, scenario, "2026-03-09")
        assert ninth[0] == "2026-03-09T09:00:00-04:00" and all(s < "2026-03-09T09:31" for s in ninth)
        off = await call(
            c,
            "manage_availability",
            {
                "action": "add_time_off",
                "provider_id": scenario.garcia,
                "start": "2026-03-10T09:00",
                "end": "2026-03-10T17:00",
                "reason": "Congress",
            },
        )
        assert await _starts(c, scenario, "2026-03-10") == []
        listed = await call(
            c,
            "manage_availability",
            {"action": "list_exceptions", "start": "2026-03-01", "end": "2026-03-31"},
        )
        kinds = sorted(e["kind"] for e in listed["exceptions"])
        assert kinds == ["closure", "closure", "closure", "override", "time_off"]
        time_off_id = next(e["id"] for e in off["exceptions"] if e["kind"] == "time_off")
        await call(c, "manage_availability", {"action": "remove_exception", "exception_id": time_off_id})
        assert await _starts(c, scenario, "2026-03-10")
        holiday_id = holiday["exceptions"][0]["id"]
        await call(c, "manage_availability", {"action": "remove_exception", "exception_id": holiday_id})
        assert await _starts(c, scenario, "2026-03-04")
        gone = await refused(
            c, "manage_availability", {"action": "remove_exception", "exception_id": holiday_id}
        )
        assert gone["code"] == "not_found"


async def test_slots_for_a_service_come_only_from_its_providers(open_as: Open, scenario: Scenario) -> None:
    async with open_as(scenario.principal) as c:
        await call(
            c,
            "manage_services",
            {"action": "unassign_provider", "service_id": scenario.crown, "provider_id": scenario.garcia},
        )
        args = {"start": "2026-03-04", "end": "2026-03-05", "service_id": scenario.crown}
        found = await call(c, "find_available_slots", args)
        assert found["slots"] and scenario.garcia not in {s["doctor_id"] for s in found["slots"]}
        mine = await call(c, "find_available_slots", args | {"doctor_id": scenario.garcia})
        assert mine["slots"] == []
        cleaning = await call(
            c, "find_available_slots", args | {"service_id": scenario.cleaning, "doctor_id": scenario.garcia}
        )
        assert cleaning["slots"]


async def test_a_weekly_block_is_added_to_the_week(open_as: Open, scenario: Scenario) -> None:
    async with open_as(scenario.principal) as c:
        args = {"action": "add_block", "provider_id": scenario.garcia, "weekday": "saturday"}
        week = await call(c, "manage_availability", args | {"start": "09:00", "end": "12:00"})
        assert week["locations"][0]["blocks"][-1] == {"day": "saturday", "start": "09:00", "end": "12:00"}
        clash = await refused(c, "manage_availability", args | {"start": "11:00", "end": "13:00"})
        assert clash["code"] == "conflict" and clash["field"] == "start"
        assert await _starts(c, scenario, "2026-03-07")


async def test_set_weekly_without_a_schedule_takes_the_practice_default_hours(
    app: Frontdesk, empty: Principal, open_as: Open
) -> None:
    await app.practice_settings.update(
        empty,
        {
            "availability.weekdayStart": "08:00",
            "availability.weekdayEnd": "16:30",
            "availability.saturdayEnabled": True,
            "availability.saturdayStart": "09:00",
            "availability.saturdayEnd": "12:00",
        },
    )
    async with open_as(empty) as c:
        await call(
            c, "manage_locations", {"action": "create", "name": "Centro", "timezone": "America/Santiago"}
        )
        pid = (
            await call(c, "manage_providers", {"action": "create", "name": "Dr. Default", "specialty": "GP"})
        )["providers"][0]["id"]
        got = await call(c, "manage_availability", {"action": "set_weekly", "provider_id": pid})
        blocks = got["locations"][0]["blocks"]
        assert [b["day"] for b in blocks] == [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        ]
        assert blocks[0] == {"day": "monday", "start": "08:00", "end": "16:30"}
        assert blocks[-1] == {"day": "saturday", "start": "09:00", "end": "12:00"}
        # An empty week is not "omitted": it clears the week.
        cleared = await call(
            c, "manage_availability", {"action": "set_weekly", "provider_id": pid, "schedule": []}
        )
        assert cleared["locations"] == [] or cleared["locations"][0]["blocks"] == []
