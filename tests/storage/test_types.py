"""UTCDateTime reads back aware UTC whatever form the stored value has, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from frontdesk.storage.types import UTCDateTime

LISBON_SUMMER = timezone(timedelta(hours=1))


def _table() -> Table:
    return Table("moments", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))


async def test_sqlite_reads_every_stored_form_as_aware_utc(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'types.db'}")
    moments = _table()
    try:
        async with engine.begin() as conn:
            await conn.run_sync(moments.metadata.create_all)
            await conn.execute(
                insert(moments).values(id=1, at=datetime(2026, 7, 1, 9, 30, 15, 250, tzinfo=LISBON_SUMMER))
            )
            await conn.execute(insert(moments).values(id=2, at=None))
            # Forms SQLAlchemy never writes but a hand-edited or imported row may hold.
            await conn.execute(text("INSERT INTO moments VALUES (3, '2026-07-01 08:30:15')"))
            await conn.execute(text("INSERT INTO moments VALUES (4, '2026-07-01T09:30:15+01:00')"))
            stored = (await conn.execute(text("SELECT at FROM moments WHERE id = 1"))).scalar_one()
            rows = dict((await conn.execute(select(moments.c.id, moments.c.at).order_by(moments.c.id))).all())
    finally:
        await engine.dispose()
    assert stored == "2026-07-01 08:30:15.000250"  # naive UTC text, the form the fast path expects
    assert rows[1] == datetime(2026, 7, 1, 8, 30, 15, 250, tzinfo=UTC)
    assert rows[2] is None
    assert rows[3] == datetime(2026, 7, 1, 8, 30, 15, tzinfo=UTC)
    assert rows[4] == datetime(2026, 7, 1, 8, 30, 15, tzinfo=UTC)
    assert all(v is None or v.tzinfo is UTC for v in rows.values())


async def test_postgres_reads_timestamptz_as_utc(postgres_url: str) -> None:
    engine = create_async_engine(postgres_url)
    moments = Table(
        "moments_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime())
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SET LOCAL TIME ZONE 'America/New_York'")
            )  # the session zone must not leak
            await conn.run_sync(moments.metadata.create_all)
            await conn.execute(
                insert(moments).values(id=1, at=datetime(2026, 7, 1, 9, 30, tzinfo=LISBON_SUMMER))
            )
            await conn.execute(insert(moments).values(id=2, at=None))
            rows = dict((await conn.execute(select(moments.c.id, moments.c.at).order_by(moments.c.id))).all())
            await conn.run_sync(moments.metadata.drop_all)
    finally:
        await engine.dispose()
    assert rows[1] == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert rows[1].tzinfo is UTC
    assert rows[2] is None
