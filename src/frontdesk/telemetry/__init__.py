"""OpenTelemetry traces and metrics, exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

Without it nothing is installed: the OpenTelemetry SDK is not even imported (this module needs only
the standard library; the SDK parts are in `telemetry.sdk`), no exporter thread runs, the mcp SDK's
own span per message stays the API's no-op, and the tool-call span (mcp/telemetry.py) and the
SQLAlchemy instrumentation are left out of the server and the engines altogether. The entry points
(`frontdesk serve`'s app factory, `frontdesk stdio`) call `setup()` before building those."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricReader
    from opentelemetry.sdk.trace import SpanProcessor
    from sqlalchemy.ext.asyncio import AsyncEngine

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
SERVICE_ENV = "OTEL_SERVICE_NAME"
DEFAULT_SERVICE = "frontdesk"

_enabled = False
_installed: tuple[Any, ...] = ()  # the providers this module installed, shut down at exit


def enabled() -> bool:
    """Whether servers and engines built from now on are instrumented."""
    return _enabled


def requested(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    disabled = env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    return bool(env.get(ENDPOINT_ENV, "").strip()) and not disabled


def setup() -> bool:
    """Export over OTLP/HTTP when the endpoint is set (the exporters read the other OTEL_EXPORTER_OTLP_*
    settings themselves); otherwise do nothing. True when telemetry is on. Idempotent."""
    if _enabled:
        return True
    if not requested():
        return False
    from frontdesk.telemetry import sdk

    span_processor, metric_reader = sdk.otlp_pipeline()
    install(span_processor, metric_reader)
    return True


def install(span_processor: SpanProcessor, metric_reader: MetricReader) -> None:
    """Turn telemetry on with global SDK providers feeding these (the tests pass in-memory ones). A
    process that already has SDK providers (`opentelemetry-instrument`) keeps its own."""
    global _enabled, _installed
    from frontdesk.telemetry import sdk

    _installed = sdk.install_providers(span_processor, metric_reader)
    _enabled = True


def enable() -> None:
    """On again, with the providers already installed (tests switch telemetry per test)."""
    global _enabled
    _enabled = True


def disable() -> None:
    """Servers and engines built from now on are not instrumented; installed providers stay."""
    global _enabled
    _enabled = False


def shutdown() -> None:
    """Send what is still buffered and stop the exporter threads (at process exit)."""
    global _enabled, _installed
    providers, _installed = _installed, ()
    _enabled = False
    for provider in providers:
        provider.shutdown()


def instrument_engines(*engines: AsyncEngine) -> None:
    """When telemetry is on, a CLIENT span per statement run on these (see `sdk.instrument_engine`)."""
    if _enabled:
        from frontdesk.telemetry import sdk

        for engine in {id(e.sync_engine): e.sync_engine for e in engines}.values():
            sdk.instrument_engine(engine)
