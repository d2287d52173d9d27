"""Setting a practice up from nothing through the Coordinalo tools, then booking it (real MCP client,
SQLite and PostgreSQL)."""

from __future__ import annotations

from frontdesk.composition import Frontdesk
from frontdesk.services.context import Principal
from tests.factories import Scenario, build_scenario
from tests.setup.conftest import Open, call, desk, refused

WEEK = [
    {"day": d, "start": "09:00", "end": "17:00"}
    for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
]
LUNCH = [
    {"day": d, "start": "13:00", "end": "14:00"}
    for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
]


async def test_an_empty_practice_is_set_up_and_then_bookable(open_as: Open, empty: Principal) -> None:
    async with open_as(empty, "coordinalo") as c:
        before = await call(c, "report_organization_summary", {})
        status = before["onboarding_status"]
        assert status["ready"] is False
        assert {s["step"]: s["done"] for s in status["steps"]} == {
            "location": False,
            "provider": False,
            "service": False,
            "service_providers": False,
            "availability": False,
        }
        assert any("provider_create" in m for m in status["missing"])

        doc = await call(
            c,
            "provider_create",
            {
                "name": "Dra. Paula Rojas",
                "specialty": "Kinesióloga",
                "email": "paula@example.com",
                "phone": "+56 9 1234 5678",
                "commissionPercent": 40,
                "coverageAreas": ["Providencia", "Ñuñoa", "providencia"],
                "imageUrl": "https://img.example/p.png",
            },
        )
        assert doc["coverage_areas"] == ["Providencia", "Ñuñoa"]
        assert doc["commission_percent"] == 40 and doc["has_hours"] is False
        # The only active provider: the new service is hers at once.
        svc = await call(
            c,
            "admin_create_service",
            {"name": "Sesión kinesiología", "durationMinutes": 45, "priceCents": 2500000, "currency": "CLP"},
        )
        assert svc["provider_ids"] == [doc["id"]] and svc["bookable"] is True
        assert svc["currency"] == "CLP" and svc["discoverable"] is True
        week = await call(
            c, "admin_set_availability", {"providerId": doc["id"], "schedule": WEEK, "breaks": LUNCH}
        )
        (loc,) = week["locations"]
        assert loc["timezone"] == "America/Santiago" and len(loc["blocks"]) == 5 and len(loc["breaks"]) == 5
        after = await call(c, "report_organization_summary", {})
        assert after["onboarding_status"]["ready"] is True, after["onboarding_status"]
        assert after["providers"][0]["hours"] == "Mon-Fri 09:00-17:00"
        assert after["counts"]["services"] == 1 and after["counts"]["locations"] == 1
        read = await call(c, "availability_get_provider_schedule", {"providerId": doc["id"]})
        assert read["locations"][0]["blocks"][0] == {"day": "monday", "start": "09:00", "end": "17:00"}

    async with open_as(empty) as fd:  # and /mcp books it
        booked = await call(
            fd,
            "create_appointment",
            {
                "datebook_id": loc["location_id"],
                "doctor_id": doc["id"],
                "patient_name": "Tomás Vidal",
                "starts_at": "2026-03-03T10:00",
                "service_id": svc["id"],
            },
        )
        assert booked["end"] == "2026-03-03T10:45:00-03:00"
        lunch = await refused(
            fd,
            "create_appointment",
            {
                "datebook_id": loc["location_id"],
                "doctor_id": doc["id"],
                "patient_name": "Tomás Vidal",
                "starts_at": "2026-03-03T13:15",
                "service_id": svc["id"],
            },
        )
        assert lunch["field"] == "starts_at"


async def test_a_service_nobody_delivers_cannot_be_booked(open_as: Open, scenario: Scenario) -> None:
    p = scenario.principal
    async with open_as(p, "coordinalo") as c:
        svc = await call(
            c, "service_create", {"name": "Implant", "durationMinutes": 60, "priceCents": 150000}
        )
        assert svc["provider_ids"] == [] and svc["bookable"] is False  # three providers: none chosen
        listed = await call(c, "service_list", {"active": True})
        assert {s["name"]: s["bookable"] for s in listed["services"]}["Implant"] is False
    args = {
        "datebook_id": scenario.ny,
        "doctor_id": scenario.garcia,
        "patient_id": scenario.juan,
        "starts_at": "2026-03-03T10:00",
        "service_id": svc["id"],
    }
    async with open_as(p) as fd:
        err = await refused(fd, "create_appointment", args)
        assert err["field"] == "service_id" and "no provider assigned" in err["message"]
    async with open_as(p, "coordinalo") as c:
        done = await call(
            c, "service_assign_provider", {"serviceId": svc["id"], "providerId": scenario.silva_j}
        )
        assert done["provider_ids"] == [scenario.silva_j]
    async with open_as(p) as fd:
        err = await refused(fd, "create_appointment", args)  # Garcia does not deliver it
        assert err["field"] == "service_id" and "does not deliver" in err["message"]
    async with open_as(p, "coordinalo") as c:
        await call(c, "service_assign_provider", {"serviceId": svc["id"], "providerId": scenario.garcia})
        await call(
            c,
            "service_assign_provider",
            {"serviceId": svc["id"], "providerId": scenario.silva_j, "assigned": False},
        )
    async with open_as(p) as fd:
        assert (await call(fd, "create_appointment", args))["doctor_id"] == scenario.garcia


async def test_a_price_change_is_kept_in_the_history(open_as: Open, scenario: Scenario) -> None:
    async with open_as(scenario.principal, "coordinalo") as c:
        svc = await call(
            c, "service_update", {"serviceId": scenario.crown, "priceCents": 80000, "currency": "eur"}
        )
        assert svc["price_cents"] == 80000 and svc["currency"] == "EUR"
        again = await call(c, "service_update", {"serviceId": scenario.crown, "bufferAfterMinutes": 20})
        history = again["price_history"]
        assert [(h["previous_cents"], h["price_cents"], h["currency"]) for h in history] == [
            (0, 80000, "EUR")
        ]
        bad = await refused(c, "service_update", {"serviceId": scenario.crown, "currency": "E1R"})
        assert bad["field"] == "currency"


async def test_the_front_desk_reads_but_may_not_set_up(open_as: Open, scenario: Scenario) -> None:
    async with open_as(desk(scenario.principal), "coordinalo") as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert "service_list" in names and "provider_create" not in names  # listed by scope
        assert len((await call(c, "service_list", {}))["services"]) == 2
        for tool, args in (
            ("provider_create", {"name": "Dr. Nobody"}),
            ("service_update", {"serviceId": scenario.cleaning, "priceCents": 1}),
            ("admin_set_availability", {"providerId": scenario.garcia, "schedule": []}),
            ("settings_update", {"settings": {"policies.noShowMaxStrikes": 9}}),
        ):
            err = await refused(c, tool, args)
            assert err["code"] == "forbidden", (tool, err)


async def test_another_practices_records_are_not_found(
    open_as: Open, app: Frontdesk, scenario: Scenario
) -> None:
    other = await build_scenario(app)
    async with open_as(scenario.principal, "coordinalo") as c:
        for tool, args in (
            ("provider_get", {"providerId": other.garcia}),
            ("provider_update", {"providerId": other.garcia, "active": False}),
            ("service_update", {"serviceId": other.cleaning, "priceCents": 1}),
            ("service_assign_provider", {"serviceId": scenario.cleaning, "providerId": other.garcia}),
            ("service_assign_provider", {"serviceId": other.cleaning, "providerId": scenario.garcia}),
            ("admin_set_availability", {"providerId": other.garcia, "schedule": WEEK}),
            (
                "admin_set_availability",
                {"providerId": scenario.garcia, "schedule": WEEK, "locationId": other.ny},
            ),
            ("availability_get_provider_schedule", {"providerId": other.garcia}),
            ("service_create", {"name": "Theirs", "durationMinutes": 10, "providerIds": [other.garcia]}),
        ):
            err = await refused(c, tool, args)
            assert err["code"] == "not_found", (tool, err)
    async with open_as(other.principal, "coordinalo") as c:
        assert (await call(c, "provider_get", {"providerId": other.garcia}))["active"] is True


async def test_every_setup_write_is_audited(open_as: Open, app: Frontdesk, empty: Principal) -> None:
    async with open_as(empty, "coordinalo") as c:
        doc = await call(c, "provider_create", {"name": "Dr. Audit"})
        svc = await call(c, "service_create", {"name": "Check", "durationMinutes": 20})
        await call(c, "service_update", {"serviceId": svc["id"], "priceCents": 5000})
        await call(
            c, "service_assign_provider", {"serviceId": svc["id"], "providerId": doc["id"], "assigned": False}
        )
        await call(c, "provider_update", {"providerId": doc["id"], "specialty": "GP"})
        await call(c, "admin_set_availability", {"providerId": doc["id"], "schedule": WEEK})
        await call(
            c, "organization_update", {"description": "Kinesiología", "logoUrl": "https://x.example/l.png"}
        )
        await call(c, "settings_update", {"settings": {"policies.noShowMaxStrikes": 4}})
        await refused(c, "provider_update", {"providerId": doc["id"], "email": "not-an-email"})
    actions = [e.action for e in await app.audit.entries(empty, limit=100)]
    for done in (
        "provider.create",
        "service.create",
        "service.update",
        "service.unassign_provider",
        "provider.update",
        "schedule.replace",
        "settings.update",
    ):
        assert done in actions, done
    assert actions.count("settings.update") == 2  # the organization's profile is two of its settings
    assert "provider.update" in [
        e.action for e in await app.audit.entries(empty, limit=100) if e.outcome != "ok"
    ]


async def test_settings_and_the_organization(open_as: Open, scenario: Scenario) -> None:
    async with open_as(scenario.principal, "coordinalo") as c:
        got = await call(c, "settings_get", {"keys": "policies.noShowMaxStrikes, basics.timezone"})
        assert set(got["settings"]) == {"policies", "basics"}
        chapter = await call(c, "settings_get", {"chapter": "reminders"})
        assert set(chapter["settings"]) == {"reminders"}
        bad = await refused(
            c, "settings_update", {"settings": {"policies.noShowMaxStrikes": 2, "basics.currency": "dollars"}}
        )
        assert bad["field"] == "basics.currency"
        still = await call(c, "settings_get", {"keys": "policies.noShowMaxStrikes"})
        assert still["settings"]["policies"]["noShowMaxStrikes"] != 2  # all or nothing
        org = await call(c, "organization_update", {"name": "Sonrisas", "vertical": "dental"})
        assert org["name"] == "Sonrisas" and org["vertical"] == "dental"
        err = await refused(c, "organization_update", {"logoUrl": "ftp://nope"})
        assert err["field"] == "logoUrl"  # the argument the caller gave
        summary = await call(c, "report_organization_summary", {})
        assert summary["name"] == "Sonrisas" and summary["onboarding_status"]["ready"] is True


async def test_errors_name_the_arguments_as_the_seed_does(open_as: Open, scenario: Scenario) -> None:
    """A renamed argument is named by its surface name in the error's field and message (the same
    operation on /mcp says provider_id)."""
    missing = {"providerId": 999999, "schedule": WEEK}
    async with open_as(scenario.principal, "coordinalo") as c:
        err = await refused(c, "admin_set_availability", missing)
        assert err["code"] == "not_found" and err["field"] == "providerId", err
        assert "provider_id" not in err["message"]
        bad_day = await refused(
            c,
            "admin_set_availability",
            {
                "providerId": scenario.garcia,
                "schedule": [{"day": "funday", "start": "09:00", "end": "10:00"}],
            },
        )
        assert bad_day["field"].startswith("schedule[0]"), bad_day
    async with open_as(scenario.principal) as c:
        err = await refused(
            c, "manage_availability", {"action": "set_weekly", "provider_id": 999999, "schedule": WEEK}
        )
        assert err["field"] == "provider_id"
