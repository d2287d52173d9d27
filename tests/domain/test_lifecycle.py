"""The lifecycle table, the assignment strategies and the booking policies (pure)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.errors import Conflict
from frontdesk.domain.scheduling import assignment, policies
from frontdesk.domain.scheduling.status import (
    FHIR_STATUS,
    LIFECYCLE,
    TRANSITIONS,
    Action,
    AppointmentStatus,
    available,
    check_transition,
    next_state,
)

S = AppointmentStatus
HAPPY = [S.REQUESTED, S.SCHEDULED, S.CONFIRMED, S.IN_PROGRESS, S.COMPLETED, S.DOCUMENTED]
T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def test_every_state_has_a_row_and_a_fhir_status() -> None:
    assert set(LIFECYCLE) == set(S) == set(FHIR_STATUS) == set(TRANSITIONS)
    assert FHIR_STATUS[S.DOCUMENTED] == "fulfilled" and FHIR_STATUS[S.REQUESTED] == "proposed"
    assert FHIR_STATUS[S.PENDING_CONFIRMATION] == "pending"


def test_the_happy_path_is_forward_only_and_never_skips() -> None:
    for a, b in itertools.pairwise(HAPPY):
        check_transition(a, b)
    for i, a in enumerate(HAPPY):
        for later in HAPPY[i + 2 :]:
            with pytest.raises(Conflict):
                check_transition(a, later)
        for earlier in HAPPY[:i]:
            with pytest.raises(Conflict):
                check_transition(a, earlier)


def test_verbs_lead_where_the_table_says() -> None:
    assert next_state(S.PENDING_CONFIRMATION, Action.CONFIRM) == S.SCHEDULED
    assert next_state(S.SCHEDULED, Action.CONFIRM) == S.CONFIRMED
    assert next_state(S.CONFIRMED, Action.CHECK_IN) == S.CHECKED_IN
    assert next_state(S.COMPLETED, Action.DOCUMENT) == S.DOCUMENTED
    with pytest.raises(Conflict) as refused:
        next_state(S.SCHEDULED, Action.COMPLETE)
    assert refused.value.details["available_actions"] == sorted(available(S.SCHEDULED))
    assert available(S.ENTERED_IN_ERROR) == {}
    # Nothing leaves a terminal state except a correction.
    for final in (S.CANCELLED, S.NO_SHOW, S.DOCUMENTED):
        assert set(available(final)) == {"mark_error"}


@given(st.integers(2, 8), st.integers(1, 60))
def test_round_robin_spreads_evenly(k: int, n: int) -> None:
    providers = list(range(10, 10 + k))
    last = None
    counts: Counter[int] = Counter()
    for _ in range(n):
        last = assignment.order("round_robin", providers, last=last)[0]
        counts[last] += 1
    assert max(counts.values()) - min(counts.get(p, 0) for p in providers) <= 1


@given(st.dictionaries(st.integers(1, 50), st.integers(0, 20), min_size=1, max_size=10))
def test_least_booked_picks_the_least_booked(booked: dict[int, int]) -> None:
    chosen = assignment.order("least_booked", list(booked), booked=booked)[0]
    assert booked[chosen] == min(booked.values())
    assert chosen == min(p for p, n in booked.items() if n == booked[chosen])  # ties by id


@given(st.dictionaries(st.integers(1, 50), st.floats(0, 600), min_size=1, max_size=10))
def test_most_available_picks_the_most_free(free: dict[int, float]) -> None:
    chosen = assignment.order("most_available", list(free), free_minutes=free)[0]
    assert free[chosen] == max(free.values())


@given(st.lists(st.integers(1, 99), min_size=1, max_size=10, unique=True), st.text(max_size=20))
def test_random_is_seeded_and_titular_comes_first(ids: list[int], seed: str) -> None:
    once = assignment.order("random", ids, seed=seed)
    assert once == assignment.order("random", list(reversed(ids)), seed=seed)
    assert sorted(once) == sorted(ids)
    titular = ids[-1]
    for strategy in ("round_robin", "least_booked", "most_available", "priority", "random"):
        assert assignment.order(strategy, ids, seed=seed, titular=titular)[0] == titular


def test_no_show_block() -> None:
    day = timedelta(days=1)
    assert policies.blocked_until([T0, T0 + day], 3, 30) is None
    three = [T0, T0 + day, T0 + 2 * day]
    assert policies.blocked_until(three, 3, 30) == T0 + 32 * day
    assert policies.blocked_until(three, 0, 30) is None
    # Strikes count again after a block: two more after it do not block again.
    later = [*three, T0 + 40 * day, T0 + 41 * day]
    assert policies.blocked_until(later, 3, 30) == T0 + 32 * day


def test_cancellation_penalty() -> None:
    start = T0 + timedelta(hours=10)
    common = {"deadline_hours": 24, "starts_at": start, "price_cents": 8000, "currency": "EUR"}
    late = policies.cancellation_penalty(
        kind_of_policy="penalty", penalty_kind="percent", penalty_value=50, now=T0, **common
    )
    assert late == policies.Penalty(4000, "EUR")
    on_time = policies.cancellation_penalty(
        kind_of_policy="penalty",
        penalty_kind="percent",
        penalty_value=50,
        now=T0 - timedelta(days=2),
        **common,
    )
    assert on_time is None
    assert (
        policies.cancellation_penalty(
            kind_of_policy="free", penalty_kind="amount", penalty_value=500, now=T0, **common
        )
        is None
    )
    with pytest.raises(Conflict):
        policies.cancellation_penalty(
            kind_of_policy="block", penalty_kind="amount", penalty_value=0, now=T0, **common
        )
