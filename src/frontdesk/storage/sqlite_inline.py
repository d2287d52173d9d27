"""SQLite in the event loop's own thread, behind the interface of an aiosqlite connection.

aiosqlite runs every call (cursor, execute, fetch, close, commit) on a worker thread and wakes the
event loop for each result; on short statements those hand-offs cost far more than the work itself
(a one-row ORM read: 1.1 ms through aiosqlite, 0.43 ms inline, on the bench machine). What could
stall the loop is waiting for a lock: in WAL mode a reader never waits for a writer, and a writer
takes the write lock up front (BEGIN IMMEDIATE) with a busy timeout of a few milliseconds; while
another process holds it, Database.write sleeps and tries again instead of waiting in sqlite3.

SQLAlchemy's aiosqlite dialect takes these objects through `create_async_engine(async_creator=...)`;
they implement what it calls (connectors/asyncio.py and dialects/sqlite/aiosqlite.py, SQLAlchemy 2.1).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor
        self.arraysize = cursor.arraysize

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any] | dict[str, Any]]) -> InlineCursor:
        self._cursor.executemany(sql, seq)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *_: object) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class InlineConnection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn  # the dialect tests it for "still open"

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()
        self._connection = None

    def stop(self) -> None:
        self._conn.close()
        self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)


def creator(path: str, timeout: float) -> Callable[[], Awaitable[InlineConnection]]:
    """An `async_creator` for create_async_engine. isolation_level=None: no implicit transactions,
    the engine's begin hook issues BEGIN itself (as on the aiosqlite engines)."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        return InlineConnection(conn)

    return connect
