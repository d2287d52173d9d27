"""ISO 4217 currency codes, checked against the list itself (babel's CLDR copy), not only their shape:
"ABC" has three capital letters and is still refused."""

from __future__ import annotations

from functools import cache

from babel.numbers import list_currencies

from frontdesk.domain.errors import Invalid


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


def currency(value: str, *, field: str = "currency") -> str:
    text = value.strip().upper()
    if text not in _codes():
        raise Invalid(f"{field} must be an ISO 4217 code such as USD or EUR", field=field)
    return text
