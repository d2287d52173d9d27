"""Prompts, completions and logging through the real `frontdesk` command: `serve --demo` over
Streamable HTTP and `stdio --practice demo` (where they are registered before the services load and
completed after), in both protocol modes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, PromptReference

from tests.e2e.conftest import FRONTDESK, MODES, Server, cli_env, http_client, run_cli

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning"),
]

PROMPTS = {"book_appointment", "todays_schedule", "reschedule_or_cancel", "review_patient_chart"}


async def check(client: Client, mode: str) -> None:
    caps = client.server_capabilities
    assert caps.prompts is not None and caps.completions is not None and caps.logging is not None
    assert {p.name for p in (await client.list_prompts()).prompts} == PROMPTS
    ref = PromptReference(name="book_appointment")
    doctors = await client.complete(ref, {"name": "doctor", "value": "ana"})
    assert doctors.completion.values == ["Dr. Ana Garcia", "Dr. Ana Silva"]
    with pytest.raises(MCPError) as caught:
        await client.get_prompt("no_such_prompt", {})
    assert caught.value.code == INVALID_PARAMS
    got = await client.get_prompt("todays_schedule", {"date": "today"})
    assert "list_appointments" in got.messages[0].content.text  # type: ignore[union-attr]
    if mode == "legacy":
        assert (await client.set_logging_level("info")).model_dump(exclude_none=True) == {}


@pytest.mark.parametrize("mode", MODES)
async def test_over_http(server: Server, mode: str) -> None:
    async with http_client(server, mode) as client:
        await check(client, mode)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("stdio-protocol")
    run_cli(cli_env(path), "demo")
    yield path


@pytest.mark.parametrize("mode", MODES)
async def test_over_stdio(demo_dir: Path, mode: str) -> None:
    params = StdioServerParameters(
        command=FRONTDESK, args=["stdio", "--practice", "demo"], env={"FRONTDESK_DATA_DIR": str(demo_dir)}
    )
    async with Client(params, mode=mode) as client:
        await check(client, mode)
