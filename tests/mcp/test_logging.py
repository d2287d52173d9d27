"""MCP logging through the real client, in-process: nothing until the client asks (setLevel, or the
2026-07-28 per-request opt-in), then Frontdesk's own lines at or above that level, before the answer,
and never a patient's data."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import LoggingMessageNotificationParams

from frontdesk.composition import Frontdesk
from frontdesk.mcp import logs
from frontdesk.mcp.server import build_server, new_server
from tests.factories import Scenario

pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")


class Lines:
    def __init__(self) -> None:
        self.seen: list[LoggingMessageNotificationParams] = []

    async def __call__(self, params: LoggingMessageNotificationParams) -> None:
        self.seen.append(params)

    def take(self) -> list[tuple[str, str]]:
        out = [(p.level, str(p.data)) for p in self.seen]
        self.seen.clear()
        return out


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """The server logs at DEBUG (the CLI's default is WARNING), so every level has lines to send."""
    caplog.set_level(logging.DEBUG, logger="frontdesk")


async def unknown_prompt(client: Client) -> None:
    with pytest.raises(MCPError):
        await client.get_prompt("no_such_prompt", {})


@pytest.mark.usefixtures("debug_logs")
async def test_nothing_until_set_level_then_that_level_and_above() -> None:
    lines = Lines()
    async with Client(new_server(), mode="legacy", logging_callback=lines) as client:
        assert client.server_capabilities.logging is not None
        await unknown_prompt(client)
        await client.list_prompts()
        assert lines.take() == []  # the client has not asked
        assert (await client.set_logging_level("info")).model_dump(exclude_none=True) == {}
        await unknown_prompt(client)
        # Sent before the answer, so it is here as soon as the call returns.
        assert lines.take() == [("info", "prompts/get answered error -32602")]
        await client.list_prompts()
        assert lines.take() == []  # its only line is at debug
        await client.set_logging_level("debug")
        await client.list_prompts()
        [(level, text)] = lines.take()
        assert level == "debug" and text.startswith("prompts/list answered in ") and text.endswith(" ms")
        with pytest.raises(MCPError):
            await client.get_prompt("book_appointment", {})  # a prompt of ours is named
        assert lines.take()[0] == ("info", "prompts/get book_appointment answered error -32602")
        await client.set_logging_level("error")
        lines.take()  # that request began at debug
        await unknown_prompt(client)
        assert lines.take() == []
    assert all(p.logger and p.logger.startswith("frontdesk.") for p in lines.seen)


@pytest.mark.usefixtures("debug_logs")
async def test_a_2026_request_opts_in_by_itself() -> None:
    quiet, asked = Lines(), Lines()
    async with Client(new_server(), mode="auto", logging_callback=quiet) as client:
        await unknown_prompt(client)
    async with Client(new_server(), mode="auto", logging_callback=asked, log_level="info") as client:
        await unknown_prompt(client)
    assert quiet.take() == []
    assert asked.take() == [("info", "prompts/get answered error -32602")]


async def test_the_operators_level_still_decides_what_exists(caplog: pytest.LogCaptureFixture) -> None:
    """With the server at WARNING (the CLI's default), a client asking for debug gets no info lines."""
    caplog.set_level(logging.WARNING, logger="frontdesk")
    lines = Lines()
    async with Client(new_server(), mode="legacy", logging_callback=lines) as client:
        await client.set_logging_level("debug")
        await unknown_prompt(client)
        await client.list_prompts()
    assert lines.take() == []


@pytest.mark.usefixtures("debug_logs")
async def test_no_patient_data_in_the_lines(app: Frontdesk, scenario: Scenario) -> None:
    lines = Lines()
    server = build_server(app, surface="odonto", default_principal=scenario.principal)
    async with Client(server, mode="legacy", logging_callback=lines) as client:
        await client.set_logging_level("debug")
        found = await client.call_tool("search_patients", {"query": "Santos"})
        assert not found.is_error
        refused = await client.call_tool(
            "create_appointment",
            {
                "datebook_id": scenario.ny,
                "doctor_id": scenario.garcia,
                "patient_name": "Zed Secretname",
                "starts_at": "not a time",
            },
        )
        assert refused.is_error
        weird = await client.call_tool("Juan Perez's chart", {})
        assert weird.is_error
        await client.complete(_ref("book_appointment"), {"name": "patient", "value": "Mar"})
    texts = [t for _, t in lines.take()]
    assert "tools/call create_appointment answered a tool error" in texts
    assert any(t.startswith("tools/call search_patients answered in ") for t in texts)
    assert any(t.startswith("tools/call answered in ") for t in texts)  # the odd name is not repeated
    assert any(t.startswith("completion/complete answered in ") for t in texts)
    for secret in ("Santos", "María", "Maria", "Zed", "Secretname", "Juan", "Perez", "Mar"):
        assert not any(secret in t for t in texts), secret


def _ref(name: str) -> object:
    from mcp_types import PromptReference

    return PromptReference(name=name)


def test_levels_map_both_ways() -> None:
    assert [logs.mcp_level(n) for n in (5, 10, 20, 25, 30, 40, 50, 60)] == [
        "debug",
        "debug",
        "info",
        "info",
        "warning",
        "error",
        "critical",
        "critical",
    ]
    assert logs.LEVELS["notice"] > logging.INFO and logs.LEVELS["alert"] > logging.CRITICAL
    levels = logs.SessionLevels(max_sessions=2)
    levels.set("a", "info")
    levels.set("b", "error")
    levels.set("a", "debug")  # refreshed: now the newest
    levels.set("c", "warning")  # forgets the oldest, b
    assert (levels.get("a"), levels.get("b"), levels.get("c")) == (logging.DEBUG, None, logging.WARNING)


def test_unconfigured_logging_still_reaches_stderr() -> None:
    """The collector is a handler on `frontdesk`; without any other, Python's last resort still prints."""
    code = (
        "import logging\n"
        "from frontdesk.mcp import logs\n"
        "logs._attach()\n"
        "logging.getLogger('frontdesk.x').warning('on stderr')\n"
        "logging.getLogger('frontdesk.x').info('below the last resort')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stderr == "on stderr\n"
