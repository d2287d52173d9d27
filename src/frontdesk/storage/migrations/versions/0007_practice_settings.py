"""Practice settings (the values that differ from domain/settings.py's defaults, one row per key) and
each client's titular provider.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import ID, id_column, link, tenant_table, ts

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_settings",
        sa.Column("practice_id", ID, sa.ForeignKey("practices.id"), primary_key=True),
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        ts("updated_at"),
        sa.Column("updated_by", sa.String(120), nullable=False),
    )
    tenant_table(
        "titular_providers",
        id_column("patient_id"),
        id_column("provider_id"),
        ts("since"),
        link("patient_id", "patients"),
        link("provider_id", "providers"),
        sa.UniqueConstraint("practice_id", "patient_id", name="uq_titular_providers_patient"),
    )
    op.create_index("ix_titular_providers_provider", "titular_providers", ["practice_id", "provider_id"])


def downgrade() -> None:
    op.drop_table("titular_providers")
    op.drop_table("practice_settings")
