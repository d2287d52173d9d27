"""Practice setup: provider contact, commission and coverage areas; service category, description and
discoverability; which providers deliver which service; each service's price history; practice-wide
closures (holidays, time off, one-day hours).

Existing practices keep booking as before: every provider who has working hours is assigned to every
service of their practice.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import id_column, link, tenant_table, ts

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


OLD_ROLES = "role IN ('owner','admin','provider','front_desk','billing','read_only')"
ROLES = "role IN ('owner','admin','provider','nurse','front_desk','billing','read_only')"


def _roles(check: str) -> None:
    """The staff roles a row may hold (MedCor's nurse joins them). SQLite cannot alter a CHECK: the
    table is rebuilt (the migration's connection does not enforce foreign keys, so nothing cascades)."""
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("staff_users", recreate="always") as batch:
            batch.drop_constraint("ck_staff_users_role", type_="check")
            batch.create_check_constraint("ck_staff_users_role", check)
    else:
        op.drop_constraint("ck_staff_users_role", "staff_users", type_="check")
        op.create_check_constraint("ck_staff_users_role", "staff_users", check)


def upgrade() -> None:
    _roles(ROLES)
    op.add_column("providers", sa.Column("email", sa.String(254), nullable=True))
    op.add_column("providers", sa.Column("phone", sa.String(32), nullable=True))
    op.add_column("providers", sa.Column("commission_percent", sa.Integer, nullable=True))
    op.add_column("providers", sa.Column("coverage_areas", sa.Text, nullable=True))
    op.add_column("services", sa.Column("category", sa.String(80), nullable=True))
    op.add_column("services", sa.Column("description", sa.String(1000), nullable=True))
    op.add_column("services", sa.Column("discoverable", sa.Boolean, nullable=False, server_default=sa.true()))
    tenant_table(
        "service_providers",
        id_column("service_id"),
        id_column("provider_id"),
        link("service_id", "services"),
        link("provider_id", "providers"),
        sa.UniqueConstraint("practice_id", "service_id", "provider_id", name="uq_service_providers_pair"),
    )
    op.create_index("ix_service_providers_provider", "service_providers", ["practice_id", "provider_id"])
    tenant_table(
        "service_prices",
        id_column("service_id"),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("previous_cents", sa.BigInteger, nullable=True),
        sa.Column("previous_currency", sa.String(3), nullable=True),
        ts("changed_at"),
        sa.Column("changed_by", sa.String(120), nullable=False),
        link("service_id", "services"),
    )
    op.create_index(
        "ix_service_prices_service", "service_prices", ["practice_id", "service_id", "changed_at"]
    )
    tenant_table(
        "practice_closures",
        id_column("datebook_id", nullable=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("start_time", sa.String(5), nullable=True),
        sa.Column("end_time", sa.String(5), nullable=True),
        sa.Column("reason", sa.String(255), nullable=True),
        link("datebook_id", "datebooks"),
    )
    op.create_index("ix_practice_closures_day", "practice_closures", ["practice_id", "day"])
    # Every provider with working hours delivers every service of the practice, as before this revision.
    op.execute(
        "INSERT INTO service_providers (practice_id, service_id, provider_id) "
        "SELECT DISTINCT s.practice_id, s.id, w.provider_id FROM services s "
        "JOIN working_hours w ON w.practice_id = s.practice_id"
    )


def downgrade() -> None:
    _roles(OLD_ROLES)
    op.drop_table("practice_closures")
    op.drop_table("service_prices")
    op.drop_table("service_providers")
    for column in ("discoverable", "description", "category"):
        op.drop_column("services", column)
    for column in ("coverage_areas", "commission_percent", "phone", "email"):
        op.drop_column("providers", column)
