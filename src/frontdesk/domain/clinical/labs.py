"""Lab result flags: a numeric value against its reference range."""

from __future__ import annotations

from frontdesk.domain.errors import Invalid

FLAGS = ("N", "L", "H", "LL", "HH", "A")


def flag(value: float | None, low: float | None, high: float | None, given: str | None) -> str | None:
    """The abnormal flag: the one given (checked), else computed from a numeric value and its range."""
    if given is not None and given.strip():
        key = given.strip().upper()
        if key not in FLAGS:
            raise Invalid(f"abnormal_flag must be one of: {', '.join(FLAGS)}", field="abnormal_flag")
        return key
    if low is not None and high is not None and low > high:
        raise Invalid("reference_low must not be above reference_high", field="reference_low")
    if value is None or (low is None and high is None):
        return None
    if low is not None and value < low:
        return "L"
    if high is not None and value > high:
        return "H"
    return "N"


def numeric(value: str) -> float | None:
    """'5.4' -> 5.4; '<0.5', 'positive' -> None (kept as text only)."""
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        return None
