"""Vital-sign units, ranges, BMI, trends and templates: pure and fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.domain.clinical import vitals as v
from frontdesk.domain.errors import Invalid

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "value", "unit", "stored"),
    [
        (v.Kind.WEIGHT, 154, "lb", 69.853),
        (v.Kind.WEIGHT, 70, "kg", 70.0),
        (v.Kind.WEIGHT, 3500, "g", 3.5),
        (v.Kind.WEIGHT, 154, "lbs", 69.853),
        (v.Kind.HEIGHT, 68, "in", 172.72),
        (v.Kind.HEIGHT, 1.75, "m", 175.0),
        (v.Kind.HEIGHT, 6, "ft", 182.88),
        (v.Kind.TEMPERATURE, 98.6, "F", 37.0),
        (v.Kind.TEMPERATURE, 38.5, "C", 38.5),
        (v.Kind.TEMPERATURE, 101.3, "°F", 38.5),
        (v.Kind.PULSE, 72, None, 72.0),
        (v.Kind.SPO2, 97, "%", 97.0),
    ],
)
def test_conversion_to_stored_units(kind: v.Kind, value: float, unit: str | None, stored: float) -> None:
    assert v.to_stored(kind, value, unit, field=kind.value) == pytest.approx(stored, abs=0.01)


def test_round_trip_for_display() -> None:
    kg = v.to_stored(v.Kind.WEIGHT, 180, "lb", field="weight")
    assert v.from_stored(v.Kind.WEIGHT, kg, "lb") == pytest.approx(180.0, abs=0.05)
    c = v.to_stored(v.Kind.TEMPERATURE, 100.4, "F", field="temperature")
    assert v.from_stored(v.Kind.TEMPERATURE, c, "F") == pytest.approx(100.4, abs=0.05)
    assert v.display_unit(v.Kind.HEIGHT, v.UnitSystem.US) == "in"
    assert v.display_unit(v.Kind.PULSE, v.UnitSystem.US) == "/min"


def test_units_and_ranges_are_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as bad_unit:
        v.to_stored(v.Kind.WEIGHT, 70, "stone", field="weight")
    assert bad_unit.value.field == "weight_unit" and "kg" in bad_unit.value.message
    with pytest.raises(Invalid) as fahrenheit_as_celsius:
        v.to_stored(v.Kind.TEMPERATURE, 98.6, "C", field="temperature")
    assert (
        fahrenheit_as_celsius.value.field == "temperature"
        and "between" in fahrenheit_as_celsius.value.message
    )
    with pytest.raises(Invalid):
        v.to_stored(v.Kind.SPO2, 101, None, field="spo2")
    with pytest.raises(Invalid) as pulse_unit:
        v.to_stored(v.Kind.PULSE, 70, "Hz", field="pulse")
    assert pulse_unit.value.field == "pulse_unit"
    with pytest.raises(Invalid):
        v.to_stored(v.Kind.BMI, 22, None, field="bmi")


def test_bmi() -> None:
    assert v.bmi(70, 175) == 22.9
    assert (
        v.bmi(
            v.to_stored(v.Kind.WEIGHT, 154, "lb", field="w"), v.to_stored(v.Kind.HEIGHT, 68, "in", field="h")
        )
        == 23.4
    )


def test_blood_pressure_needs_both_values_in_order() -> None:
    v.check_reading({v.Kind.SYSTOLIC: 120, v.Kind.DIASTOLIC: 80})
    with pytest.raises(Invalid) as half:
        v.check_reading({v.Kind.SYSTOLIC: 120})
    assert half.value.field == "diastolic"
    with pytest.raises(Invalid) as upside_down:
        v.check_reading({v.Kind.SYSTOLIC: 80, v.Kind.DIASTOLIC: 120})
    assert upside_down.value.field == "diastolic"
    with pytest.raises(Invalid):
        v.check_reading({})


def test_trend_direction() -> None:
    pts = [(T0, 80.0), (T0 + timedelta(days=30), 82.0), (T0 + timedelta(days=60), 85.0)]
    t = v.trend(v.Kind.WEIGHT, list(reversed(pts)))
    assert t is not None
    assert (t.latest, t.previous, t.change, t.direction) == (85.0, 82.0, 3.0, "rising")
    assert [p[1] for p in t.points] == [80.0, 82.0, 85.0]
    flat = v.trend(v.Kind.SYSTOLIC, [(T0, 120.0), (T0 + timedelta(days=1), 122.0)])
    assert flat is not None and flat.direction == "stable"
    down = v.trend(v.Kind.PULSE, [(T0, 90.0), (T0 + timedelta(days=1), 70.0)])
    assert down is not None and down.direction == "falling"
    single = v.trend(v.Kind.PULSE, [(T0, 90.0)])
    assert single is not None and single.direction == "single" and single.change is None
    assert v.trend(v.Kind.PULSE, []) is None


def test_templates() -> None:
    assert v.template_kinds(["systolic", "Diastolic", "bmi", "systolic"]) == (
        v.Kind.SYSTOLIC,
        v.Kind.DIASTOLIC,
    )
    with pytest.raises(Invalid):
        v.template_kinds(["blood sugar"])
    with pytest.raises(Invalid):
        v.template_kinds(["bmi"])
    keys = {t.key for t in v.BUILTIN_TEMPLATES}
    assert {"adult-metric", "adult-us"} <= keys
    assert v.unit_system("US") == v.UnitSystem.US
    with pytest.raises(Invalid):
        v.unit_system("imperial")
