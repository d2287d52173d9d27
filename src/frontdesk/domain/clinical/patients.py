"""Patient demographics rules: administrative sex, ages, search keys."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from frontdesk.domain.errors import Invalid


class Sex(StrEnum):
    """Administrative sex, as FHIR's AdministrativeGender. Gender identity is a separate free field."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


_SEX_WORDS = {"f": "female", "m": "male", "woman": "female", "man": "male", "o": "other", "u": "unknown"}
_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def sex(value: str | None, *, field: str = "sex") -> Sex | None:
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    try:
        return Sex(_SEX_WORDS.get(key, key))
    except ValueError:
        raise Invalid(f"{field} must be one of: female, male, other, unknown", field=field) from None


def digits(phone: str | None) -> str | None:
    """Digits of a phone number, the key phone search compares on."""
    if not phone:
        return None
    out = "".join(c for c in phone if c.isdigit())
    return out or None


def postal_code(value: str | None, *, field: str = "postal_code") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip().upper()
    if not _POSTAL.match(text):
        raise Invalid(f"{field} must be 2 to 12 letters, digits, spaces or hyphens", field=field)
    return text


def language(value: str | None, *, field: str = "language") -> str | None:
    """A BCP 47 language tag such as en, es or pt-BR."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _LANG.match(text):
        raise Invalid(f"{field} must be a language tag such as en, es or pt-BR", field=field)
    return text


def birth_date(value: date, today: date, *, field: str = "date_of_birth") -> date:
    if value > today:
        raise Invalid(f"{field} must not be in the future", field=field)
    if today.year - value.year > 130:
        raise Invalid(f"{field} must be within the last 130 years", field=field)
    return value


def age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def birth_range(min_age: int | None, max_age: int | None, today: date) -> tuple[date | None, date | None]:
    """Dates of birth (earliest, latest) of people aged min_age..max_age (inclusive) today."""
    if min_age is not None and min_age < 0:
        raise Invalid("min_age must be 0 or more", field="min_age")
    if max_age is not None and max_age < 0:
        raise Invalid("max_age must be 0 or more", field="max_age")
    if min_age is not None and max_age is not None and max_age < min_age:
        raise Invalid("max_age must be at least min_age", field="max_age")
    latest = _years_before(today, min_age) if min_age is not None else None
    earliest = None
    if max_age is not None:
        # Aged max_age until the day before the (max_age + 1)th birthday.
        edge = _years_before(today, max_age + 1)
        earliest = date.fromordinal(edge.toordinal() + 1)
    return earliest, latest


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
