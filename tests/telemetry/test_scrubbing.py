"""What is exported never carries an error's words: span status descriptions and exception messages
(which the SDKs fill with `str(exc)`, and a database error can quote a value) are dropped, the
exception's type is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import text

from frontdesk.domain.errors import FrontdeskError
from frontdesk.storage.db import Database
from tests.telemetry.conftest import Otel
from tests.telemetry.privacy import NAME, assert_no_patient_data


def test_exception_messages_and_status_descriptions_are_dropped(otel: Otel) -> None:
    tracer = trace.get_tracer("tests")
    with pytest.raises(RuntimeError), tracer.start_as_current_span("failing") as span:
        span.set_attribute("kept", "yes")
        raise RuntimeError(f"no appointment for {NAME}")  # recorded and described by the SDK itself
    with tracer.start_as_current_span("described") as span:
        span.set_status(StatusCode.ERROR, f"refused {NAME}")
    with tracer.start_as_current_span("fine") as span:
        span.add_event("step", {"n": 1})
    spans = {s.name: s for s in otel.spans()}
    assert set(spans) == {"failing", "described", "fine"}
    failing = spans["failing"]
    assert failing.status.status_code is StatusCode.ERROR and failing.status.description is None
    [event] = failing.events
    attrs = dict(event.attributes or {})
    assert event.name == "exception" and attrs["exception.type"] == "RuntimeError"
    assert set(attrs) <= {"exception.type", "exception.escaped"}  # no message, no stack trace
    assert (failing.attributes or {})["kept"] == "yes"
    assert spans["described"].status.status_code is StatusCode.ERROR
    assert spans["fine"].events[0].name == "step"
    assert_no_patient_data(otel)


@pytest.fixture
async def pg(postgres_url: str, otel: Otel) -> AsyncIterator[Database]:
    db = Database(postgres_url)
    yield db
    await db.dispose()


@pytest.mark.postgres
async def test_a_database_error_quoting_a_value_is_exported_without_it(pg: Database, otel: Otel) -> None:
    with pytest.raises(FrontdeskError) as caught:
        async with pg.read() as s:
            await s.execute(text("SELECT CAST(:v AS integer)"), {"v": NAME})
    assert NAME in str(caught.value.__cause__), "premise: PostgreSQL quotes the value in its error"
    [statement] = [s for s in otel.spans() if s.kind is SpanKind.CLIENT and "SELECT" in s.name]
    assert statement.status.status_code is StatusCode.ERROR
    assert "CAST(" in str((statement.attributes or {}).get("db.statement"))
    assert_no_patient_data(otel)
