"""A real clinic from nothing: `frontdesk practices create`, then MCP tools only (no demo data) until
a session is booked, confirmed, checked in, started, completed by its signed note and documented, on
SQLite and PostgreSQL. Each step is what an owner's or front desk's assistant would call."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal

FRONTDESK = [str(Path(sys.executable).with_name("frontdesk"))]


async def cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["FRONTDESK_DATABASE_URL"] = db_url
    return await asyncio.to_thread(
        subprocess.run, [*FRONTDESK, *args], env=env, capture_output=True, text=True, timeout=120
    )


async def ok(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    r = await client.call_tool(tool, args)
    assert not r.is_error, (tool, r.content[0].text if r.content else r)
    assert r.structured_content is not None
    return r.structured_content


async def test_from_practices_create_to_a_documented_session(app: Frontdesk, db_url: str) -> None:
    slug = "walk-" + uuid.uuid4().hex[:8]
    made = await cli(
        db_url,
        "practices",
        "create",
        "--slug",
        slug,
        "--name",
        "Clínica Andes",
        "--timezone",
        "America/Santiago",
    )
    assert made.returncode == 0, made.stderr
    practice = await app.practices.get(slug)
    owner = Principal(practice.id, "user:owner", access.ROLE_SCOPES[access.Role.OWNER])
    desk = Principal(practice.id, "user:desk", access.ROLE_SCOPES[access.Role.FRONT_DESK])
    doctor = Principal(practice.id, "user:doctor", access.ROLE_SCOPES[access.Role.PROVIDER])

    async with Client(build_server(app, default_principal=owner)) as c:
        # Nothing yet: the summary's checklist says what is missing before anyone can book.
        status = (await ok(c, "organization_summary", {}))["onboarding_status"]
        assert status["ready"] is False and status["missing"]
        place = await ok(
            c,
            "manage_locations",
            {
                "action": "create",
                "name": "Providencia",
                "timezone": "America/Santiago",
                "address": "Av. Providencia 1234",
                "city": "Santiago",
            },
        )
        location = place["locations"][0]["id"]
        prov = await ok(
            c,
            "manage_providers",
            {
                "action": "create",
                "name": "Dra. Rosa Díaz",
                "specialty": "Kinesiología",
                "email": "rosa@andes.example",
            },
        )
        provider = prov["providers"][0]["id"]
        svc = await ok(
            c,
            "manage_services",
            {
                "action": "create",
                "name": "Sesión kinesiología",
                "duration_minutes": 45,
                "price_cents": 3500000,
                "currency": "CLP",
                "provider_ids": [provider],
            },
        )
        service = svc["services"][0]["id"]
        week = [{"day": d, "start": "09:00", "end": "18:00"} for d in ("mon", "tue", "wed", "thu", "fri")]
        await ok(
            c,
            "manage_availability",
            {"action": "set_weekly", "provider_id": provider, "location_id": location, "schedule": week},
        )
        status = (await ok(c, "organization_summary", {}))["onboarding_status"]
        assert status["ready"] is True, status

    async with Client(build_server(app, default_principal=desk)) as c:
        patient = (
            await ok(
                c,
                "manage_patient",
                {
                    "action": "add",
                    "first_name": "Tomás",
                    "last_name": "Rojas",
                    "email": "Tomas.Rojas@Example.com",
                    "phone": "+56 9 6123 4567",
                },
            )
        )["patient"]
        assert patient["email"] == "tomas.rojas@example.com"
        slots = await ok(
            c,
            "find_available_slots",
            {"datebook_id": location, "service_id": service, "start": "2026-03-10", "limit": 5},
        )
        first = slots["slots"][0]
        assert first["start"].startswith("2026-03-10T09:00:00-03:00")  # Santiago, summer time
        booked = await ok(
            c,
            "create_appointment",
            {
                "doctor_id": provider,
                "datebook_id": location,
                "patient_id": patient["id"],
                "service_id": service,
                "starts_at": first["start"],
            },
        )
        appt = booked["id"]
        step = {"action": "transition", "appointment_id": appt}
        assert (await ok(c, "appointment_lifecycle", step | {"step": "confirm"}))[
            "current_state"
        ] == "confirmed"
        assert (await ok(c, "appointment_lifecycle", step | {"step": "check_in"}))[
            "current_state"
        ] == "checked_in"

    async with Client(build_server(app, default_principal=doctor)) as c:
        started = await ok(
            c, "appointment_lifecycle", {"action": "transition", "appointment_id": appt, "step": "start"}
        )
        assert started["current_state"] == "in_progress"
        enc = await ok(
            c, "document_encounter", {"action": "create", "patient_id": patient["id"], "appointment_id": appt}
        )
        eid = enc["encounters"][0]["id"]
        await ok(
            c,
            "document_encounter",
            {
                "action": "update",
                "encounter_id": eid,
                "chief_complaint": "Lumbalgia",
                "assessment": "Mejoría",
                "plan": "Control en 2 semanas",
            },
        )
        await ok(c, "document_encounter", {"action": "sign", "encounter_id": eid})
        got = await ok(c, "get_appointment", {"appointment_id": appt})
        assert got["status"] == "documented"
        history = await ok(c, "appointment_lifecycle", {"action": "history", "appointment_id": appt})
        assert [e["to"] for e in history["events"]] == [
            "scheduled",
            "confirmed",
            "checked_in",
            "in_progress",
            "completed",
            "documented",
        ]
