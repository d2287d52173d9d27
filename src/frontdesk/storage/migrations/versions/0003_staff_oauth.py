"""Staff accounts, OAuth clients, authorizations (consent + code), grants (token families) and tokens.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _fk(col: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["practice_id", col], [f"{table}.practice_id", f"{table}.id"])


def _tenant_table(name: str, *items: Any) -> None:
    """As in 0001: (practice_id, id) is the key on PostgreSQL; SQLite needs `id INTEGER PRIMARY KEY`
    to auto-increment, so it gets a unique (practice_id, id) instead."""
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


def upgrade() -> None:
    _tenant_table(
        "staff_users",
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("totp_last_step", sa.BigInteger),
        _ts("created_at"),
        _ts("disabled_at", nullable=True),
        _ts("last_sign_in_at", nullable=True),
        sa.UniqueConstraint("practice_id", "email", name="uq_staff_users_email"),
        sa.CheckConstraint(
            "role IN ('owner','admin','provider','front_desk','billing','read_only')",
            name="ck_staff_users_role",
        ),
    )
    # The documented exception to "practice_id leads every key": OAuth clients register (RFC 7591)
    # before any practice is chosen, so they form one global registry (a reference table).
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("secret_hash", sa.String(64)),
        sa.Column("name", sa.String(200)),
        sa.Column("metadata_json", sa.Text, nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
    )
    _tenant_table(
        "oauth_grants",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        _id("user_id", nullable=True),
        _id("key_id", nullable=True),
        sa.Column("scopes", sa.String(500), nullable=False),
        sa.Column("resource", sa.String(500), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("revoked_at", nullable=True),
        sa.Column("revoke_reason", sa.String(40)),
        _fk("user_id", "staff_users"),
        _fk("key_id", "api_keys"),
    )
    op.create_index("ix_oauth_grants_actor", "oauth_grants", ["practice_id", "actor"])
    op.create_index("ix_oauth_grants_client", "oauth_grants", ["practice_id", "client_id"])
    _tenant_table(
        "oauth_authorizations",
        _id("user_id"),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(500), nullable=False),
        sa.Column("resource", sa.String(500), nullable=False),
        sa.Column("redirect_uri", sa.String(2000), nullable=False),
        sa.Column("redirect_uri_explicit", sa.Boolean, nullable=False),
        sa.Column("code_challenge", sa.String(128), nullable=False),
        sa.Column("state", sa.String(500)),
        sa.Column("consent_hash", sa.String(64), nullable=False),
        _ts("consent_expires_at"),
        sa.Column("decision", sa.String(10)),
        _ts("decided_at", nullable=True),
        sa.Column("code_hash", sa.String(64)),
        _ts("code_expires_at", nullable=True),
        _ts("code_used_at", nullable=True),
        _id("grant_id", nullable=True),
        _ts("created_at"),
        _fk("user_id", "staff_users"),
        _fk("grant_id", "oauth_grants"),
        sa.UniqueConstraint("practice_id", "consent_hash", name="uq_oauth_authorizations_consent"),
        sa.UniqueConstraint("practice_id", "code_hash", name="uq_oauth_authorizations_code"),
        sa.CheckConstraint("decision IN ('approved','denied')", name="ck_oauth_authorizations_decision"),
    )
    _tenant_table(
        "oauth_tokens",
        _id("grant_id"),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(500), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        _fk("grant_id", "oauth_grants"),
        sa.UniqueConstraint("practice_id", "token_hash", name="uq_oauth_tokens_hash"),
        sa.CheckConstraint("kind IN ('access','refresh')", name="ck_oauth_tokens_kind"),
    )
    op.create_index("ix_oauth_tokens_grant", "oauth_tokens", ["practice_id", "grant_id"])


def downgrade() -> None:
    for table in ("oauth_tokens", "oauth_authorizations", "oauth_grants", "oauth_clients", "staff_users"):
        op.drop_table(table)
