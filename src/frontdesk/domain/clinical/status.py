"""Status machines of chart records, each in one table, and their FHIR R4 codes."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from frontdesk.domain.errors import Conflict, Invalid

T = TypeVar("T", bound=StrEnum)


class EncounterStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"  # locked: later changes are addenda
    ENTERED_IN_ERROR = "entered_in_error"


class RecallStatus(StrEnum):
    OPEN = "open"  # due or coming due: listed for outreach
    SCHEDULED = "scheduled"  # an appointment was booked for it
    DONE = "done"
    CANCELLED = "cancelled"


class MedicationStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    STOPPED = "stopped"
    COMPLETED = "completed"
    ENTERED_IN_ERROR = "entered_in_error"


class AllergyStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    RESOLVED = "resolved"
    ENTERED_IN_ERROR = "entered_in_error"


class DiagnosisStatus(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    INACTIVE = "inactive"
    ENTERED_IN_ERROR = "entered_in_error"


class LabStatus(StrEnum):
    PRELIMINARY = "preliminary"
    FINAL = "final"
    CORRECTED = "corrected"
    ENTERED_IN_ERROR = "entered_in_error"


class PatientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    MERGED = "merged"  # a duplicate folded into another record; read-only from then on


E, R, M = EncounterStatus, RecallStatus, MedicationStatus

ENCOUNTER_TRANSITIONS: dict[EncounterStatus, frozenset[EncounterStatus]] = {
    E.DRAFT: frozenset({E.SIGNED, E.ENTERED_IN_ERROR}),
    E.SIGNED: frozenset({E.ENTERED_IN_ERROR}),
    E.ENTERED_IN_ERROR: frozenset(),
}

RECALL_TRANSITIONS: dict[RecallStatus, frozenset[RecallStatus]] = {
    R.OPEN: frozenset({R.SCHEDULED, R.DONE, R.CANCELLED}),
    R.SCHEDULED: frozenset({R.OPEN, R.DONE, R.CANCELLED}),
    R.DONE: frozenset({R.OPEN}),
    R.CANCELLED: frozenset({R.OPEN}),
}

MEDICATION_TRANSITIONS: dict[MedicationStatus, frozenset[MedicationStatus]] = {
    M.ACTIVE: frozenset({M.ON_HOLD, M.STOPPED, M.COMPLETED, M.ENTERED_IN_ERROR}),
    M.ON_HOLD: frozenset({M.ACTIVE, M.STOPPED, M.COMPLETED, M.ENTERED_IN_ERROR}),
    M.STOPPED: frozenset({M.ACTIVE, M.ENTERED_IN_ERROR}),
    M.COMPLETED: frozenset({M.ACTIVE, M.ENTERED_IN_ERROR}),
    M.ENTERED_IN_ERROR: frozenset(),
}

# FHIR R4 codes for the export.
FHIR_ENCOUNTER = {E.DRAFT: "in-progress", E.SIGNED: "finished", E.ENTERED_IN_ERROR: "entered-in-error"}
FHIR_MEDICATION = {
    M.ACTIVE: "active",
    M.ON_HOLD: "on-hold",
    M.STOPPED: "stopped",
    M.COMPLETED: "completed",
    M.ENTERED_IN_ERROR: "entered-in-error",
}
FHIR_ALLERGY_CLINICAL = {
    AllergyStatus.ACTIVE: "active",
    AllergyStatus.INACTIVE: "inactive",
    AllergyStatus.RESOLVED: "resolved",
}
FHIR_CONDITION_CLINICAL = {
    DiagnosisStatus.ACTIVE: "active",
    DiagnosisStatus.RESOLVED: "resolved",
    DiagnosisStatus.INACTIVE: "inactive",
}
FHIR_LAB = {
    LabStatus.PRELIMINARY: "preliminary",
    LabStatus.FINAL: "final",
    LabStatus.CORRECTED: "corrected",
    LabStatus.ENTERED_IN_ERROR: "entered-in-error",
}


def parse(kind: type[T], value: str, *, field: str = "status") -> T:
    try:
        return kind(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(x.value for x in kind)
        raise Invalid(f"{field} must be one of: {allowed}", field=field) from None


def check(table: dict[T, frozenset[T]], current: T, target: T, what: str) -> None:
    if target == current:
        return
    if target not in table[current]:
        allowed = ", ".join(sorted(x.value for x in table[current])) or "nothing (final)"
        raise Conflict(
            f"a {current.value} {what} cannot become {target.value}; allowed: {allowed}", field="status"
        )
