"""MedCor's doctors, nurses, treatments and appointment slots (real MCP client, both databases)."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from tests.factories import Scenario, build_scenario
from tests.setup.conftest import Open, call, desk, refused


async def test_doctors_treatments_and_slots(open_as: Open, scenario: Scenario) -> None:
    pid = scenario.practice_id
    async with open_as(scenario.principal, "medcor") as c:
        doctors = await call(c, "list_doctors", {"tenant_id": pid})
        assert doctors["count"] == 3
        new = await call(
            c,
            "create_doctor",
            {
                "email": "rui@example.com",
                "first_name": "Rui",
                "last_name": "Costa",
                "specialization": "Endodontist",
            },
        )
        assert new["name"] == "Rui Costa" and new["specialty"] == "Endodontist" and new["has_hours"] is False
        details = await call(c, "get_doctor_details", {"doctor_id": new["id"]})
        assert details["email"] == "rui@example.com"
    async with open_as(scenario.principal, "medcor") as c:
        err = await refused(
            c,
            "create_appointment_slot",
            {
                "doctor_id": scenario.garcia,
                "day_of_week": "monday",
                "start_time": "10:00",
                "end_time": "11:00",
            },
        )
        assert err["code"] == "conflict"  # inside her Monday 09:00-17:00
        added = await call(
            c,
            "create_appointment_slot",
            {"doctor_id": scenario.garcia, "day_of_week": "sat", "start_time": "09:00", "end_time": "12:00"},
        )
        (week,) = added["locations"]
        assert week["blocks"][-1] == {"day": "saturday", "start": "09:00", "end": "12:00"}
        saturday = await call(
            c, "list_appointment_slots", {"doctor_id": scenario.garcia, "date": "2026-03-07"}
        )
        assert saturday["count"] == 1
        everyone = await call(c, "list_appointment_slots", {})
        assert {s["provider_name"] for s in everyone["schedules"]} >= {"Dr. Ana Garcia", "Rui Costa"}

        made = await call(
            c,
            "create_treatment",
            {
                "name": "Dental Cleaning",
                "description": "Professional cleaning",
                "cost": 150.0,
                "tenant_id": pid,
            },
        )
        assert made["price_cents"] == 15000 and made["duration_minutes"] == 30
        found = await call(c, "list_treatments", {"search": "clean"})
        assert {t["name"] for t in found["services"]} == {"Cleaning", "Dental Cleaning"}
        changed = await call(c, "update_treatment", {"treatment_id": made["id"], "cost": 99.99})
        assert changed["price_cents"] == 9999
        got = await call(c, "get_treatment_details", {"treatment_id": made["id"]})
        assert [h["price_cents"] for h in got["price_history"]] == [15000, 9999]


async def test_a_doctor_without_a_location_choice_is_told_to_pick_one(
    open_as: Open, scenario: Scenario
) -> None:
    async with open_as(scenario.principal, "medcor") as c:
        new = await call(
            c,
            "create_doctor",
            {"email": "n@example.com", "first_name": "Nuno", "last_name": "Reis", "specialization": "GP"},
        )
        err = await refused(
            c,
            "create_appointment_slot",
            {"doctor_id": new["id"], "day_of_week": "monday", "start_time": "09:00", "end_time": "12:00"},
        )
        assert err["field"] == "location_id"


async def test_nurses_are_staff_with_the_nurse_role(
    open_as: Open, app: Frontdesk, scenario: Scenario
) -> None:
    await app.staff.create(scenario.slug, "enf@example.com", "Enf. Marta Luz", "nurse", "a long password 1")
    await app.staff.create(
        scenario.slug, "desk@example.com", "Desk Person", "front_desk", "a long password 2"
    )
    async with open_as(scenario.principal, "medcor") as c:
        nurses = await call(c, "list_nurses", {"tenant_id": scenario.practice_id})
        assert [n["name"] for n in nurses["nurses"]] == ["Enf. Marta Luz"]


async def test_another_tenant_is_not_found(open_as: Open, app: Frontdesk, scenario: Scenario) -> None:
    other = await build_scenario(app)
    async with open_as(scenario.principal, "medcor") as c:
        for tool, args in (
            ("list_doctors", {"tenant_id": other.practice_id}),
            ("list_nurses", {"tenant_id": other.practice_id}),
            ("list_treatments", {"tenant_id": other.practice_id}),
            ("create_treatment", {"name": "X", "description": "", "cost": 1, "tenant_id": other.practice_id}),
            (
                "create_doctor",
                {
                    "email": "a@b.co",
                    "first_name": "A",
                    "last_name": "B",
                    "specialization": "C",
                    "tenant_id": other.practice_id,
                },
            ),
            ("get_doctor_details", {"doctor_id": other.garcia}),
            ("get_treatment_details", {"treatment_id": other.cleaning}),
            ("update_treatment", {"treatment_id": other.cleaning, "cost": 1}),
            ("list_appointment_slots", {"doctor_id": other.garcia}),
            (
                "create_appointment_slot",
                {
                    "doctor_id": other.garcia,
                    "day_of_week": "sunday",
                    "start_time": "09:00",
                    "end_time": "10:00",
                },
            ),
        ):
            err = await refused(c, tool, args)
            assert err["code"] == "not_found", (tool, err)


async def test_the_front_desk_may_not_create_treatments(open_as: Open, scenario: Scenario) -> None:
    async with open_as(desk(scenario.principal), "medcor") as c:
        err = await refused(
            c,
            "create_treatment",
            {"name": "X", "description": "", "cost": 1, "tenant_id": scenario.practice_id},
        )
        assert err["code"] == "forbidden"
        assert (await call(c, "list_treatments", {}))["count"] == 2
