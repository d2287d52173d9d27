"""The practice's own sending domain (`email_domains`, one per practice): its DKIM key pair, the SPF
and DMARC values it publishes, and the last DNS verification.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import tenant_table, ts

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tenant_table(
        "email_domains",
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("mailbox", sa.String(64), nullable=False),
        sa.Column("selector", sa.String(63), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("private_key", sa.Text, nullable=False),
        sa.Column("spf", sa.String(500), nullable=False),
        sa.Column("dmarc", sa.String(500), nullable=False),
        sa.Column("checks", sa.Text, nullable=True),
        ts("created_at"),
        ts("checked_at", nullable=True),
        ts("verified_at", nullable=True),
        sa.UniqueConstraint("practice_id", name="uq_email_domains_practice"),
    )


def downgrade() -> None:
    op.drop_table("email_domains")
