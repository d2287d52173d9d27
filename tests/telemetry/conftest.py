"""Telemetry fixtures: the OpenTelemetry SDK with in-memory exporters, installed once per test session
through `frontdesk.telemetry.install` (the same providers and scrubbing processor OTLP export uses) and
switched on only for the tests that ask for `otel`; logs captured as the JSON lines `frontdesk serve`
writes, at DEBUG.

OpenTelemetry's global providers can be set once per process: they stay for the rest of the session,
but nothing reaches the exporter outside these tests (`Gate`), and servers and engines built by other
tests are not instrumented (`telemetry.disable()`)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import Histogram, UpDownCounter
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from frontdesk import logs, telemetry
from frontdesk.composition import Frontdesk
from frontdesk.services.oauth import OAuthSettings
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database
from tests.conftest import Clock

TOOL_SPAN = "frontdesk.tool "


class Gate(SpanProcessor):
    """Passes finished spans on only while a telemetry test runs."""

    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner
        self.open = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.open:
            self.inner.on_end(span)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


@dataclass
class Point:
    metric: str
    unit: str
    attributes: dict[str, Any]
    count: int | None
    sum: float | None
    bounds: tuple[float, ...] | None


@dataclass
class Otel:
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    _points: list[Point]

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def tool_spans(self, tool: str | None = None) -> list[ReadableSpan]:
        return [
            s
            for s in self.spans()
            if s.name.startswith(TOOL_SPAN) and (tool is None or s.name == TOOL_SPAN + tool)
        ]

    def points(self, metric: str | None = None) -> list[Point]:
        """Every data point recorded since the test began (collecting drains the delta reader)."""
        data = self.reader.get_metrics_data()
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    for dp in m.data.data_points:
                        self._points.append(
                            Point(
                                m.name,
                                m.unit or "",
                                dict(dp.attributes or {}),
                                getattr(dp, "count", None),
                                getattr(dp, "sum", None),
                                tuple(getattr(dp, "explicit_bounds", None) or ()) or None,
                            )
                        )
        return [p for p in self._points if metric is None or p.metric == metric]

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        pid = parent.context.span_id if parent.context else None
        return [s for s in self.spans() if s.parent is not None and s.parent.span_id == pid]

    def descendants(self, parent: ReadableSpan) -> list[ReadableSpan]:
        out, todo = [], [parent]
        while todo:
            kids = self.children(todo.pop())
            out.extend(kids)
            todo.extend(kids)
        return out


@pytest.fixture(scope="session")
def otel_pipeline() -> tuple[InMemorySpanExporter, InMemoryMetricReader, Gate]:
    exporter = InMemorySpanExporter()
    gate = Gate(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader(
        preferred_temporality={
            Histogram: AggregationTemporality.DELTA,
            UpDownCounter: AggregationTemporality.DELTA,
        }
    )
    telemetry.install(gate, reader)
    from opentelemetry.sdk.trace import TracerProvider

    assert isinstance(trace.get_tracer_provider(), TracerProvider), "no other provider may be installed first"
    telemetry.disable()
    return exporter, reader, gate


@pytest.fixture
def otel(otel_pipeline: tuple[InMemorySpanExporter, InMemoryMetricReader, Gate]) -> Iterator[Otel]:
    exporter, reader, gate = otel_pipeline
    exporter.clear()
    reader.get_metrics_data()  # drain what other tests recorded (delta temporality)
    gate.open = True
    telemetry.enable()
    try:
        yield Otel(exporter, reader, [])
    finally:
        telemetry.disable()
        gate.open = False


@dataclass
class Logged:
    stream: io.StringIO

    def lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line.strip()]

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines()]


@pytest.fixture
def logged() -> Iterator[Logged]:
    """The logs as `frontdesk serve` writes them (frontdesk.logs.setup, JSON), at DEBUG, in memory."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET}
    stream = io.StringIO()
    logs.setup(fmt="json", level="DEBUG", stream=stream)
    try:
        yield Logged(stream)
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved_handlers:
            root.addHandler(h)
        root.setLevel(saved_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


# The databases of these tests are built once telemetry is on, so their engines are instrumented.


@pytest.fixture
def real_clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def app(db_url: str, clock: Clock, otel: Otel) -> AsyncIterator[Frontdesk]:
    fd = Frontdesk(Database(db_url, pool_size=10), clock=clock, settings=Settings())
    yield fd
    await fd.close()


@pytest.fixture
async def fd(db_url: str, real_clock: Clock, otel: Otel) -> AsyncIterator[Frontdesk]:
    app = Frontdesk(
        Database(db_url, pool_size=10), clock=real_clock, settings=Settings(), oauth_settings=OAuthSettings()
    )
    yield app
    await app.close()
