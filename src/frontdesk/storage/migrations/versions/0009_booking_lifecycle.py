"""Bookings: the Servicialo lifecycle's states on appointments (requested, pending_confirmation,
documented), who did not show, the rescheduled link both ways, provenance of retroactive sessions, a
late cancel's penalty, how the provider was assigned, and every transition in a table of its own.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import ID, id_column, link, tenant_table, ts

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_ACTIVE = "('held','scheduled','confirmed','checked_in','in_progress','completed')"
OLD_ALL = OLD_ACTIVE[:-1] + ",'cancelled','no_show','entered_in_error')"
ACTIVE = (
    "('requested','pending_confirmation','held','scheduled','confirmed','checked_in','in_progress',"
    "'completed','documented')"
)
ALL = ACTIVE[:-1] + ",'cancelled','no_show','entered_in_error')"


def _exclusion(active: str) -> None:
    op.execute("ALTER TABLE appointments DROP CONSTRAINT IF EXISTS ex_appointments_no_overlap")
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap EXCLUDE USING gist ("
        "practice_id WITH =, provider_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        f"WHERE (status IN {active} AND NOT allow_overlap)"
    )


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint("ck_appointments_status", type_="check")
        batch.create_check_constraint("ck_appointments_status", f"status IN {ALL}")
        batch.add_column(sa.Column("no_show_by", sa.String(10), nullable=True))
        batch.add_column(sa.Column("rescheduled_from_id", ID, nullable=True))
        batch.add_column(sa.Column("rescheduled_to_id", ID, nullable=True))
        batch.add_column(sa.Column("provenance", sa.String(20), nullable=True))
        batch.add_column(sa.Column("penalty_cents", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("penalty_currency", sa.String(3), nullable=True))
        batch.add_column(sa.Column("assigned_by", sa.String(20), nullable=True))
        batch.create_check_constraint("ck_appointments_no_show_by", "no_show_by IN ('client','provider')")
        batch.create_foreign_key(
            "fk_appointments_rescheduled_from",
            "appointments",
            ["practice_id", "rescheduled_from_id"],
            ["practice_id", "id"],
        )
        batch.create_foreign_key(
            "fk_appointments_rescheduled_to",
            "appointments",
            ["practice_id", "rescheduled_to_id"],
            ["practice_id", "id"],
        )
    if pg:
        _exclusion(ACTIVE)
    tenant_table(
        "appointment_transitions",
        id_column("appointment_id"),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        ts("at"),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        link("appointment_id", "appointments"),
        sa.CheckConstraint("method IN ('manual','agent','auto')", name="ck_appointment_transitions_method"),
    )
    op.create_index(
        "ix_appointment_transitions_appointment",
        "appointment_transitions",
        ["practice_id", "appointment_id", "id"],
    )
    op.create_index(
        "ix_appointments_patient_start", "appointments", ["practice_id", "patient_id", "starts_at"]
    )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_appointments_patient_start", "appointments")
    op.drop_table("appointment_transitions")
    op.execute(
        "UPDATE appointments SET status = CASE status WHEN 'documented' THEN 'completed' "
        "WHEN 'requested' THEN 'scheduled' WHEN 'pending_confirmation' THEN 'scheduled' ELSE status END"
    )
    if pg:
        _exclusion(OLD_ACTIVE)
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint("fk_appointments_rescheduled_to", type_="foreignkey")
        batch.drop_constraint("fk_appointments_rescheduled_from", type_="foreignkey")
        batch.drop_constraint("ck_appointments_no_show_by", type_="check")
        for col in (
            "assigned_by",
            "penalty_currency",
            "penalty_cents",
            "provenance",
            "rescheduled_to_id",
            "rescheduled_from_id",
            "no_show_by",
        ):
            batch.drop_column(col)
        batch.drop_constraint("ck_appointments_status", type_="check")
        batch.create_check_constraint("ck_appointments_status", f"status IN {OLD_ALL}")
