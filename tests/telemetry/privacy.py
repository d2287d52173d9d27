"""The check that no patient data reached the spans, the metrics or the logs."""

from __future__ import annotations

from typing import Any

from tests.telemetry.conftest import Logged, Otel

FIRST, LAST = "Zebulon", "Quackenbush"
NAME = f"{FIRST} {LAST}"


def _texts(value: Any) -> list[str]:
    if isinstance(value, str | bytes):
        return [value.decode(errors="replace") if isinstance(value, bytes) else value]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(k) + _texts(v)]
    if isinstance(value, list | tuple | set | frozenset):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def exported_texts(otel: Otel) -> list[str]:
    """Every string a span or a metric point carries: names, attributes, events, statuses, resources."""
    out: list[str] = []
    for s in otel.spans():
        out.append(s.name)
        out += _texts(dict(s.attributes or {}))
        out += _texts(dict(s.resource.attributes))
        out.append(s.status.description or "")
        for e in s.events:
            out.append(e.name)
            out += _texts(dict(e.attributes or {}))
        for link in s.links:
            out += _texts(dict(link.attributes or {}))
    for p in otel.points():
        out.append(p.metric)
        out += _texts(p.attributes)
    return out


# The test's own client (the mcp SDK's client side, the HTTP client) shares this process's logs.
CLIENT_LOGGERS = ("mcp.client", "httpx2", "httpcore2")


def server_log_lines(logged: Logged) -> list[str]:
    return [
        line
        for line, record in zip(logged.lines(), logged.records(), strict=True)
        if not str(record.get("logger", "")).startswith(CLIENT_LOGGERS)
    ]


def assert_no_patient_data(otel: Otel, logged: Logged | None = None) -> None:
    texts = exported_texts(otel) + (server_log_lines(logged) if logged else [])
    assert texts
    for needle in (FIRST, LAST):
        leaks = [t for t in texts if needle.lower() in t.lower()]
        assert not leaks, f"{needle!r} in: {leaks[:5]}"
