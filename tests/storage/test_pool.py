"""PostgreSQL connections in the pool: reads take no transaction round trips, and a connection that
died while idle (a server restart, a killed backend) is replaced before use, not handed to a request."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from frontdesk.storage import db as db_module
from frontdesk.storage.db import Database

pytestmark = pytest.mark.postgres


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg", "postgresql")


async def _backend(db: Database) -> int:
    async with db.read() as s:
        return int((await s.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_killed_while_idle_does_not_fail_the_next_request(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 0.05)
    db = Database(postgres_url, pool_size=1)
    try:
        first = await _backend(db)
        admin = await asyncpg.connect(_dsn(postgres_url))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(0.1)
        second = await _backend(db)
        assert second != first, "a fresh connection serves the read"
    finally:
        await db.dispose()


async def test_only_a_connection_idle_past_the_window_is_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 0.2)
    db = Database(postgres_url, pool_size=1)
    dialect = db.engine.sync_engine.dialect
    pings: list[object] = []
    real_ping = dialect.do_ping

    def counted(conn: object) -> bool:
        pings.append(conn)
        return bool(real_ping(conn))

    monkeypatch.setattr(dialect, "do_ping", counted)
    try:
        await _backend(db)  # a new connection: nothing to check
        await _backend(db)  # back at once
        assert pings == []
        await asyncio.sleep(0.25)
        await _backend(db)
        assert len(pings) == 1
    finally:
        await db.dispose()


async def test_reads_run_outside_a_transaction(postgres_url: str) -> None:
    """Each statement of a read is a transaction of its own (no BEGIN/COMMIT round trips): now(), the
    transaction's start, moves between two statements; inside a write it does not."""

    async def two_nows(block: Any) -> bool:
        async with block() as s:
            first = (await s.execute(text("SELECT now()"))).scalar()
            await asyncio.sleep(0.02)
            return bool(first == (await s.execute(text("SELECT now()"))).scalar())

    db = Database(postgres_url)
    try:
        assert await two_nows(db.read) is False
        assert await two_nows(db.write) is True
    finally:
        await db.dispose()
