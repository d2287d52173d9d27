from decimal import Decimal

import pytest

from frontdesk.domain.errors import Invalid
from frontdesk.services.currencies import currency, major, plain, to_minor
from frontdesk.services.messaging.templates import money


@pytest.mark.parametrize("code", ["usd", "EUR", " clp ", "BRL"])
def test_codes_in_use_are_accepted_and_upper_cased(code: str) -> None:
    assert currency(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["ABC", "XXY", "EU", "EURO", ""])
def test_codes_not_in_iso_4217_name_the_field(code: str) -> None:
    with pytest.raises(Invalid) as bad:
        currency(code, field="price.currency")
    assert bad.value.field == "price.currency" and "ISO 4217" in bad.value.message


@pytest.mark.parametrize(
    ("minor", "code", "shown"),
    [(4500, "USD", "45.00 USD"), (25000, "CLP", "25000 CLP"), (1234, "KWD", "1.234 KWD")],
)
def test_minor_units_follow_the_currencys_own_exponent(minor: int, code: str, shown: str) -> None:
    assert plain(minor, code) == shown
    assert to_minor(major(minor, code), code) == minor


def test_an_amount_with_more_decimals_than_its_currency_is_refused() -> None:
    assert to_minor(Decimal("95.5"), "USD", field="price") == 9550
    with pytest.raises(Invalid) as bad:
        to_minor(Decimal("25000.5"), "CLP", field="cost")
    assert bad.value.field == "cost" and "at most 0 decimals in CLP" in bad.value.message


def test_messages_write_whole_pesos_and_cents() -> None:
    assert "25.000" in money(25000, "CLP", "es")
    assert "45.00" in money(4500, "USD", "en") and "250.00" not in money(25000, "CLP", "en")
