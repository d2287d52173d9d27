"""Servers under test as subprocesses: `frontdesk serve` (1 or more workers) and the echo baseline.

Each starts on a free loopback port, is waited for on /health, and is stopped at the end whatever
happens: SIGTERM to the process it started, then SIGKILL to it and to any worker it left behind
(found by pid before stopping, never by name).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx2
import psutil
from common import BenchDB

HERE = Path(__file__).resolve().parent
STARTUP_SECONDS = 90


def frontdesk_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "frontdesk"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "frontdesk.cli.main"]


# Load generators need more than the production rate limits (120 calls a minute per practice, 60 per IP
# without a token): lifted, not removed, so the limiter's own cost stays in every figure.
BENCH_ENV = {
    "FRONTDESK_ALLOW_STATIC_KEYS": "1",  # practice keys as bearer tokens over HTTP (development setting)
    "FRONTDESK_RATE_LIMIT_PRACTICE": "1000000/minute",
    "FRONTDESK_RATE_LIMIT_IP": "1000000/minute",
}


def server_env(db: BenchDB | None) -> dict[str, str]:
    """The environment for a frontdesk subprocess on `db`, with BENCH_ENV."""
    env = {k: v for k, v in os.environ.items() if k not in ("FRONTDESK_DATABASE_URL", "FRONTDESK_DATA_DIR")}
    env.update(BENCH_ENV)
    if db is not None:
        env.update(db.env)
    return env


def create_key(db: BenchDB, practice: str = "bench") -> str:
    out = subprocess.run(
        [*frontdesk_cmd(), "keys", "create", "--practice", practice, "--name", "bench", "--quiet"],
        env=server_env(db),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    url: str  # .../mcp
    port: int
    proc: subprocess.Popen[bytes]
    label: str

    @property
    def pid(self) -> int:
        return self.proc.pid

    def processes(self) -> list[psutil.Process]:
        """The server process and its children (uvicorn workers, multiprocessing helpers)."""
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def workers(self) -> list[psutil.Process]:
        """The processes that answer requests: the children with --workers N > 1, else the process itself."""
        procs = self.processes()
        kids = [p for p in procs[1:] if _is_python(p)]
        return kids or procs[:1]

    def rss_bytes(self) -> int:
        return sum(_rss(p) for p in self.workers())


def _is_python(p: psutil.Process) -> bool:
    try:
        return "python" in p.name() or "frontdesk" in " ".join(p.cmdline()[:2])
    except psutil.Error:
        return False


def _rss(p: psutil.Process) -> int:
    try:
        return int(p.memory_info().rss)
    except psutil.Error:
        return 0


@contextmanager
def _spawn(cmd: list[str], env: dict[str, str], port: int, label: str) -> Iterator[Running]:
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        running = Running(f"http://127.0.0.1:{port}/mcp", port, proc, label)
        try:
            _wait_healthy(proc, port, errors)
            if "--workers" in cmd:
                _wait_workers(running, int(cmd[cmd.index("--workers") + 1]))
            yield running
        finally:
            stop(running)


def stop(running: Running) -> None:
    """SIGTERM the process started here; SIGKILL it and its (previously listed) children if need be."""
    kids = running.processes()[1:]
    proc = running.proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
    for k in kids:
        try:
            if k.is_running() and k.status() != psutil.STATUS_ZOMBIE:
                k.kill()
        except psutil.Error:
            pass


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, errors: IO[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx2.Client(trust_env=False, timeout=2) as hc:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                errors.seek(0)
                raise RuntimeError(f"server exited with {proc.returncode}:\n{errors.read()[-2000:]}")
            try:
                if hc.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer /health within {STARTUP_SECONDS} s")


def _wait_workers(running: Running, n: int) -> None:
    """uvicorn's workers answer /health one by one; wait until all n are up (bounded)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and len(running.workers()) < n:
        time.sleep(0.2)
    time.sleep(2.0)  # every worker has run its lifespan (engine, gc.freeze) before the load starts


@contextmanager
def frontdesk(db: BenchDB, *, workers: int = 1) -> Iterator[Running]:
    """`frontdesk serve` on a free loopback port with `workers` uvicorn workers."""
    port = free_port()
    cmd = [*frontdesk_cmd(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with _spawn(
        cmd, server_env(db), port, f"frontdesk serve ({workers} worker{'s' if workers > 1 else ''})"
    ) as r:
        yield r


@contextmanager
def echo(replay: str | Path | None = None) -> Iterator[Running]:
    """bench/echo_server.py: the bare mcp SDK server with one echo tool (and, given a folder of
    recorded answers, a replay_NAME tool for each)."""
    port = free_port()
    cmd = [sys.executable, str(HERE / "echo_server.py"), "--host", "127.0.0.1", "--port", str(port)]
    if replay is not None:
        cmd += ["--replay", str(replay)]
    with _spawn(cmd, server_env(None), port, "echo (bare mcp SDK)") as r:
        yield r
