"""MCP logging: `logging/setLevel`, and Frontdesk's own log lines sent to the client as
`notifications/message`.

What a client receives: the records of the `frontdesk` logger tree emitted while one of *its own*
requests runs, at or above the level it asked for, as the record's formatted message only (never
arguments' repr, exception text or tracebacks; our log lines name methods, tools and counts, never a
patient). Lines of other sessions and of background chores (audit sealing, OAuth purges) stay in the
server's log: they may concern another practice. The operator's logging configuration still decides
which records exist at all (the CLI logs WARNING and above), so a client asking for `debug` gets
what the server logs, not more.

Levels, per session: handshake-era sessions (up to 2025-11-25) get nothing until they send
`logging/setLevel` (the spec leaves the default to the server; silence is what a client that never
asked expects). 2026-07-28 requests opt in one by one with the `io.modelcontextprotocol/logLevel`
`_meta` key, which the SDK enforces too."""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import (
    LOG_LEVEL_META_KEY,
    EmptyResult,
    LoggingLevel,
    LoggingMessageNotification,
    LoggingMessageNotificationParams,
    SetLevelRequestParams,
)
from mcp_types.methods import SPEC_CLIENT_METHODS
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

logger = logging.getLogger(__name__)

ROOT = "frontdesk"  # the logger tree whose records may be sent
# MCP levels (RFC 5424) on Python's scale; those Python lacks fall between its own.
LEVELS: Final[dict[LoggingLevel, int]] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "notice": 25,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "alert": 60,
    "emergency": 70,
}
_BY_NAME: Final[dict[str, int]] = {name: level for name, level in LEVELS.items()}
MAX_SESSIONS = 10_000  # session levels remembered (oldest forgotten first; a session id is never reused)
MAX_LINES = 50  # lines sent per request at most
MAX_CHARS = 1_000  # characters per line at most
LOCAL = "local"  # stdio and in-process: the one connection has no transport session id
_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")


def mcp_level(levelno: int) -> LoggingLevel:
    if levelno >= logging.CRITICAL:
        return "critical"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warning"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


@dataclass(slots=True)
class _Sink:
    """The lines one request collects, sent before its answer."""

    threshold: int
    lines: list[tuple[LoggingLevel, str, str]] = field(default_factory=list)


# The running request's sink (tasks it starts inherit it; other requests and chores have none).
_sink: ContextVar[_Sink | None] = ContextVar("frontdesk_mcp_log_sink", default=None)


class _Collect(logging.Handler):
    """On the `frontdesk` logger: hands each record to the running request's sink, if it wants it."""

    def emit(self, record: logging.LogRecord) -> None:
        if logging.lastResort is not None and _only_handler(self, record):
            # Being a handler hides Python's last resort (stderr) when logging is not configured.
            if record.levelno >= logging.lastResort.level:
                logging.lastResort.handle(record)
        sink = _sink.get()
        if sink is None or record.levelno < sink.threshold or len(sink.lines) >= MAX_LINES:
            return
        try:
            text = record.getMessage()[:MAX_CHARS]
        except Exception:  # a malformed record must not fail the request that logged it
            return
        sink.lines.append((mcp_level(record.levelno), record.name, text))


def _only_handler(mine: logging.Handler, record: logging.LogRecord) -> bool:
    """Whether no handler but `mine` sees `record` on its way up (as Logger.callHandlers walks)."""
    current: logging.Logger | None = logging.getLogger(record.name)
    while current is not None:
        if any(h is not mine for h in current.handlers):
            return False
        if not current.propagate:
            break
        current = current.parent
    return True


_collector = _Collect()


def _attach() -> None:
    root = logging.getLogger(ROOT)
    if _collector not in root.handlers:
        root.addHandler(_collector)


def session_key(ctx: ServerRequestContext[Any, Any]) -> str:
    """The transport session a request belongs to: its Mcp-Session-Id over Streamable HTTP (the SDK
    has checked it belongs to the caller), else the process's one stdio or in-process connection."""
    request = ctx.request
    headers = getattr(request, "headers", None)
    if headers is not None:
        sid = headers.get("mcp-session-id")
        if isinstance(sid, str) and sid:
            return sid
    return LOCAL


class SessionLevels:
    """The level each handshake-era session asked for with `logging/setLevel`."""

    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self._levels: OrderedDict[str, int] = OrderedDict()
        self._max = max_sessions

    def set(self, key: str, level: LoggingLevel) -> None:
        self._levels[key] = LEVELS[level]
        self._levels.move_to_end(key)
        while len(self._levels) > self._max:
            self._levels.popitem(last=False)

    def get(self, key: str) -> int | None:
        return self._levels.get(key)


class LogForwarder:
    """Server middleware: collects the request's log lines and sends them before its answer; also
    logs each request's outcome (method, tool name, error code, duration: no arguments, no text)."""

    def __init__(self, levels: SessionLevels, known: Known) -> None:
        self.levels = levels
        self.known = known

    def threshold(self, ctx: ServerRequestContext[Any, Any]) -> int | None:
        if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
            wanted = (ctx.meta or {}).get(LOG_LEVEL_META_KEY)
            return _BY_NAME.get(wanted) if isinstance(wanted, str) else None
        return self.levels.get(session_key(ctx))

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.request_id is None or ctx.method == "initialize":
            return await call_next(ctx)  # notifications have no stream to carry lines; nor has the handshake
        threshold = self.threshold(ctx)
        sink = None if threshold is None else _Sink(threshold)
        token = _sink.set(sink)
        try:
            result = await self._observe(ctx, call_next)
        except Exception:
            _sink.reset(token)
            await self._flush(ctx, sink)
            raise
        _sink.reset(token)
        await self._flush(ctx, sink)
        return result

    async def _observe(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        what = _what(ctx, self.known)
        started = time.perf_counter()
        try:
            result = await call_next(ctx)
        except MCPError as exc:
            logger.info("%s answered error %d", what, exc.code)
            raise
        except ValidationError:
            logger.info("%s refused: malformed params", what)
            raise
        except Exception as exc:
            logger.error("%s failed unexpectedly (%s)", what, type(exc).__name__)
            raise
        if isinstance(result, dict) and result.get("isError") is True:
            logger.info("%s answered a tool error", what)
        logger.debug("%s answered in %.1f ms", what, (time.perf_counter() - started) * 1000)
        return result

    async def _flush(self, ctx: ServerRequestContext[Any, Any], sink: _Sink | None) -> None:
        if not sink or not sink.lines:
            return
        try:
            for level, name, text in sink.lines:
                note = LoggingMessageNotification(
                    params=LoggingMessageNotificationParams(level=level, logger=name, data=text)
                )
                await ctx.session.send_notification(note, related_request_id=ctx.request_id)
        except Exception:  # the client went away: its answer is lost too, nothing else to do
            logger.debug("log lines for %s not delivered", ctx.method, exc_info=True)


Known = Callable[[str, str], bool]  # (method, name): is it a tool or prompt this server has?


def _what(ctx: ServerRequestContext[Any, Any], known: Known) -> str:
    """`tools/call list_doctors`: the method (when it is one of the protocol's), and the tool or
    prompt it names when this server has one of that name (a client's own text is never logged)."""
    method = ctx.method if ctx.method in SPEC_CLIENT_METHODS else "request"
    name = (ctx.params or {}).get("name") if ctx.method in ("tools/call", "prompts/get") else None
    if isinstance(name, str) and _NAME.fullmatch(name) and known(ctx.method, name):
        return f"{method} {name}"
    return method


def declare(server: MCPServer[Any], prompt_names: Iterable[str]) -> SessionLevels:
    """Registers `logging/setLevel` (so `initialize` advertises `logging`) and the forwarder."""
    _attach()
    levels = SessionLevels()

    async def set_level(ctx: ServerRequestContext[Any, Any], params: SetLevelRequestParams) -> EmptyResult:
        levels.set(session_key(ctx), params.level)
        return EmptyResult()

    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    prompts = frozenset(prompt_names)
    lowlevel = server._lowlevel_server

    def known(method: str, name: str) -> bool:
        if method == "prompts/get":
            return name in prompts
        schema = lowlevel.get_tool_input_schema  # the SDK's by-name tool lookup (not caller-scoped)
        return schema is not None and schema(name) is not None

    server.middleware.append(LogForwarder(levels, known))
    return levels
