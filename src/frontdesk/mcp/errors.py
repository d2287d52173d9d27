"""The one place domain errors become MCP tool results (isError: true), and the shape those results
take in every tool's output schema."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from frontdesk.domain.errors import FrontdeskError, Invalid

Style = Literal["frontdesk", "medapp"]

# Frontdesk's error object: `structuredContent: {"error": ERROR}`.
ERROR: dict[str, Any] = {
    "type": "object",
    "description": "Set when the call failed (isError: true); nothing else is then",
    "properties": {
        "code": {
            "type": "string",
            "description": "invalid, not_found, conflict, ambiguous, forbidden, declined, unavailable or "
            "internal",
        },
        "message": {"type": "string", "description": "What went wrong and what to do, for the person"},
        "field": {"type": "string", "description": "The argument at fault, when there is one"},
        "details": {"type": "object"},
    },
    "required": ["code", "message"],
}


def error_schema(style: Style) -> tuple[dict[str, Any], list[str]]:
    """The properties an error result adds to a tool's output schema, and what it requires."""
    if style == "medapp":  # the Medical Appointment seed's {success: false, error}
        props = {
            "error": {"type": "string", "description": "Set when the call failed"},
            "field": {"type": "string", "description": "The argument at fault, when there is one"},
            "code": {"type": "string"},
        }
        return props, ["success", "error"]
    return {"error": ERROR}, ["error"]


def reword(text: str, words: Mapping[str, str]) -> str:
    """`text` with the tools it names (Frontdesk's names) called as a surface calls them."""
    if not words:
        return text
    pattern = r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)"
    return re.sub(pattern, lambda m: words[m.group(1)], text)


def tool_error(
    exc: FrontdeskError,
    *,
    style: Style = "frontdesk",
    words: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
) -> CallToolResult:
    """A business failure as a tool result the model can read and act on. `words` renames the tools
    a message points to ("call find_patients") into the surface's own, `fields` the operation field
    at fault into the surface's argument (provider_id -> doctor_id)."""
    message = reword(exc.message, words or {})
    field = (fields or {}).get(exc.field, exc.field) if exc.field else exc.field
    structured: dict[str, Any]
    if style == "medapp":
        structured = {"success": False, "error": message, "code": exc.code}
        if field:
            structured["field"] = field
    else:
        structured = {"error": exc.to_dict() | {"message": message} | ({"field": field} if field else {})}
    prefix = f"{field}: " if field and not message.startswith(field) else ""
    return CallToolResult(
        content=[TextContent(type="text", text=f"Error ({exc.code}): {prefix}{message}")],
        structured_content=structured,
        is_error=True,
    )


def invalid_arguments(exc: ValidationError, takes: Iterable[str] = ()) -> Invalid:
    """Schema violations as `field: rule` lines, without echoing the rejected values back."""
    problems = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "arguments"
        if err["type"] == "extra_forbidden":
            names = ", ".join(takes) or "no arguments"
            message = f"unknown argument (this tool takes: {names})"
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
        problems.append((field, message))
    message = "; ".join(f"{field}: {msg}" for field, msg in problems)
    return Invalid(message, field=problems[0][0] if problems else None)
