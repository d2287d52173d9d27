"""The OpenTelemetry SDK side: providers, the OTLP exporters, the scrubbing processor, the SQLAlchemy
instrumentation. Imported only once telemetry is on (see `frontdesk.telemetry`).

Whatever is exported passes `Scrubbed` first: error descriptions and exception messages are dropped
(a driver's error can quote the values of a statement, and the SDKs put `str(exc)` in both), only the
exception's type is kept."""

from __future__ import annotations

import os
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.trace import Status
from sqlalchemy.engine import Engine

from frontdesk import __version__
from frontdesk.telemetry import DEFAULT_SERVICE, SERVICE_ENV

# What an exception event keeps: the type says what went wrong; the message may say with which values.
EXCEPTION_KEEP = frozenset({"exception.type", "exception.escaped"})


def otlp_pipeline() -> tuple[SpanProcessor, MetricReader]:
    """Batched span export and periodic metric export (OTEL_METRIC_EXPORT_INTERVAL, 60 s) over OTLP/HTTP."""
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    return BatchSpanProcessor(OTLPSpanExporter()), PeriodicExportingMetricReader(OTLPMetricExporter())


def resource() -> Resource:
    # Given explicitly, service.name would override OTEL_SERVICE_NAME in Resource.create: read it here.
    name = os.environ.get(SERVICE_ENV) or DEFAULT_SERVICE
    return Resource.create({"service.name": name, "service.version": __version__})


def install_providers(span_processor: SpanProcessor, metric_reader: MetricReader) -> tuple[Any, ...]:
    """The global tracer and meter providers, unless the process has its own already: returns those
    installed here."""
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return ()
    tracer_provider = TracerProvider(resource=resource())
    tracer_provider.add_span_processor(Scrubbed(span_processor))
    meter_provider = MeterProvider(resource=resource(), metric_readers=[metric_reader])
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    return tracer_provider, meter_provider


def instrument_engine(engine: Engine) -> None:
    """opentelemetry-instrumentation-sqlalchemy on this one engine: a CLIENT span per statement, with
    the statement's text (placeholders, never the bound values). Its instrumentor would patch
    `create_engine` for the whole process and instrument only the first engine it is handed."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.instrumentation.sqlalchemy.version import __version__ as version

    scope = "opentelemetry.instrumentation.sqlalchemy"
    usage = metrics.get_meter(scope, version).create_up_down_counter(
        "db.client.connections.usage", unit="connections", description="Connections by state (idle, used)."
    )
    EngineTracer(trace.get_tracer(scope, version), engine, usage)  # type: ignore[no-untyped-call]


class Scrubbed(SpanProcessor):
    """In front of another processor: spans reach it without error descriptions and with exception
    events cut to their type. Spans with neither pass as they are."""

    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self.inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        if span.status.description or any(e.name == "exception" for e in span.events):
            span = scrub(span)
        self.inner.on_end(span)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def scrub(span: ReadableSpan) -> ReadableSpan:
    events = [
        Event(e.name, {k: v for k, v in (e.attributes or {}).items() if k in EXCEPTION_KEEP}, e.timestamp)
        if e.name == "exception"
        else e
        for e in span.events
    ]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
