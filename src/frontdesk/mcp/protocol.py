"""The protocol's utilities beside the tools: logging (mcp/logs.py), prompts (mcp/prompts.py) and
completions (mcp/completions.py).

In two steps like the server itself: `declare()` registers every handler from `new_server()`, so
`initialize` already advertises `logging`, `prompts` and `completions` (the SDK derives capabilities
from the handlers present) while importing only the SDK; `install()` swaps in the implementations
that need the services and the caller's credential."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_REQUEST

from frontdesk.mcp import completions, logs, prompts

if TYPE_CHECKING:
    from frontdesk.services.app import Frontdesk
    from frontdesk.services.context import Principal


def declare(server: MCPServer[Any]) -> None:
    logs.declare(server, prompts.PROMPTS)
    prompts.declare(server)
    completions.declare(server)


def install(server: MCPServer[Any], app: Frontdesk, default_principal: Principal | None) -> None:
    from frontdesk.domain.errors import Unauthenticated
    from frontdesk.mcp.principal import from_request

    def caller(ctx: ServerRequestContext[Any, Any]) -> Principal:
        try:
            return from_request(ctx.request, default_principal)
        except Unauthenticated as exc:
            raise MCPError(code=INVALID_REQUEST, message=exc.message) from None

    prompts.install(server, caller)
    completions.install(server, app, caller)
