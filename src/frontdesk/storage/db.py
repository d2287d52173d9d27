"""Engines and transactions for the embedded SQLite default and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from frontdesk.storage import sqlite_inline
from frontdesk.storage.errors import translate

DEFAULT_SQLITE_PATH = Path(os.environ.get("FRONTDESK_DATA_DIR", Path.home() / ".frontdesk")) / "frontdesk.db"


def default_url() -> str:
    url = os.environ.get("FRONTDESK_DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"


class Database:
    """One engine per process. On SQLite, writes are serialised (BEGIN IMMEDIATE plus an in-process
    lock) so a booking's check-then-insert can never interleave with another writer."""

    def __init__(self, url: str | None = None, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url or default_url()
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
            if parsed.database in (None, "", ":memory:"):
                raise ValueError("use a file for SQLite; an in-memory database is private to one connection")
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_recycle=1800)
        if self.is_sqlite:
            # Reads call sqlite3 in the loop's thread (never waiting, WAL), writes go through aiosqlite.
            path = parsed.database or ""
            self.engine: AsyncEngine = create_async_engine(
                self.url, echo=echo, async_creator=sqlite_inline.creator(path, timeout=30)
            )
            self._install_sqlite_hooks()
            self._write_engine = create_async_engine(self.url, **kwargs)
            self._install_sqlite_hooks(self._write_engine, immediate=True)
        else:
            self.engine = create_async_engine(self.url, **kwargs)
            self._write_engine = self.engine
        self._read = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write = async_sessionmaker(self._write_engine, expire_on_commit=False, autoflush=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    def _install_sqlite_hooks(self, engine: AsyncEngine | None = None, *, immediate: bool = False) -> None:
        target = (engine or self.engine).sync_engine

        @event.listens_for(target, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event issue BEGIN itself, so writers can use BEGIN IMMEDIATE.
            if dbapi_conn.isolation_level is not None:  # inline read connections start without one
                dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(target, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        try:
            async with self._read() as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise translate(exc) from exc

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: commits when the block ends, rolls back on any exception.
        Driver failures surface as domain errors (Conflict, Unavailable) after the rollback."""
        try:
            if self._write_lock is not None:
                async with self._write_lock, self._write() as session, session.begin():
                    yield session
            else:
                async with self._write() as session, session.begin():
                    yield session
        except DBAPIError as exc:
            raise translate(exc) from exc

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._write_engine is not self.engine:
            await self._write_engine.dispose()
