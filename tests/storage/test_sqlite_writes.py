"""SQLite runs in the event loop's thread: a write that must wait for another process's lock waits
asleep (the loop keeps serving), then goes through once the lock is free."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from frontdesk.composition import Frontdesk


async def test_a_write_waits_asleep_for_another_process_and_then_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    app = await Frontdesk.open(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)  # stands for another process on the same file
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beat = asyncio.create_task(ticker())
        write = asyncio.create_task(app.practices.create("waiting", "Waiting Practice", "Europe/Lisbon"))
        await asyncio.sleep(0.4)
        assert not write.done(), "the write cannot have happened while the lock is held"
        assert ticks >= 10, f"the event loop stalled while the write waited ({ticks} ticks in 0.4 s)"
        assert await app.practices.list_all() == [], "reads go on meanwhile and see nothing half-written"
        other.execute("COMMIT")
        made = await asyncio.wait_for(write, 10)
        beat.cancel()
        assert made.slug == "waiting"
        assert [p.slug for p in await app.practices.list_all()] == ["waiting"]
    finally:
        other.close()
        await app.close()
