"""`frontdesk stdio` answers the handshake before the rest has loaded (cli/stdio.py, mcp/startup.py).

What a client must not be able to tell: the handshake's answer is the loaded server's, and every
request that needs the tools sees all of them, however early it is sent. What the early answer costs:
nothing heavy is imported before serving. And an unknown practice still ends the process with 2.

The raw tests speak JSON lines to a real `frontdesk stdio` process, writing everything at once (no
waiting for the handshake's answer), so the requests arrive while the process is still loading."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from mcp import Client, StdioServerParameters
from mcp_types import CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY
from mcp_types.version import LATEST_HANDSHAKE_VERSION, LATEST_MODERN_VERSION

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from frontdesk.services.context import Principal
from tests.e2e.conftest import FRONTDESK, MODES, STARTUP_SECONDS, cli_env, run_cli

pytestmark = pytest.mark.e2e

UNKNOWN = "no practice with slug 'nope'"


@dataclass
class Demo:
    env: dict[str, str]
    path: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    path = tmp_path_factory.mktemp("stdio-startup")
    env = cli_env(path)
    run_cli(env, "demo")
    return Demo(env, path)


@pytest.fixture(scope="module")
async def loaded(demo: Demo) -> AsyncIterator[Frontdesk]:
    """The same database, served the way HTTP and the in-process tests build the server: in one go."""
    app = await Frontdesk.open(f"sqlite+aiosqlite:///{demo.path / 'frontdesk.db'}")
    try:
        yield app
    finally:
        await app.close()


async def loaded_server(app: Frontdesk) -> Any:
    practice = await app.practices.get("demo")
    return build_server(app, default_principal=Principal(practice.id, "stdio:demo"))


def stdio_params(demo: Demo, practice: str = "demo") -> StdioServerParameters:
    return StdioServerParameters(
        command=FRONTDESK, args=["stdio", "--practice", practice], env={"FRONTDESK_DATA_DIR": str(demo.path)}
    )


@pytest.mark.parametrize("mode", MODES)
async def test_the_handshake_answer_is_the_loaded_servers(demo: Demo, loaded: Frontdesk, mode: str) -> None:
    """Capabilities, identity and instructions, as answered at once over stdio (initialize, or
    server/discover in 2026-07-28), equal what the server built in one go answers."""
    async with Client(stdio_params(demo), mode=mode) as early:
        seen = handshake(early)
    async with Client(await loaded_server(loaded), mode=mode) as full:
        expected = handshake(full)
    assert seen == expected
    assert seen["capabilities"].get("tools") is not None and seen["capabilities"].get("resources") is not None


def handshake(client: Client) -> dict[str, Any]:
    info = client.server_info
    return {
        "protocol_version": client.protocol_version,
        "capabilities": client.server_capabilities.model_dump(mode="json", by_alias=True, exclude_none=True),
        "server_info": info.model_dump(mode="json", by_alias=True, exclude_none=True) if info else None,
        "instructions": client.instructions,
    }


# Raw JSON lines.


@dataclass
class Raw:
    proc: subprocess.Popen[str]
    stderr: IO[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def send(self, *messages: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
        self.proc.stdin.flush()

    def answer(self, request_id: int, timeout: float = STARTUP_SECONDS) -> dict[str, Any]:
        """Reads until the answer to `request_id` (keeping everything read in `seen`)."""
        for m in self.seen:
            if m.get("id") == request_id:
                return m
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"stdout closed before answer {request_id}; read {self.seen}")
            msg = json.loads(line)  # stdout carries protocol messages only
            self.seen.append(msg)
            if msg.get("id") == request_id:
                return msg
        raise AssertionError(f"no answer {request_id} within {timeout}s; read {self.seen}")

    def rest(self) -> list[dict[str, Any]]:
        """Everything stdout still carries, up to its end (the process has exited)."""
        while (line := self.lines.get(timeout=10)) is not None:
            self.seen.append(json.loads(line))
        return self.seen

    def order(self) -> list[Any]:
        return [m.get("id") for m in self.seen if "id" in m]


@contextmanager
def raw_stdio(demo: Demo, tmp_path: Path, practice: str = "demo") -> Iterator[Raw]:
    with (tmp_path / "stderr").open("w+") as err:
        proc = subprocess.Popen(
            [FRONTDESK, "stdio", "--practice", practice],
            env=demo.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        raw = Raw(proc, err)

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                raw.lines.put(line)
            raw.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        try:
            yield raw
        finally:
            if proc.stdin is not None and not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def initialize(request_id: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {
            "protocolVersion": LATEST_HANDSHAKE_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"},
        },
    }


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def request(request_id: int, method: str, *, modern: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if modern:
        params["_meta"] = {
            PROTOCOL_VERSION_META_KEY: LATEST_MODERN_VERSION,
            CLIENT_CAPABILITIES_META_KEY: {},
            CLIENT_INFO_META_KEY: {"name": "raw", "version": "1"},
        }
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


async def expected_tools(app: Frontdesk) -> set[str]:
    async with Client(await loaded_server(app), mode="legacy") as client:
        return {t.name for t in (await client.list_tools()).tools}


async def test_tools_list_sent_with_initialize_lists_every_tool(
    demo: Demo, loaded: Frontdesk, tmp_path: Path
) -> None:
    """initialize, initialized, tools/list and ping in one write: initialize is answered, ping too
    (while the rest loads), and tools/list, held until the tools are there, lists all of them."""
    everything = await expected_tools(loaded)
    with raw_stdio(demo, tmp_path) as raw:
        raw.send(initialize(1), INITIALIZED, request(2, "tools/list"), request(3, "ping"))
        init = raw.answer(1)
        assert init["result"]["protocolVersion"] == LATEST_HANDSHAKE_VERSION, init
        assert init["result"]["serverInfo"]["name"] == "frontdesk"
        listed = raw.answer(2)
        assert {t["name"] for t in listed["result"]["tools"]} == everything
        assert raw.answer(3)["result"] == {}
        assert raw.order() == [1, 3, 2], "ping is answered while tools/list waits for the tools"


async def test_a_2026_client_first_request_sees_every_tool(
    demo: Demo, loaded: Frontdesk, tmp_path: Path
) -> None:
    """No handshake (2026-07-28): the very first request is tools/list; server/discover, sent after
    it, is answered first, from the bare server."""
    everything = await expected_tools(loaded)
    with raw_stdio(demo, tmp_path) as raw:
        raw.send(request(2, "tools/list", modern=True), request(3, "server/discover", modern=True))
        listed = raw.answer(2)
        assert {t["name"] for t in listed["result"]["tools"]} == everything
        assert LATEST_MODERN_VERSION in raw.answer(3)["result"]["supportedVersions"]
        assert raw.order() == [3, 2]


@pytest.mark.parametrize("mode", [*MODES, "silent"])
def test_an_unknown_practice_exits_2_after_the_handshake(demo: Demo, tmp_path: Path, mode: str) -> None:
    """The practice is looked up after the handshake is answered (or after a quiet moment, for a
    client that sends nothing). Then, with the client still connected (stdin open): the error on
    stderr, held requests answered with it, exit code 2."""
    with raw_stdio(demo, tmp_path, practice="nope") as raw:
        if mode == "legacy":
            raw.send(initialize(1), INITIALIZED, request(2, "tools/list"))
            assert "serverInfo" in raw.answer(1)["result"], "the handshake is answered first"
        elif mode == "auto":
            raw.send(request(2, "tools/list", modern=True))
        assert raw.proc.wait(timeout=STARTUP_SECONDS) == 2
        if mode != "silent":
            failed = raw.answer(2)
            assert UNKNOWN in failed["error"]["message"], failed
        raw.rest()
        assert raw.order() == {"legacy": [1, 2], "auto": [2], "silent": []}[mode], f"stdout: {raw.seen}"
        raw.stderr.seek(0)
        assert f"error: {UNKNOWN}" in raw.stderr.read()


def test_stdio_serves_before_importing_the_rest(demo: Demo) -> None:
    """What `frontdesk stdio` imports before it answers: the SDK and a few small modules of ours;
    not SQLAlchemy, the storage, the services or the tools (those load after the handshake)."""
    code = (
        "import sys\n"
        "import frontdesk.cli.main, frontdesk.cli.stdio\n"
        "heavy = ('sqlalchemy', 'alembic', 'aiosqlite', 'asyncpg', 'frontdesk.storage', 'frontdesk.services',"
        " 'frontdesk.mcp.surfaces', 'frontdesk.mcp.guard', 'frontdesk.http')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=demo.env, capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
