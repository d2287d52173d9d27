"""Field rules shared by every adapter, each failure naming the field and the rule."""

from __future__ import annotations

import re

from frontdesk.domain.errors import Invalid

NOTES_MAX = 255
NAME_MAX = 120
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,25}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def notes(value: str | None, *, field: str = "notes") -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > NOTES_MAX:
        raise Invalid(f"{field} must be at most {NOTES_MAX} characters (got {len(value)})", field=field)
    return value or None


def required_text(value: str | None, *, field: str, max_len: int = NAME_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(f"{field} must not be empty", field=field)
    if len(text) > max_len:
        raise Invalid(f"{field} must be at most {max_len} characters", field=field)
    return text


def phone(value: str | None, *, field: str = "phone") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 5:
        raise Invalid(f"{field} must be a phone number of 5 to 25 digits, spaces or +()-./", field=field)
    return text


def email(value: str | None, *, field: str = "email") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise Invalid(f"{field} must be an email address like name@example.com", field=field)
    return text


def slug(value: str, *, field: str = "slug") -> str:
    if not _SLUG.match(value):
        raise Invalid(f"{field} must be 1-63 lowercase letters, digits or hyphens", field=field)
    return value


def split_name(full: str, *, field: str = "patient_name") -> tuple[str, str]:
    """'Juan Perez' -> ('Juan', 'Perez'); a single word is a first name with an empty last name."""
    text = required_text(full, field=field)
    parts = text.split()
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]
