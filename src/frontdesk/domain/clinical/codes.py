"""Code formats: ICD-10-CM (shape only; the code set itself lives in a library) and LOINC."""

from __future__ import annotations

import re

from frontdesk.domain.errors import Invalid

_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_LOINC = re.compile(r"^([0-9]{1,7})-([0-9])$")


def icd10_format(value: str, *, field: str = "code") -> str:
    """Normalise 'e119' or ' E11.9 ' to 'E11.9' and check its shape (letter, digit, character, then up to
    four after the dot). Whether the code exists is for the code set to say."""
    text = (value or "").strip().upper().replace(" ", "")
    if len(text) > 3 and "." not in text:
        text = f"{text[:3]}.{text[3:]}"
    if not _ICD10.match(text):
        raise Invalid(
            f"{field} must be an ICD-10-CM code such as E11.9 or S52.521A (letter, two characters, "
            "optionally a dot and up to four more)",
            field=field,
        )
    return text


def luhn_digit(digits: str) -> int:
    """The mod-10 (Luhn) check digit LOINC uses: 2345 -> 7."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def loinc(value: str, *, field: str = "loinc_code") -> str:
    """A LOINC code 'NNNNN-C' whose check digit C matches."""
    text = (value or "").strip()
    found = _LOINC.match(text)
    if found is None:
        raise Invalid(
            f"{field} must be a LOINC code such as 2345-7 (digits, a hyphen, a check digit)", field=field
        )
    if luhn_digit(found.group(1)) != int(found.group(2)):
        raise Invalid(f"{field}: the check digit does not match; re-check the LOINC code", field=field)
    return text
