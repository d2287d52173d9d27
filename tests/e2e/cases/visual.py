"""TypeScript-client error cases of the visual messages (comms_render_visual_message on Coordinalo,
render_visual_message on /mcp): a session that does not exist, a date that is not one."""

from __future__ import annotations

from tests.e2e.ts_cases import MISSING, Case

CASES: dict[str, list[Case]] = {
    "comms_render_visual_message": [
        Case(
            {"action": "preview", "template": "session-reminder", "sessionId": MISSING},
            f"no session {MISSING}",
            "missing session",
        )
    ],
    "render_visual_message": [
        Case(
            {
                "action": "preview",
                "template": "session-confirmation",
                "client_name": "Probe Person",
                "provider_name": "Dr. Ana Garcia",
                "date": "04/03/2030",
                "time": "10:00",
            },
            "date must be a day as YYYY-MM-DD",
            "bad date",
        )
    ],
}
