"""TypeScript-client error cases of the sending-domain tools (issue 14), on the demo practice (which
has no sending domain)."""

from __future__ import annotations

from tests.e2e.ts_cases import UNKNOWN_ARGUMENT, Case

NOT_A_NAME = "domain must be a domain name alone"
NONE = "this practice has no sending domain"

CASES: dict[str, list[Case]] = {
    "email_domain_get": [UNKNOWN_ARGUMENT],
    "email_domain_register": [Case({"domain": "not a domain"}, NOT_A_NAME, "bad name")],
    "email_domain_verify": [UNKNOWN_ARGUMENT],
    "email_domain_delete": [Case({"confirm": True}, NONE, "none to delete")],
    "manage_email_domain": [
        Case({"action": "register", "domain": "someone@clinic.test"}, NOT_A_NAME, "an address, not a name"),
        Case({"action": "delete", "confirm": True}, NONE, "none to delete"),
    ],
}
