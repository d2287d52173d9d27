"""End-to-end fixtures: the real `frontdesk` command in subprocesses, on SQLite and PostgreSQL.

Each HTTP test module gets its own `frontdesk serve --demo` process with its own data directory (or
its own fresh PostgreSQL database), so modules never see each other's bookings."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from frontdesk.mcp.server import SURFACES
from tests.conftest import PG_ADMIN, _pg_reachable

BIN = Path(sys.executable).parent
FRONTDESK = str(BIN / "frontdesk") if (BIN / "frontdesk").exists() else "frontdesk"
KEY_LINE = re.compile(r"^API key \(shown once\): (\S+)$", re.MULTILINE)
STARTUP_SECONDS = 40
MODES = ["auto", "legacy"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment for every `frontdesk` subprocess of one deployment (server and CLI alike)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["FRONTDESK_DATA_DIR"] = str(data_dir)
    if database_url:
        env["FRONTDESK_DATABASE_URL"] = database_url
    return env


def run_cli(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [FRONTDESK, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert proc.returncode == 0, (
            f"frontdesk {' '.join(args)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


@dataclass
class Server:
    backend: str
    base_url: str
    key: str
    env: dict[str, str]
    data_dir: Path
    proc: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(self.env, *args, check=check)

    def logs(self) -> str:
        return (
            f"--- stdout ---\n{self.stdout_path.read_text(errors='replace')}\n"
            f"--- stderr ---\n{self.stderr_path.read_text(errors='replace')}"
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def running_server(backend: str, data_dir: Path, database_url: str | None = None) -> Iterator[Server]:
    """`frontdesk serve --demo` on a free port; yields once /health answers 200. Killed afterwards."""
    env = cli_env(data_dir, database_url)
    out, err = data_dir / "serve.stdout", data_dir / "serve.stderr"
    last_error: Exception | None = None
    for _attempt in range(3):  # a free port can be taken between choosing and binding it
        port = free_port()
        with out.open("wb") as fo, err.open("wb") as fe:
            proc = subprocess.Popen(
                [FRONTDESK, "serve", "--demo", "--port", str(port)],
                env=env,
                stdout=fo,
                stderr=fe,
                stdin=subprocess.DEVNULL,
            )
        server = Server(backend, f"http://127.0.0.1:{port}", "", env, data_dir, proc, out, err)
        try:
            server.key = _wait_until_ready(server)
        except Exception as exc:
            _stop(proc)
            last_error = exc
            if "address already in use" in err.read_text(errors="replace"):
                continue
            raise
        try:
            yield server
        finally:
            _stop(proc)
        return
    raise AssertionError(f"frontdesk serve never bound a port: {last_error}")


def _wait_until_ready(server: Server) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    key = ""
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"frontdesk serve exited with {server.proc.returncode}\n{server.logs()}")
        if not key:
            found = KEY_LINE.search(server.stdout_path.read_text(errors="replace"))
            key = found.group(1) if found else ""
        if key:
            try:
                r = httpx2.get(f"{server.base_url}/health", timeout=2)
                if r.status_code == 200:
                    return key
            except httpx2.TransportError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"frontdesk serve was not ready within {STARTUP_SECONDS}s\n{server.logs()}")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A brand-new PostgreSQL database (the server migrates it itself), dropped afterwards.
    Same rule as tests/conftest.py: under CI an unreachable server fails the run instead of skipping."""
    import asyncpg

    if not asyncio.run(_pg_reachable()):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN}; CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL is not reachable (set CI=true to make this an error)")
    name = f"frontdesk_e2e_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgresql+asyncpg", "postgresql")

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def demo_server(backend: str, data_dir: Path) -> Iterator[Server]:
    if backend == "sqlite":
        with running_server(backend, data_dir) as server:
            yield server
    else:
        with fresh_postgres_database() as url, running_server(backend, data_dir, url) as server:
            server.extra["database_url"] = url
            yield server


@asynccontextmanager
async def http_client(
    server: Server, mode: str, key: str | None = None, surface: str = "frontdesk"
) -> AsyncIterator[Client]:
    """The real client over Streamable HTTP, on Frontdesk's own surface or a seed's (`/mcp/<seed>`)."""
    headers = {"Authorization": f"Bearer {key or server.key}"}
    url = server.base_url + SURFACES[surface].path
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as hc:
        async with Client(streamable_http_client(url, http_client=hc), mode=mode) as client:
            yield client


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `frontdesk serve --demo` per test module and backend."""
    data_dir = tmp_path_factory.mktemp(f"serve-{request.param}")
    with demo_server(request.param, data_dir) as srv:
        yield srv
