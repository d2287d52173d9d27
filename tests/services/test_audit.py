"""The audit chain under concurrency: entries append without waiting, the sealer chains them whole."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from frontdesk.services.app import Frontdesk
from frontdesk.storage import models as m
from tests.factories import Scenario


async def test_concurrent_reads_seal_into_one_gapless_chain(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal

    async def read(i: int) -> None:
        await app.patients.search(p, "perez" if i % 2 else "santos")

    await asyncio.gather(*(read(i) for i in range(40)))
    async with app.db.read() as s:
        waiting = (
            await s.execute(
                select(m.AuditEvent.id).where(
                    m.AuditEvent.practice_id == scenario.practice_id, m.AuditEvent.seq.is_(None)
                )
            )
        ).all()
    assert len(waiting) == 40, "appended, not yet chained"
    assert await app.audit.seal(scenario.practice_id) == 40
    checked, broken = await app.audit.verify(scenario.practice_id)
    assert (checked, broken) == (40, None)
    await read(0)
    assert await app.audit.seal_all() >= 1
    checked, broken = await app.audit.verify(scenario.practice_id)
    assert (checked, broken) == (41, None)
