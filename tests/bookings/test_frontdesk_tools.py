"""The bookings tools on /mcp and on /mcp/medcor through the real MCP client, on both databases."""

from __future__ import annotations

from mcp import Client
from sqlalchemy import update

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal
from frontdesk.storage import models as m
from tests.bookings.conftest import audit_actions, call
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect


async def booked(client: Client, sc: Scenario, starts_at: str = "2026-03-02T10:00") -> int:
    made = await call(
        client,
        "create_appointment",
        {
            "datebook_id": sc.ny,
            "doctor_id": sc.garcia,
            "patient_id": sc.juan,
            "starts_at": starts_at,
            "service_id": sc.cleaning,
        },
    )
    return int(made["id"])


async def test_check_in_to_documented_by_signing(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect() as client:
        appt = await booked(client, scenario)
        life = {"action": "transition", "appointment_id": appt}
        checked = await call(client, "appointment_lifecycle", life | {"step": "check_in"})
        assert checked["current_state"] == "checked_in" and checked["fhir_status"] == "checked-in"
        refused = await call(client, "appointment_lifecycle", life | {"to_state": "documented"}, error=True)
        assert refused["error"]["code"] == "conflict"
        await call(client, "appointment_lifecycle", life | {"step": "start"})
        enc = await call(
            client,
            "document_encounter",
            {"action": "create", "patient_id": scenario.juan, "appointment_id": appt},
        )
        eid = enc["encounters"][0]["id"]
        await call(
            client, "document_encounter", {"action": "update", "encounter_id": eid, "assessment": "Fine"}
        )
        await call(client, "document_encounter", {"action": "sign", "encounter_id": eid})
        got = await call(client, "get_appointment", {"appointment_id": appt})
        assert got["status"] == "documented" and got["fhir_status"] == "fulfilled"
        history = await call(client, "appointment_lifecycle", {"action": "history", "appointment_id": appt})
        steps = [(e["from"], e["to"], e["method"]) for e in history["events"]]
        assert steps == [
            (None, "scheduled", "manual"),
            ("scheduled", "checked_in", "manual"),
            ("checked_in", "in_progress", "manual"),
            ("in_progress", "completed", "auto"),
            ("completed", "documented", "auto"),
        ]
        wrong_field = await call(
            client,
            "appointment_lifecycle",
            {"action": "state", "appointment_id": appt, "step": "start"},
            error=True,
        )
        assert wrong_field["error"]["field"] == "step"
    trail = await audit_actions(app, scenario)
    writes = [a for a, r, o, _ in trail if r == str(appt) and o == "ok"]
    assert writes.count("appointment.transition") == 2 and "appointment.document" in writes


async def test_cancelling_through_the_lifecycle_asks_first(connect: Connect, scenario: Scenario) -> None:
    async with connect() as client:
        appt = await booked(client, scenario)
        life = {"action": "transition", "appointment_id": appt, "step": "cancel"}
        unconfirmed = await call(client, "appointment_lifecycle", life, error=True)
        assert unconfirmed["error"]["field"] == "confirm"
        done = await call(client, "appointment_lifecycle", life | {"confirm": True})
        assert done["current_state"] == "cancelled"
        # The old way still works and is recorded too.
        other = await booked(client, scenario, "2026-03-02T11:00")
        await call(
            client, "update_appointment", {"appointment_id": other, "status": "cancelled", "confirm": True}
        )
        history = await call(client, "appointment_lifecycle", {"action": "history", "appointment_id": other})
        assert history["events"][-1]["to"] == "cancelled"


async def test_booking_stats_report(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    async with app.db.write() as s:
        await s.execute(update(m.Service).where(m.Service.id == scenario.cleaning).values(price_cents=5000))
    async with connect() as client:
        a = await booked(client, scenario)
        b = await booked(client, scenario, "2026-03-02T11:00")
        for step in ("check_in", "complete"):
            await call(
                client, "appointment_lifecycle", {"action": "transition", "appointment_id": a, "step": step}
            )
        await call(
            client,
            "appointment_lifecycle",
            {"action": "transition", "appointment_id": b, "step": "no_show", "no_show_type": "client"},
        )
        report = await call(
            client, "booking_stats", {"by": "service", "start": "2026-03-01", "end": "2026-03-08"}
        )
        (row,) = report["rows"]
        assert row["id"] == scenario.cleaning and row["revenue_cents"] == 5000 and row["currency"] == "USD"
        assert (row["sessions"], row["delivered"], row["no_shows"]) == (2, 1, 1)
        too_long = await call(
            client,
            "booking_stats",
            {"by": "provider", "start": "2026-01-01", "end": "2027-06-01"},
            error=True,
        )
        assert too_long["error"]["field"] == "end"


async def test_medcor_tools(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    async with connect("medcor") as client:
        base = {
            "patient_id": scenario.juan,
            "doctor_id": scenario.garcia,
            "treatment_id": scenario.cleaning,
            "appointment_date": "2026-03-03",
            "appointment_time": "10:00",
        }
        made = await call(client, "create_appointment", base | {"tenant_id": scenario.practice_id})
        assert made["start"] == "2026-03-03T10:00:00-05:00" and made["status"] == "scheduled"
        clash = await call(client, "create_appointment", base | {"patient_id": scenario.maria}, error=True)
        assert clash["error"]["code"] == "conflict" and clash["error"]["field"] == "appointment_time"
        other = await call(
            client, "create_appointment", base | {"tenant_id": scenario.practice_id + 999}, error=True
        )
        assert other["error"]["code"] == "not_found" and other["error"]["field"] == "tenant_id"
        listed = await call(client, "list_appointments", {"status": "scheduled"})
        assert [x["id"] for x in listed["appointments"]] == [made["id"]]
        assert (await call(client, "list_appointments", {"status": "completed"}))["appointments"] == []
        details = await call(client, "get_appointment_details", {"appointment_id": made["id"]})
        assert details["service_name"] == "Cleaning" and details["fhir_status"] == "booked"
        skip = await call(
            client,
            "update_appointment_status",
            {"appointment_id": made["id"], "status": "completed"},
            error=True,
        )
        assert skip["error"]["code"] == "conflict" and skip["error"]["field"] == "status"
        for status in ("confirmed", "checked_in", "in_progress", "completed"):
            done = await call(
                client, "update_appointment_status", {"appointment_id": made["id"], "status": status}
            )
        assert done["status"] == "completed"
        stats = await call(client, "get_treatment_stats", {})
        assert stats["treatments"] == []  # the session is tomorrow: not in the last 365 days yet
        assert (await call(client, "get_treatment_stats", {"tenant_id": 10**9}, error=True))["error"][
            "code"
        ] == "not_found"


async def test_medcor_and_mcp_keep_practices_apart(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    other = await build_scenario(app)
    async with connect() as client:
        appt = await booked(client, scenario)
    async with Client(build_server(app, surface="medcor", default_principal=other.principal)) as client:
        for tool, args in (
            ("get_appointment_details", {"appointment_id": appt}),
            ("update_appointment_status", {"appointment_id": appt, "status": "cancelled"}),
            ("list_appointments", {"tenant_id": scenario.practice_id}),
        ):
            assert (await call(client, tool, args, error=True))["error"]["code"] == "not_found", tool
    async with Client(build_server(app, default_principal=other.principal)) as client:
        for tool, args in (
            ("get_appointment", {"appointment_id": appt}),
            ("appointment_lifecycle", {"action": "state", "appointment_id": appt}),
            ("appointment_lifecycle", {"action": "transition", "appointment_id": appt, "step": "check_in"}),
        ):
            assert (await call(client, tool, args, error=True))["error"]["code"] == "not_found", tool
    billing = Principal(
        scenario.practice_id, "user:billing", frozenset({"appointments:read", "patients:read"})
    )
    async with Client(build_server(app, default_principal=billing)) as client:
        refused = await client.call_tool(
            "appointment_lifecycle", {"action": "transition", "appointment_id": appt, "step": "check_in"}
        )
        assert refused.is_error and refused.structured_content["error"]["code"] == "forbidden"
        state = await call(client, "appointment_lifecycle", {"action": "state", "appointment_id": appt})
        assert state["current_state"] == "scheduled"


async def test_create_appointment_retroactive_and_no_show_override(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    from tests.bookings.conftest import configure

    await configure(app, scenario, policies__noShowMaxStrikes=1)
    async with connect() as client:
        past = await call(
            client,
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_id": scenario.juan,
                "starts_at": "2026-02-20T10:00",
                "retroactive": True,
            },
        )
        got = await call(client, "get_appointment", {"appointment_id": past["id"]})
        assert got["status"] == "completed" and got["provenance"] == "self_declared"
        missed = await booked(client, scenario, "2026-03-02T09:00")
        await call(
            client,
            "appointment_lifecycle",
            {"action": "transition", "appointment_id": missed, "step": "no_show", "no_show_type": "client"},
        )
        new = {
            "datebook_id": scenario.ny,
            "doctor_id": scenario.garcia,
            "patient_id": scenario.juan,
            "starts_at": "2026-03-05T10:00",
        }
        blocked = await call(client, "create_appointment", new, error=True)
        assert blocked["error"]["code"] == "conflict" and blocked["error"]["field"] == "patient_id"
        done = await call(client, "create_appointment", new | {"override_no_show_block": True})
        assert done["status"] == "scheduled"
