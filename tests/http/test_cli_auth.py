"""`frontdesk users|keys|clients` as an administrator runs them, on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FRONTDESK = [sys.executable, "-m", "frontdesk.cli.main"]
PASSWORD = "a long enough password"


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["FRONTDESK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*FRONTDESK, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def ok(data_dir: Path, *args: str, stdin: str = "") -> str:
    done = run(data_dir, *args, stdin=stdin)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_users_keys_and_clients_commands(tmp_path: Path) -> None:
    ok(tmp_path, "demo")
    created = ok(
        tmp_path,
        "users", "create", "--practice", "demo", "--email", "Ana@Clinic.example", "--name", "Ana Garcia",
        "--role", "front_desk", "--password-stdin", "--totp",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert "created in demo" in created and "otpauth://totp/" in created
    listed = ok(tmp_path, "users", "list", "--practice", "demo")
    assert "ana@clinic.example\tAna Garcia\tfront_desk\ttotp\tactive" in listed
    short = run(
        tmp_path, "users", "create", "--practice", "demo", "--email", "b@clinic.example", "--name", "B",
        "--role", "billing", "--password-stdin", stdin="short\n",
    )  # fmt: skip
    assert short.returncode == 2 and "password must be at least" in short.stderr
    twice = run(
        tmp_path, "users", "create", "--practice", "demo", "--email", "ana@clinic.example", "--name", "A",
        "--role", "owner", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert twice.returncode == 2 and "already has an account" in twice.stderr
    assert "disabled" in ok(tmp_path, "users", "disable", "--practice", "demo", "ana@clinic.example")
    assert "\tdisabled " in ok(tmp_path, "users", "list", "--practice", "demo")

    key = json.loads(ok(tmp_path, "keys", "create", "--practice", "demo", "--name", "script", "--json"))
    assert set(key) == {"client_id", "client_secret"} and key["client_secret"].startswith(key["client_id"])
    key_id = next(
        line.split("\t")[0]
        for line in ok(tmp_path, "keys", "list", "--practice", "demo").splitlines()
        if line.endswith("\tactive") and "\tscript\t" in line
    )
    rotated = json.loads(ok(tmp_path, "keys", "rotate", "--practice", "demo", key_id, "--json"))
    assert rotated["client_secret"] != key["client_secret"]
    keys = ok(tmp_path, "keys", "list", "--practice", "demo")
    assert f"{key_id}\t" in keys and "revoked" in keys
    assert key["client_secret"] not in keys and rotated["client_secret"] not in keys
    again = run(tmp_path, "keys", "rotate", "--practice", "demo", key_id)
    assert again.returncode == 2 and "already revoked" in again.stderr

    client = json.loads(
        ok(
            tmp_path,
            "clients",
            "register",
            "--name",
            "Front desk app",
            "--redirect-uri",
            "https://app.example/cb",
        )
    )
    assert client["client_secret"]
    assert f"{client['client_id']}\tFront desk app\tconfidential\tactive" in ok(tmp_path, "clients", "list")
    bad = run(tmp_path, "clients", "register", "--name", "x", "--redirect-uri", "http://app.example/cb")
    assert bad.returncode == 2 and "loopback" in bad.stderr
    assert "revoked" in ok(tmp_path, "clients", "revoke", client["client_id"])
    assert "\trevoked " in ok(tmp_path, "clients", "list")

    trail = ok(tmp_path, "audit", "export", "--practice", "demo")
    actions = [json.loads(line)["action"] for line in trail.splitlines()]
    assert {"user.create", "user.disable", "key.create", "key.rotate"} <= set(actions)
    for secret in (PASSWORD, key["client_secret"], rotated["client_secret"], client["client_secret"]):
        assert secret not in trail
