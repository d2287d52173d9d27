"""Shape a service call into a tool result: structuredContent for the model, text, optional widget _meta."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from frontdesk.domain.errors import FrontdeskError
from frontdesk.mcp.errors import Style, tool_error
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.services.context import Principal


@dataclass
class Reply:
    data: BaseModel | dict[str, Any]  # a dict is the model's JSON form already (see shapes.py)
    text: str
    meta: dict[str, Any] | None = field(default=None)


async def run(
    ctx: Context[Any],
    resolve: PrincipalResolver,
    action: Callable[[Principal], Awaitable[Reply]],
    *,
    style: Style = "frontdesk",
) -> CallToolResult:
    try:
        reply = await action(resolve(ctx))
    except FrontdeskError as exc:
        return tool_error(exc, style=style)
    data = reply.data
    return CallToolResult(
        content=[TextContent(type="text", text=reply.text)],
        structured_content=data if isinstance(data, dict) else data.model_dump(mode="json", by_alias=True),
        _meta=reply.meta,
    )
