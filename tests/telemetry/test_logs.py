"""frontdesk.logs: one JSON object (or plain line) per record, with the request id and the trace, and
exceptions without their messages."""

from __future__ import annotations

import errno
import io
import json
import logging
import subprocess
import sys

import pytest
from opentelemetry import trace

from frontdesk import logs
from tests.telemetry.conftest import Logged, Otel
from tests.telemetry.privacy import NAME

log = logging.getLogger("frontdesk.tests")


def _fail() -> None:
    try:
        raise ValueError(f"no such patient {NAME}")
    except ValueError as exc:
        raise RuntimeError(f"could not book {NAME}") from exc


def test_a_json_line_carries_the_request_id_and_the_extra_fields(logged: Logged) -> None:
    token = logs.request_id.set("req-1")
    try:
        log.warning("booked %d of %d", 1, 2, extra={"tool": "create_appointment", "practice_id": 7})
    finally:
        logs.request_id.reset(token)
    log.warning("outside any request")
    first, second = logged.records()[-2:]
    assert first["level"] == "WARNING" and first["logger"] == "frontdesk.tests"
    assert first["message"] == "booked 1 of 2" and first["request_id"] == "req-1"
    assert first["tool"] == "create_appointment" and first["practice_id"] == 7
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert "request_id" not in second and "trace_id" not in second


def test_json_exceptions_keep_types_and_frames_not_messages(logged: Logged) -> None:
    try:
        _fail()
    except RuntimeError:
        log.exception("booking failed")
    [record] = [r for r in logged.records() if r["message"] == "booking failed"]
    assert [e["type"] for e in record["exception"]] == ["RuntimeError", "ValueError"]
    assert any("in _fail" in frame for frame in record["exception"][0]["frames"])
    assert NAME not in "".join(logged.lines())


def test_plain_lines_withhold_exception_messages_too() -> None:
    stream = io.StringIO()
    handler = logs.handler("plain", stream)
    record = log.makeRecord(log.name, logging.ERROR, __file__, 1, "failed", (), None)
    try:
        _fail()
    except RuntimeError:
        record.exc_info = sys.exc_info()
    token = logs.request_id.set("req-2")
    try:
        handler.handle(record)
    finally:
        logs.request_id.reset(token)
    text = stream.getvalue()
    assert text.startswith("ERROR frontdesk.tests [req-2]: failed\n")
    assert "RuntimeError (message withheld)" in text and "ValueError (message withheld)" in text
    assert NAME not in text


def test_os_errors_keep_the_systems_reason(logged: Logged) -> None:
    try:
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    except OSError:
        log.exception("database unreachable")
    [record] = [r for r in logged.records() if r["message"] == "database unreachable"]
    first = record["exception"][0]
    assert (first["type"], first["reason"]) == ("ConnectionRefusedError", "Connection refused")


def test_lines_written_inside_a_span_name_its_trace(otel: Otel, logged: Logged) -> None:
    with trace.get_tracer("tests").start_as_current_span("work") as span:
        log.warning("inside")
    [record] = [r for r in logged.records() if r["message"] == "inside"]
    ctx = span.get_span_context()
    assert record["trace_id"] == format(ctx.trace_id, "032x")
    assert record["span_id"] == format(ctx.span_id, "016x")


def test_loggers_that_write_data_stay_off_at_any_level(logged: Logged) -> None:
    # The `logged` fixture set DEBUG: SQLAlchemy would write bound values, sse_starlette tool results.
    assert logging.getLogger().level == logging.DEBUG
    for name in ("sqlalchemy.engine.Engine", "sqlalchemy.pool", "aiosqlite", "sse_starlette.sse"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("abc-123", True),
        ("5f0c1e2a-9d4b-4c7e-8a31-2b6f0d9e7c15", True),
        ("lb.7f3a:42_x", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("two words", False),
        ('quote"d', False),
        ("new\nline", False),
        ("-starts-with-dash", False),
        ("é", False),
    ],
)
def test_only_plain_tokens_are_kept_as_request_ids(value: str, kept: bool) -> None:
    assert (logs.sane_request_id(value) == value) is kept


def test_bad_settings_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="FRONTDESK_LOG_FORMAT"):
        logs.handler("xml")
    with pytest.raises(ValueError, match="FRONTDESK_LOG_LEVEL"):
        logs.setup(fmt="json", level="LOUD", stream=io.StringIO())
    bad = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli.main", "stdio", "--practice", "demo"],
        env={"FRONTDESK_LOG_FORMAT": "xml", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert bad.returncode == 2 and "FRONTDESK_LOG_FORMAT must be json or plain" in bad.stderr
    assert bad.stdout == ""


def test_json_is_one_object_per_line_whatever_the_message(logged: Logged) -> None:
    log.warning('two\nlines and a "quote"')
    [line] = [line for line in logged.lines() if "two" in line]
    assert json.loads(line)["message"] == 'two\nlines and a "quote"'
