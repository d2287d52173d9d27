import pytest

from frontdesk.domain.errors import Invalid
from frontdesk.services.currencies import currency


@pytest.mark.parametrize("code", ["usd", "EUR", " clp ", "BRL"])
def test_codes_in_use_are_accepted_and_upper_cased(code: str) -> None:
    assert currency(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["ABC", "XXY", "EU", "EURO", ""])
def test_codes_not_in_iso_4217_name_the_field(code: str) -> None:
    with pytest.raises(Invalid) as bad:
        currency(code, field="price.currency")
    assert bad.value.field == "price.currency" and "ISO 4217" in bad.value.message
