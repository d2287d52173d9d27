"""The server middleware that observes requests: a request id for every MCP request's logs, and for
each tool call a span, a duration measurement and (at INFO) a log line.

What is recorded about a call is its tool, practice id, outcome and duration, never its arguments or
its result. The outcome is `ok`, the error code of a business error (`not_found`, `conflict`,
`invalid`, `forbidden`, ...: the `code` of the result's `structuredContent.error`, or the
`code` beside the ChatGPT-app shape's `error`), `incident` for an unexpected exception (answered
`internal` with an incident id; the SDK's own "Error executing tool ..." counts too), `tool_error`
for the SDK's own refusals (an unknown tool) and `protocol_error` for a JSON-RPC error. A tool name
the server does not have is recorded as `unknown`, so a client cannot put words of its own into the
metrics.

The span and the measurement exist only when telemetry is on (`frontdesk.telemetry.enabled()` when
the server is built); otherwise a call costs its request id (a context variable) and a log-level
check."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent
from opentelemetry import metrics, trace
from opentelemetry.trace import Span, StatusCode

from frontdesk import __version__, telemetry
from frontdesk.domain.errors import FrontdeskError
from frontdesk.logs import new_request_id, request_id
from frontdesk.mcp.principal import from_request
from frontdesk.services.context import Principal

log = logging.getLogger(__name__)

DURATION = "frontdesk.tool.duration"
# Tool calls take milliseconds to a few seconds; the SDK's default buckets (0 to 10000) assume ms.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Outcomes that are the server's failure rather than the caller's: the span's status is ERROR.
FAILURES = frozenset({"incident", "protocol_error", "unavailable"})

_CODE = re.compile(r"[a-z][a-z_]{0,39}")
_TEXT_CODE = re.compile(r"Error \(([a-z][a-z_]{0,39})\):")
_UNEXPECTED = "Error executing tool "  # the SDK's whole answer to an exception it did not expect


def outcome(result: object) -> str:
    """`ok` or what went wrong, from a tools/call result (the wire dict, or the model)."""
    text: object
    if isinstance(result, CallToolResult):
        is_error, structured = result.is_error, result.structured_content
        first = result.content[0] if result.content else None
        text = first.text if isinstance(first, TextContent) else ""
    elif isinstance(result, dict):
        is_error, structured = result.get("isError") is True, result.get("structuredContent")
        content = result.get("content")
        first = content[0] if isinstance(content, list) and content else None
        text = first.get("text") if isinstance(first, dict) else ""
    else:
        return "ok"
    if not is_error:
        return "ok"
    error = structured.get("error") if isinstance(structured, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if code is None and isinstance(structured, dict):  # the ChatGPT-app shape: {success, error, code}
        code = structured.get("code")
    if code == "internal":  # an unexpected exception, answered with its incident id
        return "incident"
    if isinstance(code, str) and _CODE.fullmatch(code):
        return code
    text = text if isinstance(text, str) else ""
    found = _TEXT_CODE.match(text)
    if found:
        return found.group(1)
    return "incident" if text.startswith(_UNEXPECTED) else "tool_error"


def _request_id(request: Any) -> str:
    """The HTTP request's id (frontdesk.http.request_id put it there), else a fresh one."""
    state = getattr(request, "state", None)
    rid = getattr(state, "request_id", None)
    return rid if isinstance(rid, str) else new_request_id()


class ToolCalls:
    """Server middleware; see the module docstring. Put it outside the tool guard, so that what it
    measures is the whole call."""

    def __init__(self, server: MCPServer[Any], default: Principal | None) -> None:
        self.server = server
        self.default = default
        self._tools: frozenset[str] = frozenset()
        self.tracer: trace.Tracer | None = None
        self.duration: metrics.Histogram | None = None
        if telemetry.enabled():
            self.tracer = trace.get_tracer("frontdesk", __version__)
            self.duration = metrics.get_meter("frontdesk", __version__).create_histogram(
                DURATION,
                unit="s",
                description="Duration of MCP tool calls, by tool and outcome.",
                explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
            )

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        rid = _request_id(ctx.request)
        token = request_id.set(rid)
        try:
            if ctx.method == "tools/call" and (self.tracer is not None or log.isEnabledFor(logging.INFO)):
                return await self._observed(ctx, call_next, rid)
            return await call_next(ctx)
        finally:
            request_id.reset(token)

    async def _observed(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext, rid: str
    ) -> HandlerResult:
        tool = await self._tool_name((ctx.params or {}).get("name"))
        practice = self._practice(ctx.request)
        attributes: dict[str, str | int] = {"frontdesk.tool": tool, "frontdesk.request_id": rid}
        if practice is not None:
            attributes["frontdesk.practice_id"] = practice
        span_cm: AbstractContextManager[Span | None] = (
            nullcontext()
            if self.tracer is None
            else self.tracer.start_as_current_span(
                f"frontdesk.tool {tool}",
                attributes=attributes,
                record_exception=False,  # an exception's message may carry the call's data
                set_status_on_exception=False,
            )
        )
        result_outcome = "incident"
        start = time.perf_counter()
        with span_cm as span:
            try:
                result = await call_next(ctx)
                result_outcome = outcome(result)
                return result
            except MCPError:
                result_outcome = "protocol_error"
                raise
            except BaseException as exc:
                result_outcome = "cancelled" if isinstance(exc, asyncio.CancelledError) else "incident"
                raise
            finally:
                elapsed = time.perf_counter() - start
                self._record(span, tool, practice, result_outcome, elapsed)

    def _record(
        self, span: Span | None, tool: str, practice: int | None, result: str, elapsed: float
    ) -> None:
        if span is not None:
            span.set_attribute("frontdesk.outcome", result)
            if result in FAILURES:
                span.set_attribute("error.type", result)
                span.set_status(StatusCode.ERROR)
        if self.duration is not None:
            self.duration.record(elapsed, {"tool": tool, "outcome": result})
        log.info(
            "tool call %s: %s in %.1f ms",
            tool,
            result,
            elapsed * 1000,
            extra={
                "tool": tool,
                "practice_id": practice,
                "outcome": result,
                "duration_ms": round(elapsed * 1000, 3),
            },
        )

    async def _tool_name(self, name: object) -> str:
        if not isinstance(name, str):
            return "unknown"
        if name not in self._tools:  # new tools since the last look, or not a tool at all
            self._tools = frozenset(t.name for t in await self.server.list_tools())
        return name if name in self._tools else "unknown"

    def _practice(self, request: Any) -> int | None:
        try:
            return from_request(request, self.default).practice_id
        except FrontdeskError:
            return None
