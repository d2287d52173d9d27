"""Choosing a provider when a booking names none: the order each assignment strategy
(availability.assignmentStrategy) puts the free candidates in. Pure: the service hands in what the
strategy needs (the last auto-assigned provider, bookings and free minutes per candidate)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence

from frontdesk.domain.errors import Invalid
from frontdesk.domain.settings import STRATEGIES


def order(
    strategy: str,
    candidates: Sequence[int],
    *,
    last: int | None = None,
    booked: Mapping[int, int] | None = None,
    free_minutes: Mapping[int, float] | None = None,
    seed: str = "",
    titular: int | None = None,
) -> list[int]:
    """The candidates (provider ids) best first. The client's titular provider, when among them,
    comes first whatever the strategy.

    - round_robin: in id order, starting after the provider the last auto-assignment went to;
    - least_booked: fewest bookings that day first (ties by id);
    - most_available: most free minutes left that day first (ties by id);
    - priority: the practice's provider order (id) until providers carry a priority of their own;
    - random: shuffled by a generator seeded from `seed`, so the same booking always draws the same.
    """
    ids = sorted(set(candidates))
    if strategy == "round_robin":
        if last is not None:
            after = [i for i in ids if i > last]
            ids = after + [i for i in ids if i <= last]
    elif strategy == "least_booked":
        counts = booked or {}
        ids.sort(key=lambda i: (counts.get(i, 0), i))
    elif strategy == "most_available":
        free = free_minutes or {}
        ids.sort(key=lambda i: (-free.get(i, 0.0), i))
    elif strategy == "random":
        digest = hashlib.sha256(seed.encode()).digest()
        random.Random(int.from_bytes(digest[:8], "big")).shuffle(ids)
    elif strategy != "priority":
        raise Invalid(f"assignmentStrategy must be one of: {', '.join(STRATEGIES)}", field="strategy")
    if titular is not None and titular in ids:
        ids.remove(titular)
        ids.insert(0, titular)
    return ids
