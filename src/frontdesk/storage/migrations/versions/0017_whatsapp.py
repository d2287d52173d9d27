"""WhatsApp in the send log: the provider's message id (the Cloud API's `wamid`) a delivery-status
webhook names, so its status (sent, delivered, read, failed) is applied to the one message it is about,
and when that status came. Indexed by practice first, like every key.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import ts

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (nullable, no default): no SQLite table rebuild needed.
    op.add_column("sent_messages", sa.Column("provider_id", sa.String(128), nullable=True))
    op.add_column("sent_messages", ts("status_at", nullable=True))
    op.create_index("ix_sent_messages_provider", "sent_messages", ["practice_id", "provider_id"])


def downgrade() -> None:
    op.drop_index("ix_sent_messages_provider", table_name="sent_messages")
    with op.batch_alter_table("sent_messages") as batch:
        batch.drop_column("status_at")
        batch.drop_column("provider_id")
