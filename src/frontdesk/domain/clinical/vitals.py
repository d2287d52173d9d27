"""Vital signs: units and their conversion, plausible ranges, BMI, trends and templates.

Values are stored in one unit per kind (SI, plus mmHg and /min where medicine uses them) and shown in
the unit system the caller or the practice's template asks for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from frontdesk.domain.errors import Invalid


class Kind(StrEnum):
    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    PULSE = "pulse"
    TEMPERATURE = "temperature"
    RESPIRATORY_RATE = "respiratory_rate"
    SPO2 = "spo2"
    WEIGHT = "weight"
    HEIGHT = "height"
    BMI = "bmi"


class UnitSystem(StrEnum):
    METRIC = "metric"
    US = "us"


@dataclass(frozen=True, slots=True)
class Spec:
    kind: Kind
    label: str
    unit: str  # the stored unit
    low: float  # plausible range, in the stored unit
    high: float
    decimals: int
    loinc: str  # FHIR vital-signs profile code
    ucum: str
    step: float  # a change smaller than this is "stable" in a trend


SPECS: dict[Kind, Spec] = {
    s.kind: s
    for s in (
        Spec(Kind.SYSTOLIC, "Systolic blood pressure", "mmHg", 40, 300, 0, "8480-6", "mm[Hg]", 5),
        Spec(Kind.DIASTOLIC, "Diastolic blood pressure", "mmHg", 20, 200, 0, "8462-4", "mm[Hg]", 5),
        Spec(Kind.PULSE, "Heart rate", "/min", 20, 260, 0, "8867-4", "/min", 5),
        Spec(Kind.TEMPERATURE, "Body temperature", "C", 25, 45, 1, "8310-5", "Cel", 0.3),
        Spec(Kind.RESPIRATORY_RATE, "Respiratory rate", "/min", 4, 80, 0, "9279-1", "/min", 2),
        Spec(Kind.SPO2, "Oxygen saturation", "%", 50, 100, 0, "59408-5", "%", 2),
        Spec(Kind.WEIGHT, "Body weight", "kg", 0.2, 500, 1, "29463-7", "kg", 0.5),
        Spec(Kind.HEIGHT, "Body height", "cm", 20, 280, 1, "8302-2", "cm", 1),
        Spec(Kind.BMI, "Body mass index", "kg/m2", 5, 150, 1, "39156-5", "kg/m2", 0.5),
    )
}
MEASURED: tuple[Kind, ...] = tuple(k for k in Kind if k != Kind.BMI)

# Accepted input units per kind, as (factor, offset) to the stored unit: stored = value * factor + offset.
_LB = 0.45359237
UNITS: dict[Kind, dict[str, tuple[float, float]]] = {
    Kind.WEIGHT: {"kg": (1, 0), "g": (0.001, 0), "lb": (_LB, 0), "oz": (_LB / 16, 0)},
    Kind.HEIGHT: {"cm": (1, 0), "m": (100, 0), "in": (2.54, 0), "ft": (30.48, 0)},
    Kind.TEMPERATURE: {"c": (1, 0), "f": (5 / 9, -32 * 5 / 9)},
}
PREFERRED: dict[UnitSystem, dict[Kind, str]] = {
    UnitSystem.METRIC: {Kind.WEIGHT: "kg", Kind.HEIGHT: "cm", Kind.TEMPERATURE: "C"},
    UnitSystem.US: {Kind.WEIGHT: "lb", Kind.HEIGHT: "in", Kind.TEMPERATURE: "F"},
}
UCUM_DISPLAY = {
    "lb": "[lb_av]",
    "in": "[in_i]",
    "F": "[degF]",
    "g": "g",
    "oz": "[oz_av]",
    "m": "m",
    "ft": "[ft_i]",
}


def unit_system(value: str | None, *, field: str = "units") -> UnitSystem:
    if value is None:
        return UnitSystem.METRIC
    try:
        return UnitSystem(value.strip().lower())
    except ValueError:
        raise Invalid(f"{field} must be metric or us", field=field) from None


def to_stored(kind: Kind, value: float, unit: str | None, *, field: str) -> float:
    """Convert an input value to the stored unit and check it is humanly plausible."""
    spec = SPECS[kind]
    if kind == Kind.BMI:
        raise Invalid("bmi is computed from weight and height; do not send it", field=field)
    factor, offset = 1.0, 0.0
    if unit is not None and unit.strip():
        choices = UNITS.get(kind)
        key = unit.strip().lower().replace("°", "").replace("deg", "")
        key = {"kgs": "kg", "lbs": "lb", "pound": "lb", "pounds": "lb", "inch": "in", "inches": "in"}.get(
            key, key
        )
        if choices is None:
            if key != spec.unit.lower():
                raise Invalid(f"{field} is measured in {spec.unit} only", field=f"{field}_unit")
        elif key not in choices:
            allowed = ", ".join(u if u not in ("c", "f") else u.upper() for u in choices)
            raise Invalid(f"{field}_unit must be one of: {allowed}", field=f"{field}_unit")
        else:
            factor, offset = choices[key]
    stored = value * factor + offset
    if not spec.low <= stored <= spec.high:
        raise Invalid(
            f"{field} must be between {_fmt(spec.low, spec)} and {_fmt(spec.high, spec)} {spec.unit} "
            "(after unit conversion)",
            field=field,
        )
    return round(stored, spec.decimals + 2)


def from_stored(kind: Kind, stored: float, unit: str) -> float:
    choices = UNITS.get(kind, {})
    factor, offset = choices.get(unit.lower(), (1.0, 0.0))
    value = (stored - offset) / factor
    return round(
        value,
        max(SPECS[kind].decimals, 1) if unit.lower() in ("lb", "in", "f", "oz") else SPECS[kind].decimals,
    )


def display_unit(kind: Kind, system: UnitSystem) -> str:
    return PREFERRED[system].get(kind, SPECS[kind].unit)


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body mass index, kg/m², one decimal."""
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


def check_reading(values: Mapping[Kind, float]) -> None:
    """Rules across values of one reading."""
    if not values:
        raise Invalid("give at least one vital sign", field="systolic")
    sys_, dia = values.get(Kind.SYSTOLIC), values.get(Kind.DIASTOLIC)
    if (sys_ is None) != (dia is None):
        missing = "diastolic" if dia is None else "systolic"
        raise Invalid(
            f"blood pressure needs both systolic and diastolic; {missing} is missing", field=missing
        )
    if sys_ is not None and dia is not None and dia >= sys_:
        raise Invalid("diastolic must be lower than systolic", field="diastolic")


def _fmt(value: float, spec: Spec) -> str:
    return f"{value:.{spec.decimals}f}" if spec.decimals else f"{value:.0f}"


@dataclass(frozen=True, slots=True)
class Trend:
    kind: Kind
    latest: float
    latest_at: datetime
    previous: float | None
    change: float | None
    direction: str  # rising | falling | stable | single
    points: tuple[tuple[datetime, float], ...]  # oldest first


def trend(kind: Kind, points: Sequence[tuple[datetime, float]]) -> Trend | None:
    """Latest value against the one before it; `step` of the kind decides what counts as a change."""
    ordered = sorted(points, key=lambda p: p[0])
    if not ordered:
        return None
    latest_at, latest = ordered[-1]
    if len(ordered) == 1:
        return Trend(kind, latest, latest_at, None, None, "single", tuple(ordered))
    previous = ordered[-2][1]
    change = round(latest - previous, SPECS[kind].decimals + 1)
    step = SPECS[kind].step
    direction = "stable" if abs(change) < step else ("rising" if change > 0 else "falling")
    return Trend(kind, latest, latest_at, previous, change, direction, tuple(ordered))


@dataclass(frozen=True, slots=True)
class VitalTemplate:
    """Which vital signs a practice records in a given visit type, and in which unit system."""

    key: str
    name: str
    kinds: tuple[Kind, ...]
    units: UnitSystem


BUILTIN_TEMPLATES: tuple[VitalTemplate, ...] = (
    VitalTemplate("adult-metric", "Adult (metric)", MEASURED, UnitSystem.METRIC),
    VitalTemplate("adult-us", "Adult (US units)", MEASURED, UnitSystem.US),
    VitalTemplate(
        "bp-check",
        "Blood pressure check",
        (Kind.SYSTOLIC, Kind.DIASTOLIC, Kind.PULSE),
        UnitSystem.METRIC,
    ),
)


def template_kinds(values: Sequence[str], *, field: str = "kinds") -> tuple[Kind, ...]:
    out: list[Kind] = []
    for v in values:
        try:
            kind = Kind(v.strip().lower())
        except ValueError:
            allowed = ", ".join(k.value for k in MEASURED)
            raise Invalid(f"{field} must list vital signs among: {allowed}", field=field) from None
        if kind == Kind.BMI:
            continue  # always computed when weight and height are present
        if kind not in out:
            out.append(kind)
    if not out:
        raise Invalid(f"{field} must name at least one vital sign", field=field)
    return tuple(out)
