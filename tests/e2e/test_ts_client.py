"""A client nobody here wrote: the TypeScript SDK's `Client` (tests/ts/probe.mjs) against a real
`frontdesk serve` (Streamable HTTP) and a real `frontdesk stdio`.

That client validates every tool result's structuredContent against the tool's outputSchema, error
results included, and throws when it does not match. So for every tool of a surface this drives one
business error (a missing record, a time outside working hours, a bad value, an unknown argument) and
requires the client to show Frontdesk's own message with isError: true: not a schema failure, not a
bare "Error executing tool"; and a message that points to a tool ("call admin_list_providers") points
to one this surface serves, an error's field is an argument the call gave as the surface spells it
(serviceId, not our service_id). The calls follow tools/list, so a new tool without an entry in
ERROR_CASES (tests/e2e/ts_cases.py) fails here instead of being forgotten. One Node process per
surface and transport."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from frontdesk.mcp.server import SURFACES as SERVED
from tests.e2e.conftest import FRONTDESK, Server, cli_env, run_cli, running_server
from tests.e2e.ts_cases import ERROR_CASES, SURFACE_CASES, Case

pytestmark = pytest.mark.e2e

TS_DIR = Path(__file__).resolve().parents[1] / "ts"
PROBE = TS_DIR / "probe.mjs"
SDK_PACKAGE = TS_DIR / "node_modules" / "@modelcontextprotocol" / "sdk" / "package.json"
PROBE_SECONDS = 180

# (HTTP path, surface name): Frontdesk's own surface and each seed's.
SURFACES: list[tuple[str, str]] = [(s.path, s.name) for s in SERVED.values()]
DEFAULT_SURFACE = "frontdesk"  # what `frontdesk stdio` serves without --surface

# Phrases that mean the client never saw Frontdesk's answer.
NOT_A_MESSAGE = ("Structured content does not match", "Failed to validate structured content")


# --- running the probe ------------------------------------------------------------------------------


def table_for(surface: str) -> dict[str, list[Case]]:
    return ERROR_CASES | SURFACE_CASES.get(surface, {})


@dataclass
class ProbeRun:
    header: dict[str, Any]  # the tool list and what the client negotiated
    results: list[dict[str, Any]]  # one per call, in tools/list order
    stderr: str


def run_probe(node: str, surface: str, options: list[str], env: dict[str, str]) -> ProbeRun:
    """One Node process: connect, tools/list, then every listed tool's error calls. The plan is given
    per tool, so the probe calls exactly the surface's tools and names any the table lacks."""
    plan = {}
    for tool, cases in table_for(surface).items():
        labels = [c.label for c in cases]
        assert len(set(labels)) == len(labels), f"{tool}: each case needs a label of its own"
        plan[tool] = [{"arguments": c.arguments, "case": c.label} for c in cases]
    proc = subprocess.run(
        [node, str(PROBE), *options],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        env=env,
        timeout=PROBE_SECONDS,
        cwd=TS_DIR,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"the probe printed nothing (exit {proc.returncode})\n{proc.stderr}"
    assert "fatal" not in lines[0], (
        f"the TS client could not connect or list: {lines[0]['fatal']}\n{proc.stderr}"
    )
    assert proc.returncode == 0, f"probe exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    header, results = lines[0], lines[1:]
    assert header["pages"] == 1, "the TS SDK keeps output validators for the last tools/list page only"
    missing = [r["tool"] for r in results if r.get("missing")]
    assert not missing, (
        f"surface {surface!r} has tools without an error case in tests/e2e/ts_cases.py "
        f"(ERROR_CASES, or SURFACE_CASES[{surface!r}]): {missing}"
    )
    stale = sorted(set(SURFACE_CASES.get(surface, {})) - set(header["tools"]))
    assert not stale, f"SURFACE_CASES[{surface!r}] names tools the surface does not serve: {stale}"
    return ProbeRun(header, results, proc.stderr)


# --- judging what the client saw --------------------------------------------------------------------

OUTCOMES = (
    "message",
    "schema failure",
    "thrown",
    "other text",
    "not an error",
    "no message in structuredContent",
    "names a tool the surface lacks",
    "names a field the call lacks",
)
# "call list_doctors", "call getPracticeInfo": a message's pointer to another tool (not "call again").
TOOL_POINTER = re.compile(r"\bcall ([a-z]+(?:_[a-z]+)+|[a-z]+[A-Z]\w*)")


def _error_message(structured: Any) -> str | None:
    """Frontdesk's message inside structuredContent: error.message, or the ChatGPT-app tools' error string."""
    if not isinstance(structured, dict):
        return None
    error = structured.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    return error if isinstance(error, str) else None


def _error_field(structured: Any) -> str | None:
    """The argument an error blames, when it is a plain name (not a setting key or a list item): an
    argument of the call as the surface spells it (serviceId there, never our service_id)."""
    error = structured.get("error") if isinstance(structured, dict) else None
    field = (error.get("field") if isinstance(error, dict) else None) or structured.get("field")
    return field if isinstance(field, str) and field.isidentifier() else None


def verdict(result: dict[str, Any], case: Case, tools: list[str]) -> tuple[str, str]:
    """(outcome, what the client showed). "message" is the only good outcome: Frontdesk's text, and
    any tool it says to call one this surface serves."""
    if not result["ok"]:
        thrown = str(result["thrown"])
        return ("schema failure" if any(p in thrown for p in NOT_A_MESSAGE) else "thrown"), thrown
    text = str(result["text"])
    if not result["isError"]:
        return "not an error", text
    if text.startswith("Error executing tool") or case.expect not in text:
        return "other text", text
    inside = _error_message(result["structuredContent"])
    if inside is None or case.expect not in inside:
        return "no message in structuredContent", json.dumps(result["structuredContent"])
    if any(name not in tools for name in TOOL_POINTER.findall(text)):
        return "names a tool the surface lacks", text
    if (field := _error_field(result["structuredContent"])) and field not in case.arguments:
        return "names a field the call lacks", f"field {field!r}: {text}"
    return "message", text


def assert_messages_seen(run: ProbeRun, surface: str, transport: str) -> None:
    table = table_for(surface)
    expected = [(tool, c) for tool in run.header["tools"] for c in table[tool]]
    answered = [(r["tool"], r["case"]) for r in run.results]
    assert answered == [(t, c.label) for t, c in expected], f"calls and answers differ\n{run.stderr}"
    counts = dict.fromkeys(OUTCOMES, 0)
    rows = []
    for (tool, case), result in zip(expected, run.results, strict=True):
        outcome, shown = verdict(result, case, run.header["tools"])
        counts[outcome] += 1
        if outcome != "message":
            rows.append(f"  {tool} [{case.label}]: {outcome}: {shown[:160]!r} (wanted {case.expect!r})")
    summary = ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
    if rows:  # the message alone: the table is the report, pytest's rewrite of it only noise
        pytest.fail(
            f"the TypeScript SDK client over {transport}, surface {surface!r}, did not see Frontdesk's "
            f"error message for {len(rows)} of {len(expected)} calls ({summary}):\n" + "\n".join(rows),
            pytrace=False,
        )


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    """Node and the probe's installed packages. Under CI both must be there (scripts/test installs them)."""
    found = shutil.which("node")
    problem = None
    if found is None:
        problem = "node is not installed (apt-get install nodejs npm; scripts/test does it as root)"
    elif not SDK_PACKAGE.exists():
        problem = "tests/ts has no node_modules: run `npm ci --prefix tests/ts` (scripts/test does it)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the TypeScript client test")
        pytest.skip(problem)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `frontdesk serve --demo` (SQLite) for the module: error paths do not depend on the backend."""
    with running_server("sqlite", tmp_path_factory.mktemp("ts-serve")) as server:
        yield server


@pytest.fixture(scope="module")
def stdio_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ts-stdio")
    run_cli(cli_env(path), "demo")
    return path


def _node_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "MCP_"))}
    return env | extra


# --- tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "surface"), SURFACES, ids=[s for _, s in SURFACES])
def test_ts_client_sees_every_error_over_http(
    node: str, http_server: Server, path: str, surface: str
) -> None:
    # The public booking surface takes no token: probed without one (and so proving it needs none).
    token = {} if SERVED[surface].anonymous else {"MCP_BEARER_TOKEN": http_server.key}
    run = run_probe(node, surface, ["--http", f"{http_server.base_url}{path}"], _node_env(**token))
    assert str(run.header["server"]).startswith("frontdesk"), run.header  # a surface may add a suffix
    assert_messages_seen(run, surface, "HTTP")


# The public booking surface is served over HTTP only.
@pytest.mark.parametrize("surface", [s for _, s in SURFACES if not SERVED[s].anonymous])
def test_ts_client_sees_every_error_over_stdio(node: str, stdio_data_dir: Path, surface: str) -> None:
    command = [FRONTDESK, "stdio", "--practice", "demo"]
    if surface != DEFAULT_SURFACE:
        command += ["--surface", surface]
    run = run_probe(
        node,
        surface,
        ["--stdio", "--env", f"FRONTDESK_DATA_DIR={stdio_data_dir}", "--", *command],
        _node_env(),
    )
    assert str(run.header["server"]).startswith("frontdesk"), run.header  # a surface may add a suffix
    assert_messages_seen(run, surface, "stdio")
