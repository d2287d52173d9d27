"""The middleware that applies each tool's scopes (declared by its operation) to tools/list, and names
the tool being called for the audit trail.

Services check scopes themselves (that is the rule); here tools a credential can never use are hidden
from tools/list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp_types import ListToolsResult

from frontdesk.domain.errors import FrontdeskError
from frontdesk.mcp.principal import from_request
from frontdesk.services.audit import current_tool
from frontdesk.services.context import Principal


def allowed(needed: tuple[str, ...] | None, principal: Principal) -> bool:
    """A tool is listed to a credential holding any of the scopes its operation declares."""
    return needed is None or any(s in principal.scopes for s in needed)


class ToolGuard:
    """Server middleware: filters tools/list by scope and names the tool being called."""

    def __init__(self, default: Principal | None, scopes: Mapping[str, tuple[str, ...]]) -> None:
        self.default = default
        self.scopes = dict(scopes)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call":
            name = (ctx.params or {}).get("name")
            token = current_tool.set(name if isinstance(name, str) else None)
            try:
                return await call_next(ctx)
            finally:
                current_tool.reset(token)
        result = await call_next(ctx)
        if ctx.method != "tools/list":
            return result
        try:
            principal = from_request(ctx.request, self.default)
        except FrontdeskError:
            return result
        # The chain hands back the wire form (a dict); a model is accepted too.
        if isinstance(result, ListToolsResult):
            result.tools = [t for t in result.tools if allowed(self.scopes.get(t.name), principal)]
        elif isinstance(result, dict) and isinstance(result.get("tools"), list):
            tools = result["tools"]
            result["tools"] = [t for t in tools if allowed(self.scopes.get(str(t.get("name"))), principal)]
        return result
