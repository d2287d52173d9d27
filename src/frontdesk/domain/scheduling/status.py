"""Appointment lifecycle: the Servicialo protocol's states (requested, pending_confirmation, scheduled,
confirmed, in_progress, completed, documented; cancelled and no_show as exits) with Frontdesk's own
(held, checked_in, entered_in_error), in ONE transition table keyed by (state, action), and the FHIR
R4 mapping of every state.

The table is the only source: the allowed targets of a state, the verbs available now, and a
`to_state` request are all read from it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from frontdesk.domain.errors import Conflict, Invalid


class AppointmentStatus(StrEnum):
    REQUESTED = "requested"
    PENDING_CONFIRMATION = "pending_confirmation"
    HELD = "held"
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DOCUMENTED = "documented"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    ENTERED_IN_ERROR = "entered_in_error"


class Action(StrEnum):
    """The lifecycle's verbs (Servicialo's, plus Frontdesk's check_in, request_confirmation, error)."""

    REQUEST_CONFIRMATION = "request_confirmation"
    SCHEDULE = "schedule"
    CONFIRM = "confirm"
    CHECK_IN = "check_in"
    START = "start"
    COMPLETE = "complete"
    DOCUMENT = "document"
    CANCEL = "cancel"
    NO_SHOW = "no_show"
    MARK_ERROR = "mark_error"


class Method(StrEnum):
    """How a transition was triggered (Servicialo's `method`)."""

    MANUAL = "manual"
    AGENT = "agent"
    AUTO = "auto"


class NoShowBy(StrEnum):
    CLIENT = "client"
    PROVIDER = "provider"


S = AppointmentStatus
A = Action

_EXITS = {A.CANCEL: S.CANCELLED, A.MARK_ERROR: S.ENTERED_IN_ERROR}

# (state, action) -> next state. Everything else is refused. The happy path is strictly forward;
# check-in is Frontdesk's intermediate state between confirmed and in_progress (the front desk's).
LIFECYCLE: Mapping[AppointmentStatus, Mapping[Action, AppointmentStatus]] = {
    S.REQUESTED: {A.REQUEST_CONFIRMATION: S.PENDING_CONFIRMATION, A.SCHEDULE: S.SCHEDULED, **_EXITS},
    # Servicialo §6.0.1: from pending_confirmation, confirm -> scheduled or cancel.
    S.PENDING_CONFIRMATION: {A.CONFIRM: S.SCHEDULED, **_EXITS},
    # A hold is confirmed into a booking (hold_slot then confirm_appointment).
    S.HELD: {A.CONFIRM: S.SCHEDULED, **_EXITS},
    S.SCHEDULED: {A.CONFIRM: S.CONFIRMED, A.CHECK_IN: S.CHECKED_IN, A.NO_SHOW: S.NO_SHOW, **_EXITS},
    S.CONFIRMED: {A.CHECK_IN: S.CHECKED_IN, A.START: S.IN_PROGRESS, A.NO_SHOW: S.NO_SHOW, **_EXITS},
    S.CHECKED_IN: {A.START: S.IN_PROGRESS, A.COMPLETE: S.COMPLETED, **_EXITS},
    S.IN_PROGRESS: {A.COMPLETE: S.COMPLETED, A.MARK_ERROR: S.ENTERED_IN_ERROR},
    S.COMPLETED: {A.DOCUMENT: S.DOCUMENTED, A.MARK_ERROR: S.ENTERED_IN_ERROR},
    S.DOCUMENTED: {A.MARK_ERROR: S.ENTERED_IN_ERROR},
    S.CANCELLED: {A.MARK_ERROR: S.ENTERED_IN_ERROR},
    S.NO_SHOW: {A.MARK_ERROR: S.ENTERED_IN_ERROR},
    S.ENTERED_IN_ERROR: {},
}

TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    state: frozenset(moves.values()) for state, moves in LIFECYCLE.items()
}

FHIR_STATUS: dict[AppointmentStatus, str] = {
    S.REQUESTED: "proposed",
    S.PENDING_CONFIRMATION: "pending",
    S.HELD: "pending",
    S.SCHEDULED: "booked",
    S.CONFIRMED: "booked",
    S.CHECKED_IN: "checked-in",
    S.IN_PROGRESS: "arrived",
    S.COMPLETED: "fulfilled",
    S.DOCUMENTED: "fulfilled",
    S.CANCELLED: "cancelled",
    S.NO_SHOW: "noshow",
    S.ENTERED_IN_ERROR: "entered-in-error",
}

# Statuses that occupy the provider's time. Held counts: a hold blocks the slot until it expires.
ACTIVE_STATUSES: frozenset[AppointmentStatus] = frozenset(
    {
        S.REQUESTED,
        S.PENDING_CONFIRMATION,
        S.HELD,
        S.SCHEDULED,
        S.CONFIRMED,
        S.CHECKED_IN,
        S.IN_PROGRESS,
        S.COMPLETED,
        S.DOCUMENTED,
    }
)

# Once an appointment reaches one of these, its time and people are history and stay fixed.
FINAL_STATUSES: frozenset[AppointmentStatus] = frozenset(
    {S.COMPLETED, S.DOCUMENTED, S.CANCELLED, S.NO_SHOW, S.ENTERED_IN_ERROR}
)
# Sessions that happened (stats count them as delivered, revenue comes from them).
DELIVERED: frozenset[AppointmentStatus] = frozenset({S.COMPLETED, S.DOCUMENTED})


def _refusal(current: AppointmentStatus, wanted: str) -> Conflict:
    allowed = ", ".join(sorted(LIFECYCLE[current].values())) or "none"
    return Conflict(
        f"an appointment that is {current.value} cannot become {wanted} (allowed: {allowed})",
        field="status",
        details={"current_state": current.value, "available_actions": sorted(LIFECYCLE[current])},
    )


def check_transition(current: AppointmentStatus, target: AppointmentStatus) -> None:
    """Raise Conflict when `current -> target` is not in the table (same status is a no-op)."""
    if current == target:
        return
    if target not in TRANSITIONS[current]:
        raise _refusal(current, target.value)


def next_state(current: AppointmentStatus, action: Action) -> AppointmentStatus:
    """Where `action` takes an appointment that is `current`, or Conflict."""
    target = LIFECYCLE[current].get(action)
    if target is None:
        raise _refusal(current, f"{action.value}d" if action == A.CONFIRM else f"'{action.value}'")
    return target


def action_to(current: AppointmentStatus, target: AppointmentStatus) -> Action:
    """The verb that takes `current` to `target`, or Conflict."""
    for action, to in LIFECYCLE[current].items():
        if to == target:
            return action
    raise _refusal(current, target.value)


def available(current: AppointmentStatus) -> dict[str, str]:
    """The transitions allowed now: verb -> state it leads to."""
    return {a.value: to.value for a, to in LIFECYCLE[current].items()}


def parse_status(value: str, field: str = "status") -> AppointmentStatus:
    try:
        return S(value)
    except ValueError:
        raise Invalid(f"{field} must be one of: {', '.join(x.value for x in S)}", field=field) from None


def parse_action(value: str, field: str = "action") -> Action:
    try:
        return A(value)
    except ValueError:
        raise Invalid(f"{field} must be one of: {', '.join(x.value for x in A)}", field=field) from None


def is_active(status: AppointmentStatus) -> bool:
    return status in ACTIVE_STATUSES
