"""Serving while the rest loads: the gate `frontdesk stdio` puts in front of its server.

`frontdesk stdio` answers the handshake from the bare server (`server.new_server()`, the SDK alone) and
loads the services, the database and the tools only then. `StartupGate` is the server middleware that
makes that invisible to a client:

- `initialize`, `server/discover` (2026-07-28's handshake) and `ping` are answered at once: the SDK
  answers them from the bare server, exactly as it would from the loaded one;
- every other request waits until loading is over, then runs through `middleware` (the tool guard)
  as it would on a server built in one go, so `tools/list` and `tools/call` always see every tool;
  if loading failed, it is answered with the error instead;
- notifications are never held.

The first message tells the loader to begin (`began`): once `initialize` has been answered, or at
once if it is anything else (a 2026-07-28 client has no handshake). The caller (cli/stdio.py) also
begins it when the input ends, or stays quiet, before any message."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial
from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR

# Answered by the SDK from the bare server; the answers do not depend on anything loaded later.
UNGATED = frozenset({"initialize", "server/discover", "ping"})


class StartupGate:
    """Server middleware: holds requests until `open()` (or `fail()`); see the module docstring.
    Create it inside the event loop that serves."""

    def __init__(self) -> None:
        # Runs inside the gate once it is open, outermost first (the loader puts the tool guard here).
        self.middleware: list[ServerMiddleware[Any]] = []
        self._begin = anyio.Event()
        self._settled = anyio.Event()
        self._error: str | None = None

    # The loader's side.

    def begin(self) -> None:
        self._begin.set()

    async def began(self) -> None:
        await self._begin.wait()

    def open(self) -> None:
        self._settled.set()

    def fail(self, message: str) -> None:
        """Loading failed: held and later requests are answered with `message`."""
        self._error = message
        self._settled.set()

    @property
    def is_open(self) -> bool:
        return self._settled.is_set() and self._error is None

    # The server's side.

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if self.is_open:
            return await self._inner(ctx, call_next)
        if ctx.method == "initialize":
            try:
                return await call_next(ctx)
            finally:
                # The answer goes out as this returns; the loader keeps the event loop free meanwhile.
                self.begin()
        self.begin()  # anything else: no handshake is coming first
        if ctx.request_id is None or ctx.method in UNGATED:
            return await call_next(ctx)
        await self._settled.wait()
        if self._error is not None:
            raise MCPError(code=INTERNAL_ERROR, message=self._error)
        return await self._inner(ctx, call_next)

    async def _inner(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        for middleware in reversed(self.middleware):
            call_next = partial(_call, middleware, call_next)
        return await call_next(ctx)


def _call(
    middleware: ServerMiddleware[Any], call_next: CallNext, ctx: ServerRequestContext[Any, Any]
) -> Awaitable[HandlerResult]:
    return middleware(ctx, call_next)
