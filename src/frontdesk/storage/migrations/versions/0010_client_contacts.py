"""Clients' contact details: emails lower-cased and unique per practice, phones in E.164.

Existing rows are normalised, best effort: an email is stripped and lower-cased, a phone that parses
(read in the practice's basics.defaultRegion when written without +code) is rewritten in E.164, one
that does not stays as it is. The unique key is a column of its own, `email_key`: where several
patients of a practice already share an address, the oldest keeps it as its key and the others keep
their email but no key, so this migration cannot fail on duplicates.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import json

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REGION_KEY = "basics.defaultRegion"
DEFAULT_REGION = "US"  # that key's default when this revision was written (domain/settings.py)


def e164(value: str | None, region: str) -> str | None:
    """The number in E.164 when it parses as a valid one, else the value as it was."""
    if value is None or not value.strip():
        return value
    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _regions(conn: sa.Connection) -> dict[int, str]:
    rows = conn.execute(
        sa.text("SELECT practice_id, value FROM practice_settings WHERE key = :k"), {"k": REGION_KEY}
    )
    return {int(pid): str(json.loads(value)) for pid, value in rows}


def _patients(conn: sa.Connection, regions: dict[int, str]) -> None:
    default = DEFAULT_REGION
    rows = conn.execute(
        sa.text("SELECT id, practice_id, email, phone FROM patients ORDER BY practice_id, created_at, id")
    ).all()
    seen: set[tuple[int, str]] = set()
    for pid, practice, email, phone in rows:
        address = (email.strip().lower() or None) if email is not None else None
        key = address if address is not None and (practice, address) not in seen else None
        if key is not None:
            seen.add((practice, key))
        conn.execute(
            sa.text(
                "UPDATE patients SET email = :e, email_key = :k, phone = :p "
                "WHERE practice_id = :pid AND id = :id"
            ),
            {
                "e": address,
                "k": key,
                "p": e164(phone, regions.get(practice, default)),
                "pid": practice,
                "id": pid,
            },
        )


def _profiles(conn: sa.Connection, regions: dict[int, str]) -> None:
    default = DEFAULT_REGION
    rows = conn.execute(
        sa.text(
            "SELECT practice_id, patient_id, alt_phone, emergency_phone FROM patient_profiles "
            "WHERE alt_phone IS NOT NULL OR emergency_phone IS NOT NULL"
        )
    ).all()
    for practice, patient, alt, emergency in rows:
        region = regions.get(practice, default)
        conn.execute(
            sa.text(
                "UPDATE patient_profiles SET alt_phone = :a, emergency_phone = :e "
                "WHERE practice_id = :pid AND patient_id = :pat"
            ),
            {"a": e164(alt, region), "e": e164(emergency, region), "pid": practice, "pat": patient},
        )


def upgrade() -> None:
    op.add_column("patients", sa.Column("email_key", sa.String(254), nullable=True))
    conn = op.get_bind()
    regions = _regions(conn)
    _patients(conn, regions)
    _profiles(conn, regions)
    op.create_index("uq_patients_email_key", "patients", ["practice_id", "email_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_patients_email_key", table_name="patients")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("email_key")
