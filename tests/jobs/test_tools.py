"""The messaging tools through the real MCP client: Coordinalo's reminders_* and comms_*, /mcp's
manage_reminders and manage_messages; a message sent reaches the local SMTP server once."""

from __future__ import annotations

from typing import Any

from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.scheduling.appointments import BookingRequest
from tests.factories import Scenario
from tests.jobs.conftest import Inbox, client_with_email


async def call(client: Client, tool: str, args: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert result.is_error is error, (tool, result.content[0].text if result.content else result)
    assert result.structured_content is not None
    return result.structured_content


def _server(app: Frontdesk, sc: Scenario, surface: str) -> Client:
    return Client(build_server(app, surface=surface, default_principal=sc.principal))


async def test_reminder_config_reads_and_updates_the_seed_sections(mail_app: Frontdesk) -> None:
    sc, _ = await client_with_email(mail_app)
    async with _server(mail_app, sc, "coordinalo") as client:
        got = await call(client, "reminders_get_config", {})
        assert got["sessionReminder24h"] == {"enabled": True, "hoursBefore": 24, "sendTime": ""}
        assert set(got) >= {
            "bookingReminder",
            "paymentOverdue",
            "notificationFollowup",
            "pendingConfirmation",
        }
        changed = await call(
            client,
            "reminders_update_config",
            {
                "sessionReminder1h": {"enabled": True, "hoursBefore": 2},
                "quietHours": {"start": "21:00", "end": "08:00"},
            },
        )
        assert changed["sessionReminder1h"] == {"enabled": True, "hoursBefore": 2}
        assert changed["sessionReminder24h"]["enabled"] is True  # untouched
        bad = await call(client, "reminders_update_config", {"quietHours": {"start": "25:00"}}, error=True)
        assert "reminders.quietStart" in bad["error"]["message"]
        unknown = await call(
            client, "reminders_update_config", {"sessionReminder1h": {"minutes": 5}}, error=True
        )
        assert unknown["error"]
    async with _server(mail_app, sc, "frontdesk") as client:
        mine = await call(client, "manage_reminders", {"action": "get"})
        assert mine["sessionReminder1h"]["hoursBefore"] == 2
    # The new 1-hour reminder is booked 2 hours ahead (a booking on Wednesday 10:00 New York).
    appt = await mail_app.appointments.book(
        sc.principal,
        BookingRequest(
            provider_id=sc.garcia,
            datebook_id=sc.ny,
            starts_at="2026-03-04T10:00",
            patient_id=sc.juan,
            service_id=sc.cleaning,
        ),
    )
    async with mail_app.db.read() as s:
        from frontdesk.storage.repositories import jobs as repo

        due = {
            j.dedupe_key: j.run_at for j in await repo.of_subject(s, sc.practice_id, "appointment", appt.id)
        }
    assert due[f"appt:{appt.id}:sessionReminder1h"].hour == 13  # 08:00 New York = 13:00 UTC


async def test_preferences_opt_out_and_send_a_message_once(
    mail_app: Frontdesk, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    async with _server(mail_app, sc, "coordinalo") as client:
        org = await call(client, "comms_get_preferences", {})
        assert org["channels"]["email"] is True and org["configured"] == {
            "email": True,
            "whatsapp": False,
            "sms": False,
        }
        text = "Hola {nombre} {apellido}, te escribe {organizacion}."
        unconfirmed = await call(
            client, "comms_send_message", {"clientId": sc.juan, "customMessage": text}, error=True
        )
        assert unconfirmed["error"]
        sent = await call(
            client,
            "comms_send_message",
            {"clientId": sc.juan, "customMessage": text, "subject": "Aviso", "confirm": True},
        )
        assert sent["status"] == "queued" and sent["recipient"] == address
        both = await call(
            client,
            "comms_send_message",
            {"clientId": sc.juan, "customMessage": text, "templateKey": "sessionReminder", "confirm": True},
            error=True,
        )
        assert both["error"]["field"] == "templateKey"
        whatsapp = await call(
            client,
            "comms_send_message",
            {"clientId": sc.juan, "channel": "whatsapp", "customMessage": "x", "confirm": True},
            error=True,
        )
        assert whatsapp["error"]["field"] == "channel"
        await mail_app.worker().drain()
        [msg] = [x for x in box.to(address) if x["Subject"] == "Aviso"]
        assert "Hola Juan Perez, te escribe" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        off = await call(client, "comms_update_preferences", {"clientId": sc.juan, "email": False})
        assert off["channels"]["email"] is False and off["clientId"] == sc.juan
        refused = await call(
            client,
            "comms_send_message",
            {"clientId": sc.juan, "customMessage": text, "confirm": True},
            error=True,
        )
        assert "opted out" in refused["error"]["message"]
        missing = await call(client, "comms_get_preferences", {"clientId": 999_999_999}, error=True)
        assert missing["error"]["field"] == "clientId"
    async with _server(mail_app, sc, "frontdesk") as client:
        prefs = await call(client, "manage_messages", {"action": "get_preferences", "client_id": sc.juan})
        assert prefs["preferences"]["channels"]["email"] is False
