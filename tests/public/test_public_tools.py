"""The public booking surface (/mcp/public) through the real MCP client, on both databases: the flow,
its tokens (expiry, replay, guessing), its rules and limits with their decision codes, and the
staff-side agenda and scheduling tools on /mcp/coordinalo."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario
from tests.mcp.conftest import Connect
from tests.public.conftest import TODAY_10, TODAY_11, agenda, audit_actions, booking_args, call, configure

PUBLIC_TOOLS = {
    "public_service_list",
    "public_availability_get_slots",
    "public_booking_create",
    "public_booking_confirm",
    "public_booking_get",
    "public_booking_cancel",
    "public_booking_reschedule",
    "scheduling_book",
    "scheduling_confirm",
}


def decisions(trail: list[tuple[str, str | None, str, str | None]]) -> list[tuple[str, str]]:
    return [(a, o) for a, _, o, _ in trail if a.startswith("public.")]


async def test_the_surface_serves_the_public_tools_only(connect: Connect) -> None:
    async with connect() as client:
        tools = {t.name for t in (await client.list_tools()).tools}
    assert tools == PUBLIC_TOOLS


async def test_book_confirm_get_and_the_staff_side(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    ag = await agenda(connect, scenario)
    assert ag["isDefault"] is True and scenario.cleaning in ag["serviceIds"]
    async with connect() as client:
        listed = await call(client, "public_service_list", {"orgSlug": scenario.slug})
        assert scenario.cleaning in {x["serviceId"] for x in listed["services"]}
        slots = await call(
            client,
            "public_availability_get_slots",
            {"orgSlug": scenario.slug, "serviceId": scenario.cleaning, "limit": 5},
        )
        # 08:00 now, minimum advance 60 minutes, Garcia from 09:00: the first is 09:00.
        assert slots["slots"][0]["start"] == "2026-03-02T09:00:00-05:00"
        assert slots["slots"][0]["providerName"] == "Dr. Ana Garcia"  # optional mode shows providers
        made = await call(client, "public_booking_create", booking_args(scenario))
        assert made["booking"]["status"] == "pending_confirmation"
        assert made["booking"]["confirmBy"] == "2026-03-02T08:30:00-05:00"
        assert made["confirmationToken"] != made["bookingToken"]
        assert len(made["bookingToken"]) >= 40  # 256 random bits, url-safe
        # The slot is held: no longer offered, and a second request for it is refused.
        again = await call(
            client,
            "public_availability_get_slots",
            {"orgSlug": scenario.slug, "serviceId": scenario.cleaning, "startDate": TODAY_10, "limit": 1},
        )
        assert again["slots"][0]["start"] != "2026-03-02T10:00:00-05:00"
        other = booking_args(scenario, requester={"fullName": "Ana Other", "phone": "+12125550199"})
        taken = await call(client, "public_booking_create", other, error=True)
        assert taken["error"]["code"] == "conflict"
        got = await call(
            client, "public_booking_get", {"orgSlug": scenario.slug, "bookingToken": made["bookingToken"]}
        )
        assert got["status"] == "pending_confirmation" and got["fullName"] == "Lucía Rojas"
        done = await call(
            client,
            "public_booking_confirm",
            {"orgSlug": scenario.slug, "confirmationToken": made["confirmationToken"]},
        )
        assert done["status"] == "scheduled"
        # Replay: the confirmation token works once.
        replay = await call(
            client,
            "public_booking_confirm",
            {"orgSlug": scenario.slug, "confirmationToken": made["confirmationToken"]},
            error=True,
        )
        assert replay["error"]["code"] == "not_found"
    async with connect("coordinalo") as staff:
        page = await call(staff, "booking_list", {"status": "scheduled"})
        session = await call(staff, "booking_get", {"sessionId": page["sessions"][0]["id"]})
        assert session["channel"] == "web" and session["agentAssisted"] is True
        listed_ag = await call(staff, "agendas_list", {})
        assert listed_ag["agendas"][0]["sessionCount"] == 1
    trail = decisions(await audit_actions(app, scenario))
    assert ("public.booking.create", "accepted") in trail
    assert ("public.booking.create", "slot_taken") in trail
    assert ("public.booking.confirm", "token_invalid") in trail


async def test_a_wrong_token_answers_like_an_expired_one(
    connect: Connect, app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    await agenda(connect, scenario)
    async with connect() as client:
        made = await call(client, "public_booking_create", booking_args(scenario))
        clock.advance(minutes=31)
        expired = await call(
            client,
            "public_booking_confirm",
            {"orgSlug": scenario.slug, "confirmationToken": made["confirmationToken"]},
            error=True,
        )
        guessed = await call(
            client,
            "public_booking_confirm",
            {"orgSlug": scenario.slug, "confirmationToken": "pbc_" + "A" * 43},
            error=True,
        )
        garbage = await call(
            client, "public_booking_get", {"orgSlug": scenario.slug, "bookingToken": "nope"}, error=True
        )
        # Another purpose's token reaches nothing either.
        crossed = await call(
            client,
            "public_booking_get",
            {"orgSlug": scenario.slug, "bookingToken": made["confirmationToken"]},
            error=True,
        )
        assert expired == guessed
        assert garbage["error"]["message"] == crossed["error"]["message"] == expired["error"]["message"]
        # The unconfirmed booking lapsed: its slot is offered again.
        slots = await call(
            client,
            "public_availability_get_slots",
            {"orgSlug": scenario.slug, "serviceId": scenario.cleaning, "startDate": TODAY_10, "limit": 1},
        )
        assert slots["slots"][0]["start"] == "2026-03-02T10:00:00-05:00"
        got = await call(
            client, "public_booking_get", {"orgSlug": scenario.slug, "bookingToken": made["bookingToken"]}
        )
        assert got["status"] == "cancelled"
    trail = decisions(await audit_actions(app, scenario))
    assert ("public.booking.confirm", "token_expired") in trail
    assert ("public.booking.confirm", "token_invalid") in trail


async def test_the_sweep_releases_lapsed_bookings(
    connect: Connect, app: Frontdesk, scenario: Scenario, clock: Clock
) -> None:
    await agenda(connect, scenario)
    async with connect() as client:
        await call(client, "public_booking_create", booking_args(scenario))
    clock.advance(minutes=30)
    # The sweep serves every practice: other tests' lapsed bookings in this database go with ours.
    assert await app.public_booking.sweep() >= 1
    async with app.db.read() as s:
        rows = (
            (
                await s.execute(
                    select(m.Appointment.status).where(m.Appointment.practice_id == scenario.practice_id)
                )
            )
            .scalars()
            .all()
        )
    assert list(rows) == ["cancelled"]


async def test_identity_intent_and_pending_limits(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    await agenda(connect, scenario)
    await configure(app, scenario, policies__publicMaxPendingPerContact=1)
    async with connect() as client:
        no_intent = await call(
            client,
            "public_booking_create",
            booking_args(scenario, authorization={"humanIntentConfirmed": False}),
            error=True,
        )
        assert no_intent["error"]["field"] == "authorization.humanIntentConfirmed"
        no_contact = await call(
            client, "public_booking_create", booking_args(scenario, requester={"fullName": "X Y"}), error=True
        )
        assert no_contact["error"]["field"] == "requester.email"
        bad_phone = await call(
            client,
            "public_booking_create",
            booking_args(scenario, requester={"fullName": "X Y", "phone": "12"}),
            error=True,
        )
        assert bad_phone["error"]["field"] == "requester.phone"
        await call(client, "public_booking_create", booking_args(scenario))
        second = await call(
            client, "public_booking_create", booking_args(scenario, scheduledAt=TODAY_11), error=True
        )
        assert second["error"]["code"] == "declined" and "unconfirmed" in second["error"]["message"]
    trail = decisions(await audit_actions(app, scenario))
    for code in ("no_human_intent", "invalid_identity", "pending_limit", "accepted"):
        assert ("public.booking.create", code) in trail


async def test_rate_limited_per_ip(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    await agenda(connect, scenario)
    await configure(app, scenario, policies__publicRequestsPerMinuteIp=2)
    async with connect() as client:
        for _ in range(2):
            await call(client, "public_service_list", {"orgSlug": scenario.slug})
        limited = await call(client, "public_service_list", {"orgSlug": scenario.slug}, error=True)
        assert limited["error"]["details"]["decision"] == "rate_limited"
        assert "try again" in limited["error"]["message"]
    assert ("public.service.list", "rate_limited") in decisions(await audit_actions(app, scenario))


async def test_cancel_honours_the_agenda_deadline_and_reschedule(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    await agenda(connect, scenario, cancellationType="block", cancellationDeadlineHours=4)
    async with connect() as client:
        made = await call(client, "public_booking_create", booking_args(scenario))
        token = made["bookingToken"]
        await call(
            client,
            "public_booking_confirm",
            {"orgSlug": scenario.slug, "confirmationToken": made["confirmationToken"]},
        )
        late = await call(
            client, "public_booking_cancel", {"orgSlug": scenario.slug, "bookingToken": token}, error=True
        )
        assert late["error"]["code"] == "conflict"
        # Moving it is cancelling it too: refused the same way.
        await call(
            client,
            "public_booking_reschedule",
            {"orgSlug": scenario.slug, "bookingToken": token, "scheduledAt": "2026-03-04T10:00"},
            error=True,
        )
    async with connect("coordinalo") as staff:
        ag = (await call(staff, "agendas_list", {}))["agendas"][0]
        await call(staff, "agendas_update", {"agendaId": ag["id"], "cancellationType": "free"})
    async with connect() as client:
        moved = await call(
            client,
            "public_booking_reschedule",
            {"orgSlug": scenario.slug, "bookingToken": token, "scheduledAt": "2026-03-04T10:00"},
        )
        assert moved["booking"]["status"] == "pending_confirmation"
        assert moved["booking"]["startsAt"] == "2026-03-04T10:00:00-05:00"
        old = await call(client, "public_booking_get", {"orgSlug": scenario.slug, "bookingToken": token})
        assert old["status"] == "cancelled"
        again = await call(
            client, "public_booking_cancel", {"orgSlug": scenario.slug, "bookingToken": token}, error=True
        )
        assert again["error"]["code"] == "conflict"  # cancelled already
        cancelled = await call(
            client,
            "public_booking_cancel",
            {"orgSlug": scenario.slug, "bookingToken": moved["bookingToken"], "reason": "changed my mind"},
        )
        assert cancelled["status"] == "cancelled"
    trail = decisions(await audit_actions(app, scenario))
    assert ("public.booking.cancel", "policy_deadline") in trail
    assert ("public.booking.reschedule", "accepted") in trail
    assert ("public.booking.cancel", "invalid_state") in trail


async def test_servicialo_book_and_confirm(connect: Connect, scenario: Scenario) -> None:
    await agenda(connect, scenario, providerSelectionMode="hidden")
    async with connect() as client:
        args = booking_args(scenario)
        del args["submission"]
        booked = await call(client, "scheduling_book", args)
        assert booked["status"] == "pending_confirmation"
        assert booked["booking"]["providerName"] is None  # hidden mode
        done = await call(
            client,
            "scheduling_confirm",
            {"orgSlug": scenario.slug, "credential": booked["confirmation_credential"]},
        )
        assert done["status"] == "scheduled"
        slots = await call(client, "public_availability_get_slots", {"orgSlug": scenario.slug, "limit": 3})
        assert all(x["providerId"] is None for x in slots["slots"])
        chosen = await call(
            client,
            "public_booking_create",
            booking_args(scenario, providerId=scenario.garcia, scheduledAt=TODAY_11),
            error=True,
        )
        assert chosen["error"]["field"] == "providerId"


async def test_unknown_practice_and_agenda_are_not_found(connect: Connect, scenario: Scenario) -> None:
    await agenda(connect, scenario, isPublic=False)
    async with connect() as client:
        nowhere = await call(client, "public_service_list", {"orgSlug": "no-such-practice"}, error=True)
        assert nowhere["error"]["code"] == "not_found"
        private = await call(client, "public_service_list", {"orgSlug": scenario.slug}, error=True)
        assert private["error"]["code"] == "not_found"
        named = await call(
            client, "public_service_list", {"orgSlug": scenario.slug, "agendaSlug": "main"}, error=True
        )
        assert named["error"]["field"] == "agendaSlug"


async def test_two_patients_race_for_one_slot(connect: Connect, scenario: Scenario) -> None:
    await agenda(connect, scenario)

    async def one(i: int) -> bool:
        async with connect() as client:
            args = booking_args(scenario, requester={"fullName": f"Racer {i}", "email": f"r{i}@example.org"})
            result = await client.call_tool("public_booking_create", args)
            return not result.is_error

    outcomes = await asyncio.gather(*(one(i) for i in range(4)))
    assert sum(outcomes) == 1


async def test_agenda_tools(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    first = await agenda(connect, scenario)
    async with connect("coordinalo") as staff:
        dup = await call(staff, "agendas_create", {"slug": "main", "title": "Again"}, error=True)
        assert dup["error"]["code"] == "conflict"
        bad = await call(staff, "agendas_create", {"slug": "Bad Slug!", "title": "X"}, error=True)
        assert bad["error"]["field"] == "slug"
        second = await call(
            staff,
            "agendas_create",
            {"slug": "crowns", "title": "Crowns", "serviceIds": [scenario.crown], "isDefault": True},
        )
        assert second["isDefault"] is True and second["serviceIds"] == [scenario.crown]
        got = await call(staff, "agendas_get", {"agendaId": first["id"]})
        assert got["isDefault"] is False
        upd = await call(
            staff,
            "agendas_update",
            {"agendaId": second["id"], "title": "Crowns only", "minAdvanceMinutes": 0},
        )
        assert upd["title"] == "Crowns only" and upd["slug"] == "crowns" and upd["minAdvanceMinutes"] == 0
        flag = await call(staff, "admin_toggle_discoverable", {"discoverable": False})
        assert flag["id"] == second["id"] and flag["isPublic"] is False and flag["published"] is False
    async with connect() as client:
        via = await call(client, "public_service_list", {"orgSlug": scenario.slug, "agendaSlug": "main"})
        made = await call(client, "public_booking_create", booking_args(scenario, agendaSlug="main"))
        assert via["count"] >= 1
    async with connect("coordinalo") as staff:
        refused = await call(staff, "agendas_delete", {"agendaId": first["id"]}, error=True)
        assert refused["error"]["field"] == "confirm"
        gone = await call(staff, "agendas_delete", {"agendaId": first["id"], "confirm": True})
        assert len(gone["cancelledSessionIds"]) == 1 and gone["unlinkedServices"] >= 1
        missing = await call(staff, "agendas_get", {"agendaId": first["id"]}, error=True)
        assert missing["error"]["code"] == "not_found"
    async with connect() as client:
        got = await call(
            client, "public_booking_get", {"orgSlug": scenario.slug, "bookingToken": made["bookingToken"]}
        )
        assert got["status"] == "cancelled"
    trail = await audit_actions(app, scenario)
    assert any(a == "agenda.delete" and d and "cancelled=1" in d for a, _, _, d in trail)


async def test_staff_scheduling_cancel_and_reschedule(connect: Connect, scenario: Scenario) -> None:
    async with connect("coordinalo") as staff:
        made = await call(
            staff,
            "booking_create",
            {"serviceId": scenario.cleaning, "clientId": scenario.juan, "scheduledAt": "2026-03-03T10:00"},
        )
        no = await call(staff, "scheduling_cancel", {"sessionId": made["id"]}, error=True)
        assert no["error"]["field"] == "confirm"
        moved = await call(
            staff,
            "scheduling_reschedule",
            {"sessionId": made["id"], "scheduledAt": "2026-03-03T11:00", "confirm": True},
        )
        new_id = moved["booked"]["id"]
        done = await call(staff, "scheduling_cancel", {"sessionId": new_id, "confirm": True})
        assert done["status"] == "cancelled"


async def test_tokens_are_stored_only_as_hashes(connect: Connect, app: Frontdesk, scenario: Scenario) -> None:
    await agenda(connect, scenario)
    async with connect() as client:
        made = await call(client, "public_booking_create", booking_args(scenario))
    async with app.db.read() as s:
        rows = (
            (await s.execute(select(m.PublicToken).where(m.PublicToken.practice_id == scenario.practice_id)))
            .scalars()
            .all()
        )
    stored = {r.purpose: r.token_hash for r in rows}
    assert set(stored) == {"confirm", "booking"}
    assert made["confirmationToken"] not in stored.values() and made["bookingToken"] not in stored.values()
    assert all(len(h) == 64 for h in stored.values())  # SHA-256, hex
    assert made["confirmationToken"].startswith("pbc_") and made["bookingToken"].startswith("pbk_")
