"""Public booking: agendas (a practice's shareable booking configurations, one its default), the
services linked to each, the public side of a booking made without an account (agenda, channel,
whether an agent assisted, who asked) and its tokens (stored only as SHA-256 hashes, one purpose each).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.storage.migrations.schema import id_column, link, tenant_table, ts

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _flag(name: str, default: bool) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=sa.true() if default else sa.false())


def upgrade() -> None:
    tenant_table(
        "agendas",
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        _flag("is_public", True),
        _flag("is_active", True),
        _flag("is_default", False),
        _flag("published", False),
        id_column("provider_id", nullable=True),
        sa.Column("booking_flow", sa.String(20), nullable=False),
        sa.Column("service_mode", sa.String(10), nullable=False),
        sa.Column("provider_mode", sa.String(10), nullable=False),
        sa.Column("assignment_strategy", sa.String(20), nullable=True),
        sa.Column("min_advance_minutes", sa.Integer, nullable=False),
        sa.Column("max_advance_days", sa.Integer, nullable=False),
        _flag("same_day", True),
        _flag("on_demand", False),
        sa.Column("cancellation_type", sa.String(10), nullable=True),
        sa.Column("cancellation_deadline_hours", sa.Integer, nullable=True),
        sa.Column("penalty_kind", sa.String(10), nullable=True),
        sa.Column("penalty_value", sa.BigInteger, nullable=True),
        _flag("show_sessions", False),
        _flag("show_client_names", False),
        _flag("show_provider_utilization", False),
        _flag("show_provider_list", True),
        _flag("prepayment", False),
        ts("created_at"),
        ts("updated_at"),
        link("provider_id", "providers"),
        sa.UniqueConstraint("practice_id", "slug", name="uq_agendas_slug"),
    )
    tenant_table(
        "agenda_services",
        id_column("agenda_id"),
        id_column("service_id"),
        link("agenda_id", "agendas"),
        link("service_id", "services"),
        sa.UniqueConstraint("practice_id", "agenda_id", "service_id", name="uq_agenda_services_pair"),
    )
    tenant_table(
        "public_bookings",
        id_column("appointment_id"),
        id_column("agenda_id", nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("agent_assisted", sa.Boolean, nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        ts("created_at"),
        link("appointment_id", "appointments"),
        link("agenda_id", "agendas"),
        sa.UniqueConstraint("practice_id", "appointment_id", name="uq_public_bookings_appointment"),
    )
    op.create_index("ix_public_bookings_email", "public_bookings", ["practice_id", "email"])
    op.create_index("ix_public_bookings_phone", "public_bookings", ["practice_id", "phone"])
    tenant_table(
        "public_tokens",
        id_column("appointment_id"),
        sa.Column("purpose", sa.String(12), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        ts("expires_at", nullable=True),
        ts("used_at", nullable=True),
        ts("created_at"),
        link("appointment_id", "appointments"),
        sa.UniqueConstraint("practice_id", "token_hash", name="uq_public_tokens_hash"),
    )


def downgrade() -> None:
    for name in ("public_tokens", "public_bookings", "agenda_services", "agendas"):
        op.drop_table(name)
