"""findPatients matches preferred names too: their accent- and case-folded form, kept beside them.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.domain.text import fold

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("patient_profiles", sa.Column("search_preferred", sa.String(120), nullable=True))
    profiles = sa.table(
        "patient_profiles",
        sa.column("practice_id", sa.BigInteger),
        sa.column("id", sa.BigInteger),
        sa.column("preferred_name", sa.String),
        sa.column("search_preferred", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(profiles.c.practice_id, profiles.c.id, profiles.c.preferred_name).where(
            profiles.c.preferred_name.is_not(None)
        )
    ).all()
    for practice_id, row_id, name in rows:
        conn.execute(
            profiles.update()
            .where(profiles.c.practice_id == practice_id, profiles.c.id == row_id)
            .values(search_preferred=fold(name)[:120])
        )


def downgrade() -> None:
    with op.batch_alter_table("patient_profiles") as batch:
        batch.drop_column("search_preferred")
