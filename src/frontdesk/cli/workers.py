"""`frontdesk serve --workers N`: N processes, each with its own listening socket on the same port.

SO_REUSEPORT lets the kernel spread new connections across the processes. uvicorn's own workers
share one socket instead, and one event-loop wakeup can accept a whole burst, so a single worker
ended up serving every keep-alive connection (bench/results: 2 workers gave 0.9-1.1x of one)."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from types import FrameType

APP = "frontdesk.http.factory:create"


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(host: str, port: int) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    # Forwarding headers are read by the app, from FRONTDESK_TRUSTED_PROXIES only (http/proxies.py).
    config = uvicorn.Config(
        APP, factory=True, log_level="warning", log_config=None, access_log=False, proxy_headers=False
    )
    uvicorn.Server(config).run(sockets=[sock])


def run(host: str, port: int, workers: int) -> None:
    """Start the workers and wait; SIGTERM or SIGINT stops them all. A worker that dies stops the rest,
    so a process manager sees the failure instead of a half-capacity server."""
    ctx = multiprocessing.get_context("spawn")  # each worker builds its own engine and event loop
    procs = [ctx.Process(target=_worker, args=(host, port), daemon=False) for _ in range(workers)]
    everyone = list(procs)
    for p in procs:
        p.start()

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for p in everyone:
            if p.is_alive():
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        while procs:
            for p in list(procs):
                p.join(timeout=0.5)
                if p.exitcode is not None:
                    procs.remove(p)
                    if p.exitcode != 0 and not stopping:
                        code = 1
                        stop(signal.SIGTERM, None)
    finally:
        stop(signal.SIGTERM, None)
    sys.exit(code)
