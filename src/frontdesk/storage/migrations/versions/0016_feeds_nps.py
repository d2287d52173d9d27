"""Calendar feeds (a provider's private feed URL: one row per provider, its token only as a SHA-256
hash, revocable) and the post-session question (one feedback request per completed appointment with
its 0-10 score and comment, and the links sent for it, each token only as its hash, each expiring).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import id_column, link, tenant_table, ts

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tenant_table(
        "calendar_feeds",
        id_column("provider_id"),
        sa.Column("token_hash", sa.String(64), nullable=False),
        ts("created_at"),
        sa.Column("created_by", sa.String(120), nullable=False),
        ts("revoked_at", nullable=True),
        ts("last_fetched_at", nullable=True),
        link("provider_id", "providers"),
        sa.UniqueConstraint("practice_id", "provider_id", name="uq_calendar_feeds_provider"),
        sa.UniqueConstraint("practice_id", "token_hash", name="uq_calendar_feeds_hash"),
    )
    tenant_table(
        "feedback_requests",
        id_column("appointment_id"),
        id_column("patient_id"),
        id_column("provider_id"),
        id_column("service_id", nullable=True),
        ts("created_at"),
        sa.Column("sent_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        ts("answered_at", nullable=True),
        link("appointment_id", "appointments"),
        link("patient_id", "patients"),
        link("provider_id", "providers"),
        link("service_id", "services"),
        sa.UniqueConstraint("practice_id", "appointment_id", name="uq_feedback_requests_appointment"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="ck_feedback_score"),
    )
    op.create_index("ix_feedback_requests_answered", "feedback_requests", ["practice_id", "answered_at"])
    tenant_table(
        "feedback_tokens",
        id_column("request_id"),
        sa.Column("token_hash", sa.String(64), nullable=False),
        ts("created_at"),
        ts("expires_at"),
        link("request_id", "feedback_requests"),
        sa.UniqueConstraint("practice_id", "token_hash", name="uq_feedback_tokens_hash"),
    )


def downgrade() -> None:
    op.drop_table("feedback_tokens")
    op.drop_index("ix_feedback_requests_answered", table_name="feedback_requests")
    op.drop_table("feedback_requests")
    op.drop_table("calendar_feeds")
