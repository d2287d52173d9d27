"""Core scheduling schema: practices, keys, datebooks, providers, services, hours, patients, appointments.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ACTIVE = "('held','scheduled','confirmed','checked_in','in_progress','completed')"
ALL_STATUSES = ACTIVE[:-1] + ",'cancelled','no_show','entered_in_error')"


def _ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant_table(name: str, *items: Any) -> None:
    """A practice-scoped table. On PostgreSQL the key is (practice_id, id), ready for distribution by
    practice; SQLite needs `id INTEGER PRIMARY KEY` to auto-increment, so it gets a unique key instead."""
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        cols = [
            sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
            sa.Column("practice_id", sa.BigInteger, sa.ForeignKey("practices.id"), nullable=False),
            sa.PrimaryKeyConstraint("practice_id", "id", name=f"pk_{name}"),
        ]
    else:
        cols = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id"), nullable=False),
            sa.UniqueConstraint("practice_id", "id", name=f"uq_{name}_practice_id"),
        ]
    op.create_table(name, *cols, *items)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _fk(col: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["practice_id", col], [f"{table}.practice_id", f"{table}.id"])


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    op.create_table(
        "practices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        _ts("created_at"),
    )
    _tenant_table(
        "api_keys",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(24), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        sa.UniqueConstraint("practice_id", "key_hash", name="uq_api_keys_hash"),
    )
    _tenant_table(
        "datebooks",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("address", sa.String(200)),
        sa.Column("city", sa.String(100)),
        sa.Column("state", sa.String(100)),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("practice_id", "name", name="uq_datebooks_name"),
    )
    _tenant_table(
        "providers",
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("specialty", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("address", sa.String(200)),
        sa.Column("city", sa.String(100)),
        sa.Column("state", sa.String(100)),
        sa.Column("image_url", sa.String(500)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.UniqueConstraint("practice_id", "uid", name="uq_providers_uid"),
    )
    _tenant_table(
        "services",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("price_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("currency", sa.String(3), nullable=False, server_default="USD"),
        sa.Column("buffer_before_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("buffer_after_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("practice_id", "name", name="uq_services_name"),
        sa.CheckConstraint("duration_minutes > 0", name="ck_services_duration"),
    )
    _tenant_table(
        "working_hours",
        _id("provider_id"),
        _id("datebook_id"),
        sa.Column("kind", sa.String(8), nullable=False, server_default="work"),
        sa.Column("weekday", sa.Integer, nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("end_time", sa.String(5), nullable=False),
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_working_hours_weekday"),
        sa.CheckConstraint("kind IN ('work','break')", name="ck_working_hours_kind"),
        sa.CheckConstraint("start_time < end_time", name="ck_working_hours_order"),
    )
    op.create_index(
        "ix_working_hours_provider", "working_hours", ["practice_id", "provider_id", "datebook_id"]
    )
    _tenant_table(
        "date_overrides",
        _id("provider_id"),
        _id("datebook_id"),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start_time", sa.String(5)),
        sa.Column("end_time", sa.String(5)),
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
    )
    op.create_index("ix_date_overrides_provider_day", "date_overrides", ["practice_id", "provider_id", "day"])
    _tenant_table(
        "time_off",
        _id("provider_id"),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("reason", sa.String(255)),
        _fk("provider_id", "providers"),
        sa.CheckConstraint("starts_at < ends_at", name="ck_time_off_order"),
    )
    op.create_index("ix_time_off_provider", "time_off", ["practice_id", "provider_id", "starts_at"])
    _tenant_table(
        "patients",
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("first_name", sa.String(120), nullable=False),
        sa.Column("last_name", sa.String(120), nullable=False),
        sa.Column("search_name", sa.String(250), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(254)),
        sa.Column("date_of_birth", sa.Date),
        _ts("created_at"),
        sa.UniqueConstraint("practice_id", "uid", name="uq_patients_uid"),
    )
    op.create_index("ix_patients_search_name", "patients", ["practice_id", "search_name"])
    _tenant_table(
        "appointments",
        _id("datebook_id"),
        _id("provider_id"),
        _id("patient_id"),
        _id("service_id", nullable=True),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("notes", sa.String(255)),
        _ts("hold_expires_at", nullable=True),
        sa.Column("allow_overlap", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("cancel_reason", sa.String(40)),
        sa.Column("created_by", sa.String(120)),
        _ts("created_at"),
        _ts("updated_at"),
        _fk("datebook_id", "datebooks"),
        _fk("provider_id", "providers"),
        _fk("patient_id", "patients"),
        _fk("service_id", "services"),
        sa.CheckConstraint("starts_at < ends_at", name="ck_appointments_order"),
        sa.CheckConstraint(f"status IN {ALL_STATUSES}", name="ck_appointments_status"),
    )
    op.create_index(
        "ix_appointments_provider_start", "appointments", ["practice_id", "provider_id", "starts_at"]
    )
    op.create_index(
        "ix_appointments_datebook_start", "appointments", ["practice_id", "datebook_id", "starts_at"]
    )
    op.create_index("ix_appointments_patient", "appointments", ["practice_id", "patient_id"])
    if pg:
        # The backstop against double booking: no two active, non-overridden appointments of one
        # provider may overlap, whatever the application does or however many processes race.
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap EXCLUDE USING gist ("
            "practice_id WITH =, provider_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            f"WHERE (status IN {ACTIVE} AND NOT allow_overlap)"
        )
    _tenant_table(
        "audit_events",
        _ts("at"),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("record_type", sa.String(40)),
        sa.Column("record_id", sa.String(64)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(500)),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["practice_id", "at"])


def downgrade() -> None:
    for table in (
        "audit_events",
        "appointments",
        "patients",
        "time_off",
        "date_overrides",
        "working_hours",
        "services",
        "providers",
        "datebooks",
        "api_keys",
        "practices",
    ):
        op.drop_table(table)
