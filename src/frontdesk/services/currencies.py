"""ISO 4217 currency codes, checked against the list itself (babel's CLDR copy), not only their shape:
"ABC" has three capital letters and is still refused."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from frontdesk.domain.errors import Invalid


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


def currency(value: str, *, field: str = "currency") -> str:
    text = value.strip().upper()
    if text not in _codes():
        raise Invalid(f"{field} must be an ISO 4217 code such as USD or EUR", field=field)
    return text


def digits(code: str) -> int:
    """The currency's minor-unit exponent (ISO 4217: USD 2, CLP 0, KWD 3)."""
    return get_currency_precision(code)


def major(minor: int, code: str) -> Decimal:
    """Minor units as an amount in the currency (4500 USD -> 45.00; 4500 CLP -> 4500)."""
    return Decimal(minor).scaleb(-digits(code))


def to_minor(amount: Decimal, code: str, *, field: str = "price") -> int:
    """An amount in the currency as minor units, refusing more decimals than the currency has."""
    exp = digits(code)
    scaled = amount.scaleb(exp)
    if scaled != scaled.to_integral_value():
        raise Invalid(f"{field} must have at most {exp} decimals in {code}", field=field)
    return int(scaled)


def plain(minor: int, code: str) -> str:
    """'45.00 USD', '25000 CLP': the amount with the currency's own decimals, for tool texts."""
    return f"{major(minor, code):.{digits(code)}f} {code}"
