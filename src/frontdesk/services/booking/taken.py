"""A taken time as the public flow tells it. The scheduling service refuses a time nobody is free
at with its own words for the staff tools (field starts_at, "call find_available_slots"); a public
caller gave scheduledAt and can only call the public tools, so the refusal is said again in those
terms (the audit has already recorded it as slot_taken)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from frontdesk.domain.errors import Conflict

TAKEN = (
    "this time was just taken by someone else (or is no longer free); "
    "pick another time (call public_availability_get_slots)"
)


@contextmanager
def said_publicly(field: str = "scheduledAt") -> Iterator[None]:
    try:
        yield
    except Conflict as exc:
        if exc.field != "starts_at":
            raise
        raise Conflict(TAKEN, field=field, details={"decision": "slot_taken"}) from None
