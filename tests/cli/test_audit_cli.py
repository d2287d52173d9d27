"""`frontdesk audit verify|export` as a user runs them, on a real database file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

FRONTDESK = [sys.executable, "-m", "frontdesk.cli.main"]


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["FRONTDESK_DATA_DIR"] = str(data_dir)
    return subprocess.run([*FRONTDESK, *args], env=env, capture_output=True, text=True, timeout=120)


def test_verify_and_export_then_detect_tampering(tmp_path: Path) -> None:
    assert run(tmp_path, "demo").returncode == 0
    for name in ("a", "b"):
        created = run(tmp_path, "keys", "create", "--practice", "demo", "--name", name, "--quiet")
        assert created.returncode == 0
    ok = run(tmp_path, "audit", "verify", "--practice", "demo")
    assert ok.returncode == 0 and "intact:" in ok.stdout
    out = tmp_path / "trail.jsonl"
    exported = run(tmp_path, "audit", "export", "--practice", "demo", "--output", str(out))
    assert exported.returncode == 0
    entries = [json.loads(line) for line in out.read_text().splitlines()]
    # The demo's setup (locations, providers, services, hours) is audited too, then the two keys.
    assert [e["action"] for e in entries][-2:] == ["key.create", "key.create"]
    assert "provider.create" in [e["action"] for e in entries]
    assert all("fd_sk_" not in json.dumps(e) for e in entries), "secrets never reach the audit trail"
    with sqlite3.connect(tmp_path / "frontdesk.db") as db:
        db.execute("DELETE FROM audit_events WHERE seq = 1")
    broken = run(tmp_path, "audit", "verify", "--practice", "demo")
    assert broken.returncode == 1 and "BROKEN at entry" in broken.stderr
