"""Clients through the real MCP client, in memory: Coordinalo's client_* tools, MedCor's patient tools,
and the same jobs on /mcp (find_patients, manage_patient); emails linking case-insensitively, phones
in E.164, the email that cannot change, roles, other practices' ids, the audit trail."""

from __future__ import annotations

import dataclasses
from typing import Any

from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect

COORDINALO = {"client_list", "client_get", "client_create", "client_update"}
MEDCOR = {"list_patients", "get_patient_details", "create_patient"}


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text if result.content else result
    data: dict[str, Any] = result.structured_content
    return data


def err(result: Any, code: str, field: str | None = None) -> dict[str, Any]:
    assert result.is_error, result.structured_content
    error: dict[str, Any] = result.structured_content["error"]
    assert error["code"] == code, error
    if field is not None:
        assert error.get("field") == field, error
    return error


def as_role(scenario: Scenario, role: access.Role) -> Principal:
    return dataclasses.replace(scenario.principal, actor=f"user:{role}", scopes=access.ROLE_SCOPES[role])


async def patient_entries(
    app: Frontdesk, scenario: Scenario
) -> list[tuple[str, str | None, str, str | None]]:
    rows = await app.audit.entries(scenario.principal, record_type="patient", limit=500)
    return [(e.action, e.record_id, e.outcome, e.tool) for e in rows]


async def book(app: Frontdesk, scenario: Scenario, patient_id: int, provider: int, when: str) -> None:
    from frontdesk.services.scheduling.appointments import BookingRequest

    book_in = scenario.ny if provider == scenario.garcia else scenario.lisbon
    await app.appointments.book(
        scenario.principal, BookingRequest(provider, when, datebook_id=book_in, patient_id=patient_id)
    )


async def test_the_seed_surfaces_serve_the_seed_names(connect: Connect) -> None:
    async with connect("coordinalo") as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert COORDINALO <= names
        params = {t.name: set(t.input_schema["properties"]) for t in (await c.list_tools()).tools}
        assert params["client_create"] == {"firstName", "lastName", "email", "phone", "titularProviderId"}
        assert params["client_list"] == {"search", "providerId", "cursor", "limit"}
    async with connect("medcor") as m:
        params = {t.name: set(t.input_schema["properties"]) for t in (await m.list_tools()).tools}
        assert MEDCOR <= set(params)
        assert params["list_patients"] == {"tenant_id"}
        assert params["get_patient_details"] == {"patient_id"}
        assert params["create_patient"] == {"email", "first_name", "last_name", "phone_number", "tenant_id"}
    async with connect() as fd:
        names = {t.name for t in (await fd.list_tools()).tools}
        assert not (COORDINALO | MEDCOR) & names  # /mcp does these jobs with find_patients, manage_patient


async def test_create_links_the_same_email_whatever_its_case(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect("coordinalo") as c:
        made = ok(
            await c.call_tool(
                "client_create",
                {
                    "firstName": "Ana",
                    "lastName": "Lima",
                    "email": "  Ana.Lima@Example.COM ",
                    "phone": "+351 912 345 678",
                },
            )
        )
        assert made["linked"] is False
        client = made["client"]
        assert client["email"] == "ana.lima@example.com" and client["phone"] == "+351912345678"
        again = await c.call_tool(
            "client_create",
            {"firstName": "Ana Maria", "email": "ANA.LIMA@example.com", "phone": "(212) 555-0100"},
        )
        linked = ok(again)
        assert linked["linked"] is True and linked["client"] == client  # the same record, unchanged
        assert "Linked" in again.content[0].text
    async with connect("medcor") as m:
        through_medcor = ok(
            await m.call_tool(
                "create_patient", {"email": "ana.LIMA@example.com", "first_name": "Ana", "last_name": "Lima"}
            )
        )
        assert through_medcor["linked"] is True and through_medcor["patient"]["id"] == client["id"]
    async with connect() as fd:
        via_manage = ok(
            await fd.call_tool(
                "manage_patient",
                {"action": "add", "first_name": "A", "last_name": "L", "email": "Ana.Lima@example.com"},
            )
        )
        assert via_manage["linked"] is True and via_manage["patient"]["id"] == client["id"]
        found = ok(await fd.call_tool("find_patients", {"email": "ANA.lima@example.com"}))
        assert [p["id"] for p in found["patients"]] == [client["id"]]
    entries = await patient_entries(app, scenario)
    assert entries.count(("patient.create", str(client["id"]), "ok", "client_create")) == 1
    assert ("patient.link", str(client["id"]), "ok", "client_create") in entries
    assert ("patient.link", str(client["id"]), "ok", "create_patient") in entries
    assert ("patient.link", str(client["id"]), "ok", "manage_patient") in entries


async def test_phones_are_stored_in_e164_in_the_practices_region(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect("coordinalo") as c:
        us = ok(await c.call_tool("client_create", {"firstName": "Al", "phone": "(212) 555-0100"}))
        assert us["client"]["phone"] == "+12125550100"  # the default region: US
        foreign = ok(await c.call_tool("client_create", {"firstName": "Bea", "phone": "+44 20 7946 0958"}))
        assert foreign["client"]["phone"] == "+442079460958"  # a +code wins over the region
        await app.practice_settings.update(scenario.principal, {"basics.defaultRegion": "PT"})
        pt = ok(await c.call_tool("client_create", {"firstName": "Rui", "phone": "912 345 678"}))
        assert pt["client"]["phone"] == "+351912345678"
        await app.practice_settings.update(scenario.principal, {"basics.defaultRegion": "GB"})
        gb = ok(
            await c.call_tool("client_update", {"clientId": us["client"]["id"], "phone": "020 7946 0958"})
        )
        assert gb["client"]["phone"] == "+442079460958"
        bad = err(await c.call_tool("client_create", {"firstName": "X", "phone": "12"}), "invalid", "phone")
        assert "phone must be a valid phone number" in bad["message"]
        err(
            await c.call_tool("client_update", {"clientId": pt["client"]["id"], "phone": "call me"}),
            "invalid",
            "phone",
        )
    async with connect("medcor") as m:
        e = err(
            await m.call_tool(
                "create_patient",
                {"email": "x@example.com", "first_name": "X", "last_name": "Y", "phone_number": "1"},
            ),
            "invalid",
            "phone_number",
        )
        assert e["message"].startswith("phone_number must be a valid phone number")
    async with connect() as fd:
        e164 = ok(
            await fd.call_tool(
                "manage_patient",
                {
                    "action": "add",
                    "first_name": "Cy",
                    "last_name": "Do",
                    "phone": "020 7946 0000",
                    "alt_phone": "+1 212 555 0101",
                },
            )
        )["patient"]
        assert e164["phone"] == "+442079460000" and e164["alt_phone"] == "+12125550101"
        err(
            await fd.call_tool(
                "manage_patient", {"action": "update", "patient_id": e164["id"], "emergency_phone": "999"}
            ),
            "invalid",
            "emergency_phone",
        )
    async with connect("medapp") as medapp:
        slots = ok(await medapp.call_tool("get_available_slots", {"doctorName": "Garcia"}))
        booked = ok(
            await medapp.call_tool(
                "schedule_appointment",
                {
                    "doctorName": "Garcia",
                    "slotId": slots["slots"][0]["slotId"],
                    "patientName": "Dee Ell",
                    "patientPhone": "07911 123456",
                },
            )
        )
        assert booked["success"] is True
        refused = await medapp.call_tool(
            "schedule_appointment",
            {
                "doctorName": "Garcia",
                "slotId": slots["slots"][1]["slotId"],
                "patientName": "Dee Ell",
                "patientPhone": "77",
            },
        )
        assert refused.is_error and refused.structured_content["field"] == "patientPhone"
    async with connect("coordinalo") as c:
        dee = ok(await c.call_tool("client_list", {"search": "dee ell"}))["clients"]
        assert [x["phone"] for x in dee] == ["+447911123456"]


async def test_the_email_cannot_change_through_mcp(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect("coordinalo") as c:
        made = ok(await c.call_tool("client_create", {"firstName": "Eva", "email": "eva@example.com"}))[
            "client"
        ]
        refused = err(
            await c.call_tool("client_update", {"clientId": made["id"], "email": "other@example.com"}),
            "invalid",
            "email",
        )
        assert "email cannot be changed" in refused["message"]
        same = ok(
            await c.call_tool(
                "client_update", {"clientId": made["id"], "email": "EVA@example.com", "lastName": "Mar"}
            )
        )
        assert same["client"]["email"] == "eva@example.com" and same["client"]["lastName"] == "Mar"
        got = ok(await c.call_tool("client_get", {"clientId": made["id"]}))
        assert got["client"]["email"] == "eva@example.com"
    entries = await patient_entries(app, scenario)
    assert ("patient.update", str(made["id"]), "invalid", "client_update") in entries
    assert ("patient.update", str(made["id"]), "ok", "client_update") in entries


async def test_manage_patient_keeps_one_patient_per_email(connect: Connect, scenario: Scenario) -> None:
    async with connect() as fd:
        ok(
            await fd.call_tool(
                "manage_patient",
                {"action": "update", "patient_id": scenario.juan, "email": "Juan@Example.com"},
            )
        )
        taken = err(
            await fd.call_tool(
                "manage_patient",
                {"action": "update", "patient_id": scenario.maria, "email": "juan@example.com"},
            ),
            "conflict",
            "email",
        )
        assert "another patient" in taken["message"] and "Juan" not in taken["message"]
        juan = ok(await fd.call_tool("manage_patient", {"action": "get", "patient_id": scenario.juan}))[
            "patient"
        ]
        assert juan["email"] == "juan@example.com"


async def test_titular_provider_list_by_provider_and_recent_sessions(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect("coordinalo") as c:
        titular = ok(
            await c.call_tool(
                "client_create",
                {"firstName": "Tia", "lastName": "Tular", "titularProviderId": scenario.silva_a},
            )
        )["client"]
        assert titular["titularProviderId"] == scenario.silva_a
        await book(app, scenario, scenario.juan, scenario.garcia, "2026-03-03T10:00")
        by_garcia = ok(await c.call_tool("client_list", {"providerId": scenario.garcia}))
        assert [x["id"] for x in by_garcia["clients"]] == [scenario.juan]  # sessions with her
        by_silva = ok(await c.call_tool("client_list", {"providerId": scenario.silva_a}))
        assert [x["id"] for x in by_silva["clients"]] == [titular["id"]]  # titular
        moved = ok(
            await c.call_tool(
                "client_update", {"clientId": titular["id"], "titularProviderId": scenario.garcia}
            )
        )
        assert moved["client"]["titularProviderId"] == scenario.garcia
        by_garcia = ok(await c.call_tool("client_list", {"providerId": scenario.garcia}))
        assert {x["id"] for x in by_garcia["clients"]} == {scenario.juan, titular["id"]}
        cleared = ok(
            await c.call_tool("client_update", {"clientId": titular["id"], "clearTitularProvider": True})
        )
        assert cleared["client"]["titularProviderId"] is None
        both = await c.call_tool(
            "client_update",
            {"clientId": titular["id"], "clearTitularProvider": True, "titularProviderId": scenario.garcia},
        )
        err(both, "invalid")
        detail = ok(await c.call_tool("client_get", {"clientId": scenario.juan}))
        assert [s["providerId"] for s in detail["recentSessions"]] == [scenario.garcia]
        assert detail["recentSessions"][0]["scheduledAt"] == "2026-03-03T10:00:00-05:00"
    async with connect("medcor") as m:
        details = ok(await m.call_tool("get_patient_details", {"patient_id": scenario.juan}))
        visit = details["recent_appointments"][0]
        assert (visit["appointment_date"], visit["appointment_time"], visit["doctor_id"]) == (
            "2026-03-03",
            "10:00",
            scenario.garcia,
        )
    async with connect() as fd:
        found = ok(await fd.call_tool("find_patients", {"provider_id": scenario.garcia}))
        assert [p["id"] for p in found["patients"]] == [scenario.juan]
        added = ok(
            await fd.call_tool(
                "manage_patient",
                {
                    "action": "add",
                    "first_name": "Ty",
                    "last_name": "Two",
                    "titular_provider_id": scenario.silva_j,
                },
            )
        )["patient"]
        assert added["titular_provider_id"] == scenario.silva_j
        got = ok(await fd.call_tool("manage_patient", {"action": "get", "patient_id": added["id"]}))[
            "patient"
        ]
        assert got["titular_provider_id"] == scenario.silva_j
        off = ok(
            await fd.call_tool(
                "manage_patient",
                {"action": "update", "patient_id": added["id"], "clear_titular_provider": True},
            )
        )
        assert off["patient"]["titular_provider_id"] is None
        err(await fd.call_tool("find_patients", {"provider_id": 999_999_999}), "not_found", "provider_id")
    entries = await patient_entries(app, scenario)
    assert [a for a, rid, _, _ in entries if rid == str(titular["id"]) and a == "patient.titular"] == [
        "patient.titular"
    ] * 3


async def test_pages_follow_the_cursor(connect: Connect) -> None:
    async with connect("coordinalo") as c:
        for i in range(5):
            ok(await c.call_tool("client_create", {"firstName": f"Page{i}", "lastName": "Zed"}))
        seen: list[int] = []
        cursor = None
        while True:
            page = ok(
                await c.call_tool(
                    "client_list", {"search": "zed", "limit": 2} | ({"cursor": cursor} if cursor else {})
                )
            )
            assert page["count"] <= 2
            seen += [x["id"] for x in page["clients"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 5
        err(await c.call_tool("client_list", {"cursor": "not-a-cursor"}), "invalid", "cursor")


async def test_roles_front_desk_manages_read_only_reads(app: Frontdesk, scenario: Scenario) -> None:
    desk = as_role(scenario, access.Role.FRONT_DESK)
    async with Client(build_server(app, surface="coordinalo", default_principal=desk)) as c:
        made = ok(await c.call_tool("client_create", {"firstName": "Desk", "email": "desk@example.com"}))[
            "client"
        ]
        ok(await c.call_tool("client_update", {"clientId": made["id"], "lastName": "Made"}))
    viewer = as_role(scenario, access.Role.READ_ONLY)
    async with Client(build_server(app, surface="coordinalo", default_principal=viewer)) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert {"client_list", "client_get"} <= names and not {"client_create", "client_update"} & names
        assert ok(await c.call_tool("client_get", {"clientId": made["id"]}))["client"]["lastName"] == "Made"
        err(await c.call_tool("client_create", {"firstName": "No"}), "forbidden")
        err(await c.call_tool("client_update", {"clientId": made["id"], "lastName": "No"}), "forbidden")
    async with Client(build_server(app, surface="medcor", default_principal=viewer)) as m:
        refused = await m.call_tool(
            "create_patient", {"email": "n@example.com", "first_name": "N", "last_name": "O"}
        )
        err(refused, "forbidden")
    async with Client(build_server(app, surface="coordinalo", default_principal=desk)) as c:
        assert ok(await c.call_tool("client_get", {"clientId": made["id"]}))["client"]["lastName"] == "Made"
    entries = await patient_entries(app, scenario)
    assert ("patient.create", None, "forbidden", "client_create") in entries
    assert ("patient.create", None, "forbidden", "create_patient") in entries


async def test_another_practices_client_is_not_found(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    other = await build_scenario(app)
    async with connect("coordinalo") as c:
        err(await c.call_tool("client_get", {"clientId": other.juan}), "not_found", "clientId")
        err(
            await c.call_tool("client_update", {"clientId": other.juan, "lastName": "X"}),
            "not_found",
            "clientId",
        )
        err(await c.call_tool("client_list", {"providerId": other.garcia}), "not_found", "providerId")
        err(
            await c.call_tool("client_create", {"firstName": "X", "titularProviderId": other.garcia}),
            "not_found",
            "titularProviderId",
        )
        listed = ok(await c.call_tool("client_list", {"limit": 100}))
        assert other.juan not in {x["id"] for x in listed["clients"]}
    async with connect("medcor") as m:
        e = err(
            await m.call_tool("get_patient_details", {"patient_id": other.maria}), "not_found", "patient_id"
        )
        assert "list_patients" in e["message"]
        err(await m.call_tool("list_patients", {"tenant_id": other.practice_id}), "not_found", "tenant_id")
        err(
            await m.call_tool(
                "create_patient",
                {
                    "email": "t@example.com",
                    "first_name": "T",
                    "last_name": "U",
                    "tenant_id": other.practice_id,
                },
            ),
            "not_found",
            "tenant_id",
        )
        own = ok(await m.call_tool("list_patients", {"tenant_id": scenario.practice_id}))
        assert {scenario.juan, scenario.maria} <= {p["id"] for p in own["results"]}
        assert all(p["tenant_id"] == scenario.practice_id for p in own["results"])
    async with connect() as fd:
        err(
            await fd.call_tool(
                "manage_patient",
                {"action": "update", "patient_id": other.juan, "titular_provider_id": scenario.garcia},
            ),
            "not_found",
        )
        err(
            await fd.call_tool(
                "manage_patient",
                {"action": "update", "patient_id": scenario.juan, "titular_provider_id": other.garcia},
            ),
            "not_found",
            "titular_provider_id",
        )


async def test_a_merged_duplicates_email_moves_to_the_record_kept(
    connect: Connect, scenario: Scenario
) -> None:
    async with connect() as fd:
        dup = ok(
            await fd.call_tool(
                "manage_patient",
                {"action": "add", "first_name": "Juan", "last_name": "P", "email": "JP@example.com"},
            )
        )["patient"]["id"]
        merge = {"action": "merge", "patient_id": scenario.juan, "duplicate_patient_id": dup, "confirm": True}
        assert ok(await fd.call_tool("manage_patient", merge))["patient"]["email"] == "jp@example.com"
    async with connect("coordinalo") as c:
        linked = ok(await c.call_tool("client_create", {"firstName": "Juan", "email": "jp@EXAMPLE.com"}))
        assert linked["linked"] is True and linked["client"]["id"] == scenario.juan
        listed = ok(await c.call_tool("client_list", {"search": "jp@example"}))
        assert [x["id"] for x in listed["clients"]] == [scenario.juan]  # the merged record is not listed
