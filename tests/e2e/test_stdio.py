"""`frontdesk demo` and `frontdesk stdio --practice demo`, as Claude Desktop would start it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from frontdesk.mcp.server import SURFACES
from tests.e2e import flows
from tests.e2e.conftest import FRONTDESK, MODES, cli_env, run_cli

pytestmark = pytest.mark.e2e


@dataclass
class DemoDir:
    env: dict[str, str]
    path: Path

    @property
    def db(self) -> Path:
        return self.path / "frontdesk.db"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDir]:
    path = tmp_path_factory.mktemp("stdio")
    env = cli_env(path)
    first = run_cli(env, "demo")
    assert "created" in first.stdout and "nothing changed" not in first.stdout, first.stdout
    assert (path / "frontdesk.db").exists(), "FRONTDESK_DATA_DIR holds the SQLite file"
    yield DemoDir(env, path)


def row_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def stdio_server(demo: DemoDir, practice: str = "demo", surface: str = "frontdesk") -> StdioServerParameters:
    return StdioServerParameters(
        command=FRONTDESK,
        args=["stdio", "--practice", practice, "--surface", surface],
        env={"FRONTDESK_DATA_DIR": str(demo.path)},
    )


def test_demo_twice_changes_nothing(demo_dir: DemoDir) -> None:
    before = row_counts(demo_dir.db)
    for table in (
        "practices",
        "datebooks",
        "providers",
        "patients",
        "appointments",
        "working_hours",
        "services",
    ):
        assert before.get(table, 0) > 0, f"the demo seeds {table}: {before}"
    second = run_cli(demo_dir.env, "demo")
    assert "nothing changed" in second.stdout and "created" not in second.stdout, second.stdout
    assert row_counts(demo_dir.db) == before


@pytest.mark.parametrize("mode", MODES)
async def test_stdio_examples(demo_dir: DemoDir, mode: str) -> None:
    async with Client(stdio_server(demo_dir, surface="odonto"), mode=mode) as client:
        assert (client.session.protocol_version == "2025-11-25") == (mode == "legacy")
        s = flows.Session(client)
        flows.check_tool_list(await s.list_tools(), "odonto")
        assert await flows.todays_schedule(s) > 0
        # Own data dir, but both modes share it: each books its own Tuesday.
        made = await flows.book_cleaning(s, weeks_later=MODES.index(mode))
        assert made["patient_name"] == "Juan Perez"


def test_stdio_for_an_unknown_practice_exits_with_a_message(demo_dir: DemoDir) -> None:
    r = run_cli(demo_dir.env, "stdio", "--practice", "nope", check=False)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "no practice with slug 'nope'" in r.stderr
    assert r.stdout == "", "stdout belongs to the protocol"


@pytest.mark.parametrize("surface", ["frontdesk", "odonto", "medapp", "charm"])
async def test_stdio_serves_each_surface(demo_dir: DemoDir, surface: str) -> None:
    """`frontdesk stdio --surface NAME` serves that surface's tools, as HTTP does at its path."""
    async with Client(stdio_server(demo_dir, surface=surface), mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        flows.check_tool_list(tools, surface)
        assert client.session.server_info.title == SURFACES[surface].title


def test_stdio_refuses_an_unknown_surface(demo_dir: DemoDir) -> None:
    r = run_cli(demo_dir.env, "stdio", "--practice", "demo", "--surface", "nope", check=False)
    assert r.returncode == 2 and "no surface 'nope'" in r.stderr, r.stderr
    assert r.stdout == ""
