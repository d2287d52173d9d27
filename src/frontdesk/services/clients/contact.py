"""Contact details as stored: emails stripped and lower-cased (unique per practice, so the same
person is found by any spelling of the address), phones parsed with `phonenumbers` and kept in E.164,
a number written without +code read in the practice's `basics.defaultRegion`."""

from __future__ import annotations

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import validation
from frontdesk.domain.errors import Conflict, Invalid
from frontdesk.services.admin import settings
from frontdesk.storage import models as m
from frontdesk.storage.repositories import patients as repo

PHONE_MAX = 32


async def region(s: AsyncSession, practice_id: int) -> str:
    """The country a phone number without +code is read in (ISO 3166-1 alpha-2)."""
    value = (await settings.values(s, practice_id))["basics.defaultRegion"]
    return str(value)


def email(value: str | None, *, field: str = "email") -> str | None:
    """The address as stored: stripped and lower-cased; None for none (blank)."""
    text = validation.email(value, field=field)
    return text.lower() if text else None


def phone(value: str | None, default_region: str, *, field: str = "phone") -> str | None:
    """The number in E.164 (+14155550123); None for none (blank). Invalid names the field."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    hint = (
        f"{field} must be a valid phone number, e.g. +14155550123 "
        f"(a number without +code is read as a {default_region} number)"
    )
    if len(text) > PHONE_MAX:
        raise Invalid(f"{field} must be at most {PHONE_MAX} characters", field=field)
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise Invalid(hint, field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(hint, field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


async def set_email(s: AsyncSession, row: m.Patient, value: str | None, *, field: str = "email") -> bool:
    """Give the patient this (normalised) email, unless another record of the practice has it (Conflict).
    The same address again changes nothing (an older duplicate keeps lacking the unique key). Returns
    whether it changed."""
    new = email(value, field=field)
    if new == (row.email.lower() if row.email else None):
        return False
    if new is not None:
        holder = await repo.by_email(s, row.practice_id, new)
        if holder is not None and holder.id != row.id:
            raise Conflict(
                f"{field}: another patient of this practice already has this email address; "
                "find that record with find_patients (an email belongs to one patient)",
                field=field,
            )
    row.email = new
    row.email_key = new
    return True
