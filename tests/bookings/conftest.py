"""Helpers for the bookings tests: more providers at one location, titular providers, settings, the
audit trail, and tool calls through the real MCP client."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from mcp import Client
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.storage import models as m
from tests.factories import Scenario
from tests.mcp.conftest import Connect


@pytest.fixture
def connect(app: Frontdesk, scenario: Scenario) -> Connect:
    """The real MCP client, in-process, as the scenario practice's staff, on a surface (one protocol
    mode: the modes are tests/mcp's subject, the bookings tools' are these)."""
    servers: dict[str, Any] = {}

    def open_on(surface: str = "frontdesk") -> Any:
        if surface not in servers:
            servers[surface] = build_server(app, surface=surface, default_principal=scenario.principal)
        return Client(servers[surface])

    return open_on


async def add_providers(app: Frontdesk, sc: Scenario, n: int, *, datebook: int | None = None) -> list[int]:
    """`n` more providers working Mon-Fri 09-17 at a datebook (default Main Street, New York), each
    delivering every service of the practice."""
    ids = []
    async with app.db.write() as s:
        services = (
            (await s.execute(select(m.Service.id).where(m.Service.practice_id == sc.practice_id)))
            .scalars()
            .all()
        )
        for i in range(n):
            pr = m.Provider(
                practice_id=sc.practice_id, uid=str(uuid.uuid4()), name=f"Dr. Extra {i}", specialty="GP"
            )
            s.add(pr)
            await s.flush()
            for wd in range(5):
                s.add(
                    m.WorkingHours(
                        practice_id=sc.practice_id,
                        provider_id=pr.id,
                        datebook_id=datebook or sc.ny,
                        kind="work",
                        weekday=wd,
                        start_time="09:00",
                        end_time="17:00",
                    )
                )
            s.add_all(
                m.ServiceProvider(practice_id=sc.practice_id, service_id=sv, provider_id=pr.id)
                for sv in services
            )
            ids.append(pr.id)
    return ids


async def set_titular(app: Frontdesk, sc: Scenario, patient_id: int, provider_id: int) -> None:
    async with app.db.write() as s:
        s.add(
            m.TitularProvider(
                practice_id=sc.practice_id, patient_id=patient_id, provider_id=provider_id, since=app.clock()
            )
        )


async def configure(app: Frontdesk, sc: Scenario, **changes: Any) -> None:
    await app.practice_settings.update(sc.principal, {k.replace("__", "."): v for k, v in changes.items()})


async def audit_actions(app: Frontdesk, sc: Scenario) -> list[tuple[str, str | None, str, str | None]]:
    """(action, record_id, outcome, detail) of the practice's audit trail, oldest first."""
    async with app.db.read() as s:
        rows = await s.execute(
            select(m.AuditEvent.action, m.AuditEvent.record_id, m.AuditEvent.outcome, m.AuditEvent.detail)
            .where(m.AuditEvent.practice_id == sc.practice_id)
            .order_by(m.AuditEvent.id)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def call(client: Client, tool: str, args: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert result.is_error is error, (tool, result.content[0].text if result.content else result)
    content = result.structured_content
    assert content is not None
    return content
