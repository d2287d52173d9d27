"""Booking policies (the practice's `policies.*` settings): the no-show block and the cancellation
penalty. Pure functions of the times and amounts involved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdesk.domain.errors import Conflict

RETROACTIVE_DAYS = 365  # a retroactive session may be at most this many days in the past


def blocked_until(no_shows: Sequence[datetime], max_strikes: int, block_days: int) -> datetime | None:
    """When the client's booking block ends, from their no-shows (oldest first), or None.

    Every `max_strikes`-th no-show starts a block of `block_days` days; strikes count again from
    zero after each block, and a no-show recorded during a block does not count. 0 strikes or 0 days
    is never blocking."""
    if max_strikes <= 0 or block_days <= 0:
        return None
    strikes, until = 0, None
    for at in no_shows:
        if until is not None and at < until:
            continue
        strikes += 1
        if strikes >= max_strikes:
            until, strikes = at + timedelta(days=block_days), 0
    return until


@dataclass(frozen=True, slots=True)
class Penalty:
    cents: int
    currency: str


def cancellation_penalty(
    *,
    kind_of_policy: str,
    deadline_hours: int,
    penalty_kind: str,
    penalty_value: int,
    starts_at: datetime,
    now: datetime,
    price_cents: int,
    currency: str,
) -> Penalty | None:
    """The penalty a cancel at `now` incurs (None when on time or the policy is free). Under a
    `block` policy a late cancel is refused (Conflict)."""
    late = now > starts_at - timedelta(hours=deadline_hours)
    if kind_of_policy == "free" or not late:
        return None
    if kind_of_policy == "block":
        raise Conflict(
            f"cancellations must be made at least {deadline_hours} hours ahead "
            "(policies.cancellationType is block); this one is late",
            field="confirm",
            details={"deadline_hours": deadline_hours},
        )
    if penalty_kind == "percent":
        cents = price_cents * min(penalty_value, 100) // 100
    else:
        cents = penalty_value
    return Penalty(cents, currency)
