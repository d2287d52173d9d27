"""TypeScript-client error cases of the calendar feed and feedback tools (issue 14, /mcp only)."""

from __future__ import annotations

from tests.e2e.ts_cases import MISSING, Case

CASES: dict[str, list[Case]] = {
    "manage_calendar_feeds": [
        Case(
            {"action": "status", "provider_id": MISSING}, f"no provider with id {MISSING}", "missing provider"
        )
    ],
    "nps_summary": [
        Case({"start": "2026-03-10", "end": "2026-03-01"}, "start must be before end", "reversed range"),
        Case({"provider_id": MISSING}, f"no provider with id {MISSING}", "missing provider"),
    ],
}
