"""The durable job queue (`jobs`: what to do, when, its lease and attempts; a dedupe key per practice so
the same job is never enqueued twice) and the send log (`sent_messages`: one row per message ever handed
to a channel, unique by its dedupe key, so no message goes out twice), plus each client's opt-outs per
channel (the reminder configuration is settings, the reminders chapter, not a table).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import id_column, link, tenant_table, ts

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tenant_table(
        "jobs",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=True),
        id_column("subject_id", nullable=True),
        ts("run_at"),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        ts("lease_until", nullable=True),
        sa.Column("locked_by", sa.String(80), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        ts("created_at"),
        ts("updated_at"),
        sa.UniqueConstraint("practice_id", "dedupe_key", name="uq_jobs_dedupe_key"),
    )
    op.create_index("ix_jobs_due", "jobs", ["practice_id", "status", "run_at"])
    op.create_index("ix_jobs_subject", "jobs", ["practice_id", "subject_type", "subject_id", "status"])
    tenant_table(
        "sent_messages",
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        id_column("job_id", nullable=True),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("worker", sa.String(80), nullable=False),
        ts("started_at"),
        ts("sent_at", nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.UniqueConstraint("practice_id", "dedupe_key", name="uq_sent_messages_dedupe_key"),
    )
    tenant_table(
        "message_optouts",
        id_column("patient_id"),
        sa.Column("channel", sa.String(12), nullable=False),
        ts("created_at"),
        link("patient_id", "patients"),
        sa.UniqueConstraint("practice_id", "patient_id", "channel", name="uq_message_optouts_channel"),
    )


def downgrade() -> None:
    op.drop_table("message_optouts")
    op.drop_table("sent_messages")
    op.drop_index("ix_jobs_subject", table_name="jobs")
    op.drop_index("ix_jobs_due", table_name="jobs")
    op.drop_table("jobs")
