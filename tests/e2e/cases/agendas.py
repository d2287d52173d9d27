"""TypeScript-client error cases of /mcp's manage_agendas (the Coordinalo agenda tools' cases are in
ts_cases.py)."""

from __future__ import annotations

from tests.e2e.ts_cases import MISSING, NO_AGENDA, Case

CASES: dict[str, list[Case]] = {
    "manage_agendas": [
        Case({"action": "get", "agenda_id": MISSING}, NO_AGENDA, "missing"),
        Case({"action": "create", "slug": "Not A Slug!", "title": "X"}, "slug must be 1 to 63", "bad slug"),
        Case({"action": "delete", "agenda_id": MISSING, "confirm": True}, NO_AGENDA, "missing on delete"),
    ],
}
