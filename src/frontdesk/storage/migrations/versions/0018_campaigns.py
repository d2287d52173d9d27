"""Campaigns (issue 14): a message to a segment of clients (`campaigns`: its content, audience and
state) and its delivery log (`campaign_recipients`: one row per client it was sent to, with the
status, when it went and why not).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import id_column, link, tenant_table, ts

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tenant_table(
        "campaigns",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("audience_type", sa.String(12), nullable=False),
        sa.Column("audience_id", sa.String(30), nullable=True),
        sa.Column("filters", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("recipient_count", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        ts("created_at"),
        ts("updated_at"),
        ts("started_at", nullable=True),
        ts("finished_at", nullable=True),
    )
    op.create_index("ix_campaigns_status", "campaigns", ["practice_id", "status", "created_at"])
    tenant_table(
        "campaign_recipients",
        id_column("campaign_id"),
        id_column("patient_id"),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        ts("due_at"),
        ts("sent_at", nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        link("campaign_id", "campaigns"),
        link("patient_id", "patients"),
        sa.UniqueConstraint("practice_id", "campaign_id", "patient_id", name="uq_campaign_recipients_client"),
    )
    op.create_index(
        "ix_campaign_recipients_status", "campaign_recipients", ["practice_id", "campaign_id", "status"]
    )
    op.create_index("ix_campaign_recipients_due", "campaign_recipients", ["practice_id", "status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_campaign_recipients_due", table_name="campaign_recipients")
    op.drop_index("ix_campaign_recipients_status", table_name="campaign_recipients")
    op.drop_table("campaign_recipients")
    op.drop_index("ix_campaigns_status", table_name="campaigns")
    op.drop_table("campaigns")
