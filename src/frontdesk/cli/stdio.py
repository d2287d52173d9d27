"""`frontdesk stdio --practice SLUG`: one practice over stdio, answering the handshake before the rest
has loaded (a client such as Claude Desktop waits for that answer, and gives up after a while).

What happens when:

1. Only the SDK and the bare server (`frontdesk.mcp.server.new_server`) are imported, and the server
   starts reading stdin at once, with `StartupGate` (`frontdesk.mcp.startup`) in its chain.
2. `initialize` (or `server/discover`, or `ping`) is answered from the bare server; its capabilities
   are those of the loaded server (tests/e2e/test_stdio_startup.py compares them).
3. Once `initialize` has been answered, or at once when the first message is anything else or the
   input ends first (or after half a second without any message), the rest loads: SQLAlchemy, the
   services and the tools are imported in a worker thread (so the event loop keeps writing answers
   meanwhile), the database is opened, the practice looked up, the tools registered (in the worker
   thread too) and the gate opened. Requests that arrived in the meantime were held by the gate and
   run now.
4. The server serves until stdin closes. (As always with the SDK, closing stdin ends the connection:
   a request still held or running then is answered "Connection closed".)

When loading fails (an unknown practice, an unreachable database), the message goes to stderr as
`error: ...` and the process exits 2 (1, with the traceback, for an unexpected failure), as before;
stdout carries only protocol messages: the handshake answer if one was asked for, and the error as the
answer to every request held or sent since. If the client still holds stdin open after a short grace
the process ends without waiting for it: the SDK reads stdin in a worker thread that cannot be
interrupted, so a normal exit would wait for the client's next line."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from functools import partial
from typing import TYPE_CHECKING

import anyio
import anyio.abc

from frontdesk import telemetry
from frontdesk.domain.errors import FrontdeskError
from frontdesk.mcp.server import SURFACES, FrontdeskServer, new_server
from frontdesk.mcp.startup import StartupGate

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

logger = logging.getLogger(__name__)

# What the loader calls on the event loop, imported first in a worker thread (SQLAlchemy comes with
# them); `install` imports the tools itself, also in a worker thread.
DEFERRED_MODULES = ("frontdesk.composition", "frontdesk.services.context")
# With no message at all for this long (someone at a terminal?), loading begins anyway.
QUIET_START = 0.5
# After a failed start, how long held answers get to reach the client before the process ends.
FAILURE_GRACE = 0.25


def _import_deferred() -> None:
    for name in DEFERRED_MODULES:
        importlib.import_module(name)
    telemetry.setup()  # before the database and the tools: they are instrumented only if it is on


class _Startup:
    def __init__(self, args: argparse.Namespace, server: FrontdeskServer, gate: StartupGate) -> None:
        self.args = args
        self.server = server
        self.gate = gate
        self.app: Frontdesk | None = None
        self.exit_code = 0
        self.input_closed = anyio.Event()
        self.settled = anyio.Event()

    async def load(self, tg: anyio.abc.TaskGroup) -> None:
        with anyio.move_on_after(QUIET_START):
            await self.gate.began()
        try:
            await anyio.to_thread.run_sync(_import_deferred)
            from frontdesk.composition import Frontdesk
            from frontdesk.mcp.server import install
            from frontdesk.services.context import Principal

            self.app = await Frontdesk.open(self.args.database_url)
            practice = await self.app.practices.get(self.args.practice)
            principal = Principal(practice.id, f"stdio:{practice.slug}")
            register = partial(install, default_principal=principal, middleware=self.gate.middleware)
            await anyio.to_thread.run_sync(register, self.server, self.app)
            tg.start_soon(self.app.audit.sealer)
            self.gate.open()
        except FrontdeskError as exc:
            print(f"error: {exc.message}", file=sys.stderr, flush=True)
            await self._failed(exc.message, 2)
        except Exception:
            logger.exception("frontdesk stdio could not start")
            await self._failed("frontdesk could not start; its log says why", 1)
        finally:
            self.settled.set()

    async def _failed(self, message: str, code: int) -> None:
        self.exit_code = code
        self.gate.fail(message)
        await self.close()
        with anyio.move_on_after(FAILURE_GRACE):
            await self.input_closed.wait()
        if not self.input_closed.is_set():
            # Still connected: the SDK's stdin reader (a worker thread blocked in read()) would hold a
            # normal exit until the client writes or closes stdin. The answers are written by now.
            sys.stderr.flush()
            os._exit(code)

    async def close(self) -> None:
        app, self.app = self.app, None
        if app is not None:
            await app.close()
        telemetry.shutdown()  # what is still buffered goes out before the process ends


async def run(args: argparse.Namespace) -> int:
    surface = getattr(args, "surface", "frontdesk")
    if surface not in SURFACES or SURFACES[surface].anonymous:
        names = ", ".join(n for n, s in SURFACES.items() if not s.anonymous)
        print(f"error: no surface {surface!r} over stdio; choose one of {names}", file=sys.stderr)
        return 2
    server = new_server(surface)
    gate = StartupGate()
    server.middleware.append(gate)
    startup = _Startup(args, server, gate)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(startup.load, tg)
            await server.run_stdio_async()
            startup.input_closed.set()
            gate.begin()  # the input ended before anything began it: the practice is checked even so
            await startup.settled.wait()
            tg.cancel_scope.cancel()  # the audit sealer
    finally:
        await startup.close()
    return startup.exit_code
