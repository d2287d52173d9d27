"""Field rules of practice setup, each failure naming the field and the rule."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from frontdesk.domain.errors import Invalid
from frontdesk.services.currencies import currency as currency

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SHORT = {d[:3]: i for i, d in enumerate(DAYS)}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
URL_MAX = 500
AREA_MAX = 100
AREAS_MAX = 50


def day_index(name: str, *, field: str) -> int:
    text = name.strip().lower()
    if text in DAYS:
        return DAYS.index(text)
    if text in SHORT:
        return SHORT[text]
    raise Invalid(f"{field} must be a day name: {', '.join(DAYS)}", field=field)


def hhmm(value: str, *, field: str) -> str:
    text = value.strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    if not _HHMM.match(text):
        raise Invalid(f"{field} must be a time of day as HH:MM (00:00-23:59)", field=field)
    return text


def window(start: str, end: str, *, field: str) -> tuple[str, str]:
    a, b = hhmm(start, field=f"{field}.start"), hhmm(end, field=f"{field}.end")
    if b <= a:
        raise Invalid(f"{field}: end ({b}) must be after start ({a}) on the same day", field=field)
    return a, b


def url(value: str | None, *, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > URL_MAX or not re.match(r"^https?://[^\s/$.?#][^\s]*$", text):
        raise Invalid(f"{field} must be an http(s) address of at most {URL_MAX} characters", field=field)
    return text


def percent(value: int | None, *, field: str = "commission_percent") -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise Invalid(f"{field} must be a whole number from 0 to 100", field=field)
    return value


def areas(values: Sequence[str] | None, *, field: str = "coverage_areas") -> str | None:
    """Coverage areas as stored: a JSON list of distinct, trimmed names (None: no areas)."""
    if values is None:
        return None
    out: list[str] = []
    for v in values:
        text = v.strip()
        if not text or len(text) > AREA_MAX:
            raise Invalid(f"{field}: each area is 1 to {AREA_MAX} characters", field=field)
        if text.lower() not in (o.lower() for o in out):
            out.append(text)
    if len(out) > AREAS_MAX:
        raise Invalid(f"{field}: at most {AREAS_MAX} areas", field=field)
    return json.dumps(out, ensure_ascii=False) if out else None


def read_areas(stored: str | None) -> list[str]:
    return list(json.loads(stored)) if stored else []


def minutes(value: int, *, field: str, lo: int = 0, hi: int = 720) -> int:
    if not lo <= value <= hi:
        raise Invalid(f"{field} must be from {lo} to {hi} minutes", field=field)
    return value
