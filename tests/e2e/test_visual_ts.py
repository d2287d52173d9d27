"""The TypeScript SDK client takes a visual message's result: image content beside a structuredContent
that validates against the tool's outputSchema (the SDK throws otherwise), over `frontdesk stdio`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import FRONTDESK, cli_env, run_cli
from tests.e2e.test_ts_client import PROBE, SDK_PACKAGE, TS_DIR, _node_env

pytestmark = pytest.mark.e2e


def test_ts_client_receives_a_card(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not SDK_PACKAGE.exists():
        pytest.skip("node or tests/ts/node_modules missing (test_ts_client.py says how; CI has them)")
    run_cli(cli_env(tmp_path), "demo")
    arguments = {
        "action": "preview",
        "template": "payment-reminder",
        "clientName": "Probe Person",
        "amount": 4500,
        "currency": "USD",
    }
    plan = [{"tool": "comms_render_visual_message", "arguments": arguments}]
    command = [FRONTDESK, "stdio", "--practice", "demo", "--surface", "coordinalo"]
    proc = subprocess.run(
        [node, str(PROBE), "--stdio", "--env", f"FRONTDESK_DATA_DIR={tmp_path}", "--", *command],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        env=_node_env(),
        timeout=180,
        cwd=TS_DIR,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 2, (proc.stdout, proc.stderr)
    result = lines[1]
    assert result["ok"] is True and result["isError"] is False, result
    image = result["structuredContent"]["image"]
    assert image["mimeType"] == "image/png" and image["width"] == 800 and image["bytes"] > 1000
    assert "payment-reminder card" in result["text"]
    assert result["contentTypes"] == ["text", "image:image/png"]
