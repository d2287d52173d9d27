"""The protocol's utilities beside the tools: logging (mcp/logs.py), prompts (mcp/prompts.py) and
completions (mcp/completions.py).

In two steps like the server itself: `declare()` registers every handler from `new_server()`, so
`initialize` already advertises `logging`, `prompts` and `completions` (the SDK derives capabilities
from the handlers present) while importing only the SDK; `install()` swaps in the implementations
that need the services and the caller's credential."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_REQUEST

from frontdesk.mcp import completions, logs, prompts

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk
    from frontdesk.mcp.server import FrontdeskServer
    from frontdesk.services.context import Principal


def declare(server: FrontdeskServer) -> None:
    own = server.surface.name == "frontdesk"
    logs.declare(server, prompts.PROMPTS if own else ())
    if own:
        prompts.declare(server)
    else:
        # The prompts name Frontdesk's own tools; a seed's surface has the seed's tools and, as its
        # seed, no prompts: it does not advertise the capability at all.
        for method in ("prompts/list", "prompts/get"):
            server._lowlevel_server._request_handlers.pop(method, None)
    completions.declare(server)


def install(server: FrontdeskServer, app: Frontdesk, default_principal: Principal | None) -> None:
    from frontdesk.domain.errors import Unauthenticated
    from frontdesk.mcp.principal import from_request

    def caller(ctx: ServerRequestContext[Any, Any]) -> Principal:
        try:
            return from_request(ctx.request, default_principal)
        except Unauthenticated as exc:
            raise MCPError(code=INVALID_REQUEST, message=exc.message) from None

    if server.surface.name == "frontdesk":
        prompts.install(server, caller)
    if not server.surface.anonymous:  # the public surface completes nothing (no names, no ids)
        completions.install(server, app, caller)
