"""The one place domain errors become MCP tool results (isError: true)."""

from __future__ import annotations

from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from frontdesk.domain.errors import FrontdeskError, Invalid


def tool_error(exc: FrontdeskError, *, style: str = "frontdesk") -> CallToolResult:
    """A business failure as a tool result the model can read and act on.

    `style="medapp"` keeps the Medical Appointment seed's `{success: false, error}` shape."""
    structured: dict[str, Any]
    if style == "medapp":
        structured = {"success": False, "error": exc.message}
        if exc.field:
            structured["field"] = exc.field
    else:
        structured = {"error": exc.to_dict()}
    prefix = f"{exc.field}: " if exc.field and not exc.message.startswith(exc.field) else ""
    return CallToolResult(
        content=[TextContent(type="text", text=f"Error ({exc.code}): {prefix}{exc.message}")],
        structured_content=structured,
        is_error=True,
    )


def invalid_arguments(exc: ValidationError) -> Invalid:
    """Schema violations as `field: rule` lines, without echoing the rejected values back."""
    problems = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "arguments"
        problems.append((field, err["msg"]))
    message = "; ".join(f"{field}: {msg}" for field, msg in problems)
    return Invalid(message, field=problems[0][0] if problems else None)
