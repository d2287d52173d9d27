"""Two patients race for one time, one through the booking page (its form posts over HTTP) and one
through /mcp/public's public_booking_create (the real MCP client, in memory), at the same moment
(asyncio.gather), 20 rounds on SQLite and PostgreSQL: each round exactly one wins, the other is
told the time was taken (the page in the visitor's words, the tool a conflict on scheduledAt), the
audit records slot_taken, and the time holds exactly one pending booking."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any

import httpx2
from mcp import Client
from sqlalchemy import func, select

from frontdesk.composition import Frontdesk
from frontdesk.http.booking_text import REFUSALS
from frontdesk.mcp.server import build_server
from frontdesk.services.booking.taken import TAKEN
from frontdesk.storage import models as m
from tests.bookings.conftest import audit_actions
from tests.conftest import Clock
from tests.factories import Scenario
from tests.http.booking import form, radios, refused, sc, web

__all__ = ["sc", "web"]  # fixtures
ROUNDS = 20


async def _page(web: httpx2.AsyncClient, base: str, data: dict[str, Any]) -> bool:
    answer = await web.post(base, data=data)
    if answer.status_code == 201:
        return True
    assert answer.status_code == 409, answer.text
    assert refused(answer.text) == REFUSALS["en"]["slot_taken"]
    return False


async def _tool(client: Client, args: dict[str, Any]) -> bool:
    result = await client.call_tool("public_booking_create", args)
    if not result.is_error:
        return True
    error = (result.structured_content or {})["error"]
    assert error["code"] == "conflict" and error["field"] == "scheduledAt", error
    # Said in the public tools' terms: no staff tool, no internal field.
    assert error["message"] == TAKEN and error["details"] == {"decision": "slot_taken"}
    return False


def _apart(slots: list[str], length: timedelta) -> list[str]:
    """Times that do not overlap each other: one round's booking leaves the next round's time free."""
    out: list[str] = []
    for slot in slots:
        start = datetime.fromisoformat(slot.split("|")[0])
        if not out or start >= datetime.fromisoformat(out[-1].split("|")[0]) + length:
            out.append(slot)
    return out


async def _pending_at(app: Frontdesk, sc: Scenario, start: datetime) -> int:
    async with app.db.read() as s:
        q = select(func.count()).where(
            m.Appointment.practice_id == sc.practice_id,
            m.Appointment.starts_at == start,
            m.Appointment.status == "pending_confirmation",
        )
        return int((await s.execute(q)).scalar_one())


async def test_page_and_tool_race_for_one_time(
    web: httpx2.AsyncClient, app: Frontdesk, sc: Scenario, clock: Clock
) -> None:
    await app.practice_settings.update(
        sc.principal,
        {"policies.publicRequestsPerMinuteIp": 1000, "policies.publicRequestsPerMinutePractice": 1000},
    )
    await app.agendas.create(sc.principal, "garcia", {"title": "Dr. Garcia", "provider_id": sc.garcia}, None)
    base = f"/{sc.slug}/agenda/garcia"
    times = await web.get(base, params={"service": sc.cleaning})
    slots = _apart(radios(times.text, "slot"), timedelta(minutes=30))[:ROUNDS]  # a cleaning is 30 min
    assert len(slots) == ROUNDS
    fields = form(times.text, "day-form") | {"csrf": web.cookies["fd_book_csrf"], "step": "create"}
    wins = {"page": 0, "tool": 0}
    order = random.Random(7)
    async with Client(build_server(app, surface="public")) as client:
        for n, slot in enumerate(slots):
            start = slot.split("|")[0]
            page = fields | {"slot": slot, "full_name": f"Ana Ruiz {n}", "email": f"ana{n}@example.org"}
            page |= {"phone": "", "intent": "yes"}
            tool = {
                "orgSlug": sc.slug,
                "agendaSlug": "garcia",
                "serviceId": sc.cleaning,
                "scheduledAt": start,
                "requester": {"fullName": f"Rui Lopes {n}", "email": f"rui{n}@example.org"},
                "submission": {"channel": "web", "agentAssisted": True},
                "authorization": {"humanIntentConfirmed": True},
            }
            racers = [("page", _page(web, base, page)), ("tool", _tool(client, tool))]
            order.shuffle(racers)  # neither side always starts first
            won = await asyncio.gather(*(r for _, r in racers))
            assert sum(won) == 1, (n, slot, won)
            wins[next(name for (name, _), w in zip(racers, won, strict=True) if w)] += 1
            assert await _pending_at(app, sc, datetime.fromisoformat(start)) == 1, slot
    trail = [(a, o) for a, _, o, _ in await audit_actions(app, sc) if a == "public.booking.create"]
    assert trail.count(("public.booking.create", "accepted")) == ROUNDS
    assert trail.count(("public.booking.create", "slot_taken")) == ROUNDS
    print(f"wins over {ROUNDS} rounds: {wins}")
    # Release the held times: the sweep spans every practice of the shared test database.
    clock.advance(minutes=31)
    assert await app.public_booking.sweep() >= 1
