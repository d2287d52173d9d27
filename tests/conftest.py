"""Shared fixtures: real SQLite and PostgreSQL databases, a controllable clock, practice factories.

Each test session migrates one SQLite file and one fresh PostgreSQL database; each test gets its own
practice, so tests never see each other's data (the same isolation production relies on)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.services.context import Principal
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database
from frontdesk.storage.migrate import upgrade
from tests.factories import Scenario, build_scenario

PG_ADMIN = os.environ.get("FRONTDESK_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


async def _pg_reachable() -> bool:
    import asyncpg

    dsn = PG_ADMIN.replace("postgresql+asyncpg", "postgresql")
    try:
        conn = await asyncio.wait_for(asyncpg.connect(dsn), 5)
    except Exception:
        return False
    await conn.close()
    return True


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = Path(tmp_path_factory.mktemp("db")) / "frontdesk.db"
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(upgrade(url))
    yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this run, dropped afterwards. Under CI an unreachable server fails the run."""
    import asyncpg

    if not asyncio.run(_pg_reachable()):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432; CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL is not reachable (set CI=true to make this an error)")
    name = f"frontdesk_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgresql+asyncpg", "postgresql")

    async def create() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(create())
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(upgrade(url))
    yield url
    asyncio.run(drop())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> Clock:
    # Monday 2 March 2026, 08:00 in New York (13:00 UTC): a normal week before the DST change.
    return Clock(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))


@pytest.fixture
async def app(db_url: str, clock: Clock) -> AsyncIterator[Frontdesk]:
    db = Database(db_url, pool_size=10)
    fd = Frontdesk(db, clock=clock, settings=Settings())
    yield fd
    await fd.close()


@pytest.fixture
async def scenario(app: Frontdesk) -> Scenario:
    return await build_scenario(app)


@pytest.fixture
def principal(scenario: Scenario) -> Principal:
    return scenario.principal


@pytest.fixture(autouse=True)
def results_match_output_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every tool result any test produces in-process, success or error, is checked against the
    tool's published outputSchema (JSON Schema 2020-12), as strict clients (the TypeScript SDK) do."""
    from jsonschema import Draft202012Validator

    from frontdesk.mcp.server import FrontdeskServer

    original = FrontdeskServer.call_tool

    async def checked(self: FrontdeskServer, name: str, arguments: dict, context: object = None) -> object:
        result = await original(self, name, arguments, context)  # type: ignore[arg-type]
        tool = self._tool_manager.get_tool(name)
        content = getattr(result, "structured_content", None)
        if tool is not None and tool.output_schema is not None and content is not None:
            errors = sorted(Draft202012Validator(tool.output_schema).iter_errors(content), key=str)
            assert not errors, f"{name}: result does not match its outputSchema: {errors[0].message}"
        return result

    monkeypatch.setattr(FrontdeskServer, "call_tool", checked)
