"""Clients under contention, on both databases: the same email given at once makes one client."""

from __future__ import annotations

import asyncio

from mcp import Client
from sqlalchemy import func, select

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Invalid
from frontdesk.mcp.server import build_server
from frontdesk.services.clients.dto import Draft
from frontdesk.storage import models as m
from tests.factories import Scenario


async def with_email(app: Frontdesk, sc: Scenario, email: str) -> int:
    async with app.db.read() as s:
        q = select(func.count()).where(m.Patient.practice_id == sc.practice_id, m.Patient.email == email)
        return int((await s.execute(q)).scalar_one())


async def test_concurrent_creates_with_one_email_make_one_client(app: Frontdesk, scenario: Scenario) -> None:
    drafts = [
        Draft(f"Twin{i}", "Same", email=" Twin@Example.com " if i % 2 else "twin@example.COM")
        for i in range(6)
    ]
    done = await asyncio.gather(*(app.client_records.create(scenario.principal, d) for d in drafts))
    assert len({d.client.id for d in done}) == 1
    assert sorted(d.linked for d in done) == [False] + [True] * 5
    assert await with_email(app, scenario, "twin@example.com") == 1


async def test_concurrent_client_create_calls_through_mcp(app: Frontdesk, scenario: Scenario) -> None:
    server = build_server(app, surface="coordinalo", default_principal=scenario.principal)
    args = [
        {"firstName": "Pat", "email": "PAT@example.com"},
        {"firstName": "Patricia", "email": "pat@EXAMPLE.com"},
    ]
    async with Client(server) as one, Client(server) as two:
        results = await asyncio.gather(
            one.call_tool("client_create", args[0]), two.call_tool("client_create", args[1])
        )
    data = [r.structured_content for r in results]
    assert not any(r.is_error for r in results), data
    assert data[0]["client"]["id"] == data[1]["client"]["id"]
    assert sorted(d["linked"] for d in data) == [False, True]
    assert await with_email(app, scenario, "pat@example.com") == 1


async def test_the_practice_decides_which_client_data_is_required(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    assert (await app.client_records.create(p, Draft("Solo"))).linked is False  # by default a name will do
    await app.practice_settings.update(p, {"client_data.email": True, "client_data.lastName": True})
    for draft, field in ((Draft("Ana"), "last_name"), (Draft("Ana", "Paz"), "email")):
        try:
            await app.client_records.create(p, draft)
        except Invalid as exc:
            assert exc.field == field and "client_data" in exc.message
        else:
            raise AssertionError(f"{draft} was accepted without {field}")
    await app.practice_settings.update(p, {"communication.phoneRequired": True})
    try:
        await app.client_records.create(p, Draft("Ana", "Paz", email="ana.paz@example.com"))
    except Invalid as exc:
        assert exc.field == "phone"
    else:
        raise AssertionError("accepted without the phone the practice requires")
    made = await app.client_records.create(
        p, Draft("Ana", "Paz", email="ana.paz@example.com", phone="+1 212 555 0142")
    )
    assert made.client.phone == "+12125550142"
