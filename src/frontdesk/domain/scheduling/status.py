"""Appointment status machine and its FHIR R4 mapping, each in one table."""

from __future__ import annotations

from enum import StrEnum

from frontdesk.domain.errors import Conflict


class AppointmentStatus(StrEnum):
    HELD = "held"
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    ENTERED_IN_ERROR = "entered_in_error"


S = AppointmentStatus

# Statuses that occupy the provider's time. Held counts: a hold blocks the slot until it expires.
ACTIVE_STATUSES: frozenset[AppointmentStatus] = frozenset(
    {S.HELD, S.SCHEDULED, S.CONFIRMED, S.CHECKED_IN, S.IN_PROGRESS, S.COMPLETED}
)

TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    S.HELD: frozenset({S.SCHEDULED, S.CONFIRMED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.SCHEDULED: frozenset({S.CONFIRMED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW, S.ENTERED_IN_ERROR}),
    S.CONFIRMED: frozenset({S.CHECKED_IN, S.IN_PROGRESS, S.CANCELLED, S.NO_SHOW, S.ENTERED_IN_ERROR}),
    S.CHECKED_IN: frozenset({S.IN_PROGRESS, S.COMPLETED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.ENTERED_IN_ERROR}),
    S.COMPLETED: frozenset({S.ENTERED_IN_ERROR}),
    S.CANCELLED: frozenset({S.ENTERED_IN_ERROR}),
    S.NO_SHOW: frozenset({S.ENTERED_IN_ERROR}),
    S.ENTERED_IN_ERROR: frozenset(),
}

FHIR_STATUS: dict[AppointmentStatus, str] = {
    S.HELD: "pending",
    S.SCHEDULED: "booked",
    S.CONFIRMED: "booked",
    S.CHECKED_IN: "checked-in",
    S.IN_PROGRESS: "arrived",
    S.COMPLETED: "fulfilled",
    S.CANCELLED: "cancelled",
    S.NO_SHOW: "noshow",
    S.ENTERED_IN_ERROR: "entered-in-error",
}

# Once an appointment reaches one of these, its time and people are history and stay fixed.
FINAL_STATUSES: frozenset[AppointmentStatus] = frozenset(
    {S.COMPLETED, S.CANCELLED, S.NO_SHOW, S.ENTERED_IN_ERROR}
)


def check_transition(current: AppointmentStatus, target: AppointmentStatus) -> None:
    """Raise Conflict when `current -> target` is not in the table (same status is a no-op)."""
    if current == target:
        return
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise Conflict(
            f"an appointment that is {current.value} cannot become {target.value} (allowed: {allowed})",
            field="status",
        )


def is_active(status: AppointmentStatus) -> bool:
    return status in ACTIVE_STATUSES
