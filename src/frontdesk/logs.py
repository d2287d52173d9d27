"""Logs for `frontdesk serve` and `frontdesk stdio`: one line per record on stderr, JSON or plain, each
carrying the request id of the HTTP or MCP request it was written in.

No patient data: exception messages are left out (a driver's error can quote a statement's values;
SQLAlchemy's do), only their types and where they were raised are written, and the libraries that log
data below WARNING (SQL values, streamed events: `QUIET`) are held at WARNING whatever the level.

Settings: `FRONTDESK_LOG_FORMAT` (`json`, the default: the lines are for a collector, and a request id
is only useful where it can be searched; or `plain`, for reading at a terminal) and
`FRONTDESK_LOG_LEVEL` (default `WARNING`; `INFO` adds a line per tool call)."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import secrets
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

FORMAT_ENV = "FRONTDESK_LOG_FORMAT"
LEVEL_ENV = "FRONTDESK_LOG_LEVEL"
HEADER = "x-request-id"

# The request being served in this task: set by the HTTP middleware and by the MCP middleware.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("frontdesk_request_id", default=None)

# An incoming X-Request-Id is kept when it is a plain token (a proxy's or a client's id); anything else
# (spaces, quotes, control characters, too long) could forge log lines or fields, so a fresh one is made.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")

# Loggers that write data below WARNING: SQLAlchemy every statement's values at INFO, aiosqlite the
# same at DEBUG, sse_starlette every event it streams (tool results over Streamable HTTP) at DEBUG, the
# SDK's SSE transport (not used here) every message at DEBUG. They stay at WARNING whatever the level.
QUIET = ("sqlalchemy", "aiosqlite", "sse_starlette", "mcp.server.sse")

# LogRecord's own attributes; anything else on a record came from `extra=` and is written as a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def new_request_id() -> str:
    return secrets.token_hex(8)


def sane_request_id(value: str | None) -> str | None:
    return value if value is not None and _SANE.fullmatch(value) else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _exception_summary(exc: BaseException | None) -> list[dict[str, Any]]:
    """Each exception of a chain (outermost first): its type and the frames it went through, no message."""
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(out) < 8:
        seen.add(id(exc))
        kind = type(exc)
        entry: dict[str, Any] = {"type": f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins.")}
        if isinstance(exc, OSError) and exc.strerror:  # "Connection refused": the system's words, no data
            entry["reason"] = exc.strerror
        entry["frames"] = [
            f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__)
        ]
        out.append(entry)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return out


def _exc(record: logging.LogRecord) -> BaseException | None:
    info = record.exc_info
    return info[1] if info else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, trace_id/span_id when a span
    is recording, the record's `extra` fields, and `exception` (types and frames)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            out["request_id"] = rid
        out.update(_trace_ids())
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        exc = _exc(record)
        if exc is not None:
            out["exception"] = _exception_summary(exc)
        elif record.exc_info and record.exc_info[0] is not None:
            out["exception"] = [{"type": record.exc_info[0].__qualname__}]
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """`LEVEL logger [request id]: message`, and a traceback without the exception's message."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s%(rid)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid}]" if rid else ""
        return super().format(record)

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
    ) -> str:
        lines = []
        for entry in _exception_summary(ei[1]):
            reason = f" ({entry['reason']})" if "reason" in entry else ""
            lines.append(f"{entry['type']}{reason} (message withheld), raised through:")
            lines.extend(f"  {frame}" for frame in entry["frames"])
        return "\n".join(lines)


def _trace_ids() -> dict[str, str]:
    # The API is always there (the mcp SDK imports it); without an SDK the current span is invalid.
    from opentelemetry import trace

    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return {}
    return {"trace_id": format(ctx.trace_id, "032x"), "span_id": format(ctx.span_id, "016x")}


def handler(fmt: str | None = None, stream: TextIO | None = None) -> logging.Handler:
    """A stderr handler with the chosen format (FRONTDESK_LOG_FORMAT by default) and the request id."""
    fmt = (fmt or os.environ.get(FORMAT_ENV) or "json").strip().lower()
    if fmt not in ("json", "plain"):
        raise ValueError(f"{FORMAT_ENV} must be json or plain, got {fmt!r}")
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    out.addFilter(_RequestIdFilter())
    return out


def setup(fmt: str | None = None, level: str | None = None, stream: TextIO | None = None) -> None:
    """Route every logger to one stderr handler (stdout is the protocol under stdio). Idempotent: the
    root logger's handlers are replaced."""
    name = (level or os.environ.get(LEVEL_ENV) or "WARNING").strip().upper()
    if not isinstance(logging.getLevelName(name), int):
        raise ValueError(f"{LEVEL_ENV} must be a logging level such as INFO or WARNING, got {name!r}")
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(fmt, stream))
    root.setLevel(name)
    for quiet in QUIET:
        logging.getLogger(quiet).setLevel(max(logging.WARNING, root.level))
