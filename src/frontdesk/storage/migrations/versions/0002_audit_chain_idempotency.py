"""Audit entries chained by hash per practice; idempotency keys for write tools.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite")))
        batch.add_column(sa.Column("client", sa.String(120)))
        batch.add_column(sa.Column("tool", sa.String(60)))
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("hash", sa.String(64)))
        batch.create_unique_constraint("uq_audit_events_seq", ["practice_id", "seq"])
    id_col = (
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False)
        if pg
        else sa.Column("id", sa.Integer, primary_key=True)
    )
    key_cols = [sa.PrimaryKeyConstraint("practice_id", "id", name="pk_idempotency_keys")] if pg else []
    op.create_table(
        "idempotency_keys",
        id_col,
        sa.Column(
            "practice_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("practices.id"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *key_cols,
        sa.UniqueConstraint("practice_id", "actor", "key", name="uq_idempotency_keys_key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_seq", type_="unique")
        for col in ("hash", "prev_hash", "tool", "client", "seq"):
            batch.drop_column(col)
