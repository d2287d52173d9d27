"""Building blocks for migrations from 0007 on (earlier ones keep their own copies): a practice-scoped
table keyed as 0001 keys them, its id columns, its composite links and its timestamps."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def tenant_table(name: str, *items: Any) -> None:
    """On PostgreSQL the key is (practice_id, id), ready for distribution by practice; SQLite needs
    `id INTEGER PRIMARY KEY` to auto-increment, so it gets a unique (practice_id, id) instead."""
    if op.get_bind().dialect.name == "postgresql":
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


def id_column(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, ID, nullable=nullable)


def ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def link(col: str, table: str) -> sa.ForeignKeyConstraint:
    """A reference that cannot cross practices: (practice_id, col) -> table (practice_id, id)."""
    return sa.ForeignKeyConstraint(["practice_id", col], [f"{table}.practice_id", f"{table}.id"])
