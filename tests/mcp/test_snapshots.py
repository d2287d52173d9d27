"""What each surface's tools/list says (names, titles, input schemas, output schemas, annotations, tool
_meta), held to a committed snapshot: any change to a tool's contract shows up in review as a diff of
tests/mcp/snapshots/<surface>.json. After a deliberate change, regenerate them with
`FRONTDESK_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/mcp/test_snapshots.py`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import SURFACES, build_server
from tests.factories import Scenario

HERE = Path(__file__).parent / "snapshots"


def contract(tools: list[Any]) -> dict[str, Any]:
    out = {}
    for t in sorted(tools, key=lambda t: t.name):
        a = t.annotations
        out[t.name] = {
            "title": t.title,
            "description": t.description,
            "annotations": {
                "readOnlyHint": a.read_only_hint,
                "destructiveHint": a.destructive_hint,
                "idempotentHint": a.idempotent_hint,
                "openWorldHint": a.open_world_hint,
            },
            "inputSchema": t.input_schema,
            "outputSchema": t.output_schema,
            "_meta": t.meta,
        }
    return out


@pytest.mark.parametrize("surface", list(SURFACES))
async def test_tools_list_matches_the_snapshot(app: Frontdesk, scenario: Scenario, surface: str) -> None:
    async with Client(build_server(app, surface=surface, default_principal=scenario.principal)) as client:
        got = contract((await client.list_tools()).tools)
    path = HERE / f"{surface}.json"
    text = json.dumps(got, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("FRONTDESK_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot for {surface}: run with FRONTDESK_UPDATE_SNAPSHOTS=1"
    want = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want), f"{surface}: the tool names changed"
    for name in want:
        assert got[name] == want[name], f"{surface}.{name} changed: regenerate the snapshot if deliberate"
