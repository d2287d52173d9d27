"""TypeScript-client error cases of the campaign tools (issue 14), on the demo practice (the email
channel is not configured there)."""

from __future__ import annotations

from tests.e2e.ts_cases import MISSING, UNKNOWN_ARGUMENT, Case

NO_CAMPAIGN = f"no campaign with id {MISSING}"

CASES: dict[str, list[Case]] = {
    "comms_list_campaigns": [UNKNOWN_ARGUMENT],
    "comms_get_campaign": [Case({"campaignId": MISSING}, NO_CAMPAIGN, "missing")],
    "comms_create_email_campaign": [
        Case(
            {
                "name": "Vuelve",
                "subject": "Hola {nombre}",
                "htmlBody": "<p>Hola {apodo}</p>",
                "audienceType": "predefined",
                "audienceId": "inactive",
                "confirm": True,
            },
            "'apodo' is undefined",
            "unknown variable",
        )
    ],
    "comms_send_campaign": [
        Case(
            {"campaignId": MISSING, "confirm": True},
            "the email channel is not configured on this server",
            "no channel",
        )
    ],
    "manage_campaigns": [Case({"action": "get", "campaign_id": MISSING}, NO_CAMPAIGN, "missing")],
}
