"""The person's consent to a destructive change (cancelling, deleting, merging), checked by the service
that makes the change, whichever adapter brought the call.

Adapters gather it: an MCP client that can ask the person (elicitation) asks them; one that cannot passes
`confirm: true` once the person agreed in the conversation; a seed surface whose contract is the
client's own confirmation of a destructive tool passes it as given."""

from __future__ import annotations

from enum import StrEnum

from frontdesk.domain.errors import Declined, Invalid


class Consent(StrEnum):
    GIVEN = "given"  # the person agreed (or the surface's contract leaves asking to the client)
    DECLINED = "declined"  # asked, and the person said no (or dismissed the question)
    MISSING = "missing"  # nobody asked yet


def require(consent: Consent, what: str) -> None:
    """Refuse a destructive change `what` ("cancelling", "removing a note") unless the person agreed."""
    if consent is Consent.GIVEN:
        return
    if consent is Consent.DECLINED:
        raise Declined(f"the person did not agree to {what}: nothing was changed")
    raise Invalid(
        f"{what} is destructive: ask the person, then call again with confirm: true", field="confirm"
    )
