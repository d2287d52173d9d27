"""Agendas' vocabulary and rules (pure): booking flow, selection modes, strategies, the booking
policy (minimum and maximum advance, same-day, on-demand) and the cancellation policy an agenda
lays over the practice's."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from frontdesk.domain.errors import Invalid

FLOWS = ("service_first", "provider_first", "auto")
MODES = ("required", "optional", "auto", "hidden")
# The practice's strategies plus manual: the person picks the provider (no automatic assignment).
STRATEGIES = ("manual", "round_robin", "least_booked", "most_available", "priority", "random")
CANCELLATION_TYPES = ("free", "penalty", "block")
PENALTY_KINDS = ("amount", "percent")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def slug(value: str, *, field: str = "slug") -> str:
    text = value.strip().lower()
    if not _SLUG.match(text):
        raise Invalid(
            f"{field} must be 1 to 63 lower-case letters, digits and inner hyphens (e.g. 'dr-lee')",
            field=field,
        )
    return text


def check_advance(
    start: datetime,
    now: datetime,
    tz: ZoneInfo,
    *,
    min_advance_minutes: int,
    max_advance_days: int,
    same_day: bool,
    on_demand: bool,
) -> None:
    """The agenda's booking policy: a time at least the minimum advance ahead (on-demand lifts it:
    any future time), at most the maximum ahead, not today when same-day booking is off."""
    if start <= now:
        raise Invalid("the time must be in the future", field="scheduledAt")
    if not on_demand and start - now < timedelta(minutes=min_advance_minutes):
        raise Invalid(
            f"book at least {min_advance_minutes} minutes ahead (this agenda's minimum advance)",
            field="scheduledAt",
        )
    if start - now > timedelta(days=max_advance_days):
        raise Invalid(
            f"book at most {max_advance_days} days ahead (this agenda's maximum advance)",
            field="scheduledAt",
        )
    if not same_day and start.astimezone(tz).date() == now.astimezone(tz).date():
        raise Invalid("this agenda takes no same-day bookings; pick another day", field="scheduledAt")
