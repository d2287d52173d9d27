"""Engines and transactions for the embedded SQLite default and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from frontdesk import telemetry
from frontdesk.storage import revocations, sqlite_inline
from frontdesk.storage.errors import translate

# SQLite waits inside sqlite3 (blocking the event loop) for at most this long: a reader in WAL mode
# only ever waits in rare recovery moments; a writer waits for another process in write(), asleep.
READ_BUSY_MS = 200
WRITE_BUSY_MS = 10
WRITE_WAIT = 30.0  # seconds a write waits for another process's lock before giving up
# A pooled PostgreSQL connection is pinged before use only when it has sat idle this long (HikariCP's
# "alive bypass window"): under load connections come back within milliseconds and a ping per checkout
# was a third of a small read; after an outage every connection has been idle for longer than this.
PING_AFTER_IDLE = 1.0

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
        if self.is_sqlite:
            if parsed.database in (None, "", ":memory:"):
                raise ValueError("use a file for SQLite; an in-memory database is private to one connection")
            # sqlite3 is called in the loop's own thread (see sqlite_inline): a WAL reader never waits,
            # and a writer waits for another process's lock asleep in write(), not inside sqlite3.
            path = parsed.database or ""
            self.engine: AsyncEngine = create_async_engine(
                self.url, echo=echo, async_creator=sqlite_inline.creator(path, timeout=READ_BUSY_MS / 1000)
            )
            self._install_sqlite_hooks(busy_ms=READ_BUSY_MS)
            self._write_engine = create_async_engine(
                self.url, echo=echo, async_creator=sqlite_inline.creator(path, timeout=WRITE_BUSY_MS / 1000)
            )
            self._install_sqlite_hooks(self._write_engine, immediate=True, busy_ms=WRITE_BUSY_MS)
        else:
            self.engine = create_async_engine(
                self.url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800
            )
            self._install_idle_ping()
            self._write_engine = self.engine
        telemetry.instrument_engines(self.engine, self._write_engine)  # only when telemetry is on
        # PostgreSQL reads run without BEGIN/COMMIT: at READ COMMITTED every statement takes its own
        # snapshot inside a transaction too, so the two round trips bought nothing. SQLite keeps BEGIN:
        # there it makes a read's statements share one snapshot, and costs no round trip.
        reader = (
            self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._read = async_sessionmaker(reader, expire_on_commit=False, autoflush=False)
        self._write = async_sessionmaker(self._write_engine, expire_on_commit=False, autoflush=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    def _install_sqlite_hooks(
        self, engine: AsyncEngine | None = None, *, immediate: bool = False, busy_ms: int = READ_BUSY_MS
    ) -> None:
        target = (engine or self.engine).sync_engine

        @event.listens_for(target, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event issue BEGIN itself, so writers can use BEGIN IMMEDIATE.
            if dbapi_conn.isolation_level is not None:  # inline read connections start without one
                dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            # WAL is a property of the file, set once; asking to set it again needs a lock, which a
            # connection opened while another process writes would not get.
            cur.execute("PRAGMA journal_mode")
            if str(cur.fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(target, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    def _install_idle_ping(self) -> None:
        target = self.engine.sync_engine
        dialect = target.dialect

        @event.listens_for(target, "checkin")
        def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
            record.info["idle_since"] = time.monotonic()

        @event.listens_for(target, "checkout")
        def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
            since = record.info.get("idle_since")
            if since is None or time.monotonic() - since < PING_AFTER_IDLE:
                return
            try:
                dialect.do_ping(dbapi_conn)
            except Exception as exc:
                # The pool replaces the connection and tries again (SQLAlchemy's pessimistic recipe).
                raise DisconnectionError("stale pooled connection") from exc

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
                async with self._write_lock:
                    session = await self._sqlite_writer()
                    async with session:
                        try:
                            yield session
                        except BaseException:
                            await session.rollback()
                            raise
                        await session.commit()
            else:
                async with self._write() as session, session.begin():
                    yield session
            revocations.committed(session)
        except DBAPIError as exc:
            raise translate(exc) from exc

    async def _sqlite_writer(self) -> AsyncSession:
        """A session that already holds SQLite's write lock (BEGIN IMMEDIATE has run). While another
        process holds it, this waits asleep and tries again, for up to WRITE_WAIT seconds."""
        deadline = time.monotonic() + WRITE_WAIT
        delay = 0.002
        while True:
            session = self._write()
            try:
                await session.connection()  # the begin hook runs BEGIN IMMEDIATE here
                return session
            except OperationalError as exc:
                await session.close()
                if "locked" not in str(exc.orig).lower() or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

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
