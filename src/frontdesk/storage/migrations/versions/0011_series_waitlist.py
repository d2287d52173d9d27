"""Recurring series (one row per series, its booked occurrences linked beside the appointments, so
the appointments table stays as it is) and the waitlist (entries, and the offers of freed slots held
for them: the messaging feature sends those).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import id_column, link, tenant_table, ts

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tenant_table(
        "appointment_series",
        id_column("patient_id"),
        id_column("provider_id"),
        id_column("datebook_id"),
        id_column("service_id", nullable=True),
        sa.Column("rule", sa.String(500), nullable=False),
        ts("starts_at"),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        ts("created_at"),
        link("patient_id", "patients"),
        link("provider_id", "providers"),
        link("datebook_id", "datebooks"),
        link("service_id", "services"),
    )
    op.create_index("ix_appointment_series_patient", "appointment_series", ["practice_id", "patient_id"])
    tenant_table(
        "series_occurrences",
        id_column("series_id"),
        id_column("appointment_id"),
        sa.Column("position", sa.Integer, nullable=False),
        link("series_id", "appointment_series"),
        link("appointment_id", "appointments"),
        sa.UniqueConstraint("practice_id", "series_id", "position", name="uq_series_occurrences_position"),
        sa.UniqueConstraint("practice_id", "appointment_id", name="uq_series_occurrences_appointment"),
    )
    tenant_table(
        "waitlist_entries",
        id_column("patient_id"),
        id_column("service_id"),
        id_column("provider_id", nullable=True),
        id_column("datebook_id", nullable=True),
        sa.Column("from_date", sa.Date, nullable=True),
        sa.Column("to_date", sa.Date, nullable=True),
        sa.Column("from_time", sa.String(5), nullable=True),
        sa.Column("to_time", sa.String(5), nullable=True),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("notes", sa.String(1000), nullable=True),
        sa.Column("created_by", sa.String(120), nullable=False),
        ts("created_at"),
        ts("updated_at"),
        link("patient_id", "patients"),
        link("service_id", "services"),
        link("provider_id", "providers"),
        link("datebook_id", "datebooks"),
    )
    op.create_index(
        "ix_waitlist_entries_queue", "waitlist_entries", ["practice_id", "status", "priority", "created_at"]
    )
    tenant_table(
        "waitlist_offers",
        id_column("entry_id"),
        id_column("appointment_id"),
        id_column("provider_id"),
        ts("starts_at"),
        ts("ends_at"),
        sa.Column("status", sa.String(20), nullable=False),
        ts("expires_at"),
        ts("created_at"),
        ts("resolved_at", nullable=True),
        ts("sent_at", nullable=True),  # set by the messaging feature once the client was told
        link("entry_id", "waitlist_entries"),
        link("appointment_id", "appointments"),
        link("provider_id", "providers"),
    )
    # The backstops: one open offer per slot start of a provider, and per entry.
    open_only = sa.text("status = 'open'")
    op.create_index(
        "uq_waitlist_offers_open_slot",
        "waitlist_offers",
        ["practice_id", "provider_id", "starts_at"],
        unique=True,
        postgresql_where=open_only,
        sqlite_where=open_only,
    )
    op.create_index(
        "uq_waitlist_offers_open_entry",
        "waitlist_offers",
        ["practice_id", "entry_id"],
        unique=True,
        postgresql_where=open_only,
        sqlite_where=open_only,
    )
    op.create_index("ix_waitlist_offers_expiry", "waitlist_offers", ["practice_id", "status", "expires_at"])


def downgrade() -> None:
    op.drop_table("waitlist_offers")
    op.drop_table("waitlist_entries")
    op.drop_table("series_occurrences")
    op.drop_table("appointment_series")
