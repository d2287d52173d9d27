"""/health reports the job queue: its depth, what is due and the oldest due job."""

from __future__ import annotations

from tests.http import flow
from tests.http.conftest import Live


async def test_health_reports_the_queue(live: Live) -> None:
    async with flow.browser() as hc:
        r = await hc.get(f"{live.base}/health")
    assert r.status_code == 200
    queue = r.json()["queue"]
    assert set(queue) == {"depth", "due", "oldest_due", "dead"}
    assert isinstance(queue["depth"], int) and queue["depth"] >= queue["due"] >= 0
