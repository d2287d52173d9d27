"""Audit entries are appended unchained and sealed shortly after: index the ones awaiting a seal.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_unsealed",
        "audit_events",
        ["practice_id", "id"],
        postgresql_where=sa.text("seq IS NULL"),
        sqlite_where=sa.text("seq IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_unsealed", table_name="audit_events")
