"""The entry points in their own processes: without OTEL_EXPORTER_OTLP_ENDPOINT nothing of the SDK is
installed or running; with it, `frontdesk stdio` exports its spans and metrics over OTLP/HTTP (to a
collector stand-in on loopback), writes JSON logs to stderr only, and nothing exported or logged
carries the patient's name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.e2e.conftest import FRONTDESK, cli_env, run_cli
from tests.telemetry.privacy import FIRST, LAST, NAME

OFF_SCRIPT = r"""
import asyncio, json, sys, threading

from frontdesk import telemetry
from frontdesk.http.factory import create

create()  # what `frontdesk serve` runs in each worker: logs, telemetry.setup(), the engine, the app


async def main() -> dict:
    from mcp import Client
    from opentelemetry import metrics, trace

    from frontdesk.composition import Frontdesk
    from frontdesk.mcp.server import build_server
    from frontdesk.services.context import Principal

    app = await Frontdesk.open(sys.argv[1])
    practice, _ = await app.seed_demo()
    server = build_server(app, default_principal=Principal(practice.id, "t"))
    [calls] = [m for m in server.middleware if type(m).__name__ == "ToolCalls"]
    async with Client(server) as client:
        assert not (await client.call_tool("list_datebooks", {})).is_error
    await app.close()
    return {
        "enabled": telemetry.enabled(),
        "tracer": calls.tracer is None and calls.duration is None,
        "tracer_provider": type(trace.get_tracer_provider()).__name__,
        "meter_provider": type(metrics.get_meter_provider()).__name__,
        "modules": sorted(
            m for m in sys.modules
            if m.startswith(("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.instrumentation"))
        ),
        "threads": [t.name for t in threading.enumerate()],
    }


print(json.dumps(asyncio.run(main())))
"""


def test_without_an_endpoint_nothing_is_installed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'off.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FRONTDESK_"))}
    env |= {"FRONTDESK_DATABASE_URL": url, "FRONTDESK_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", OFF_SCRIPT, url], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["enabled"] is False and seen["tracer"] is True
    assert seen["tracer_provider"] == "ProxyTracerProvider"  # the API's no-op, for the mcp SDK's spans too
    assert seen["meter_provider"] == "_ProxyMeterProvider"
    assert seen["modules"] == []  # not even imported
    assert not [t for t in seen["threads"] if t != "MainThread"], seen["threads"]


# A collector stand-in: records what is POSTed, answers 200 with an empty (valid) protobuf message.


@dataclass
class Collector:
    received: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, path: str) -> list[bytes]:
        with self.lock:
            return [body for p, body in self.received if p == path]


@pytest.fixture
def collector() -> Iterator[tuple[Collector, str]]:
    seen = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with seen.lock:
                seen.received.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _attrs(kvs: Any) -> dict[str, Any]:
    out = {}
    for kv in kvs:
        v = kv.value
        out[kv.key] = getattr(v, v.WhichOneof("value")) if v.WhichOneof("value") else None
    return out


@pytest.mark.e2e
def test_stdio_exports_over_otlp_and_logs_json_to_stderr(
    tmp_path: Path, collector: tuple[Collector, str]
) -> None:
    seen, endpoint = collector
    env = cli_env(tmp_path)
    env = {k: v for k, v in env.items() if not k.startswith("OTEL_")}
    run_cli(env, "demo")
    env |= {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_SERVICE_NAME": "frontdesk-e2e",
        "FRONTDESK_LOG_LEVEL": "INFO",
    }
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "list_doctors", "arguments": {}},
        },
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {
                "name": "manage_patient",
                "arguments": {
                    "action": "add",
                    "first_name": FIRST,
                    "last_name": LAST,
                    "date_of_birth": "1980-05-01",
                },
            },
        },
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "find_patients", "arguments": {"name": NAME}},
        },
    ]
    errfile = tmp_path / "stderr"
    with errfile.open("w") as stderr:
        proc = subprocess.Popen(
            [FRONTDESK, "stdio", "--practice", "demo"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
    proc.stdin.flush()
    answers: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + 60
    while len(answers) < 4 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        msg = json.loads(line)  # stdout carries protocol messages only
        answers[msg["id"]] = msg
    proc.stdin.close()  # the client goes away: the process flushes its telemetry and ends
    out = proc.stdout.read()
    proc.wait(timeout=60)
    err = errfile.read_text()
    assert proc.returncode == 0, err[-3000:]
    assert sorted(answers) == [1, 2, 3, 4], answers
    assert not answers[3]["result"].get("isError") and LAST in json.dumps(answers[3]["result"])
    assert out.strip() == "" or all(json.loads(line)["jsonrpc"] == "2.0" for line in out.splitlines())

    # stderr: JSON lines, a request id on each tool call, no patient name.
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    calls = [r for r in records if r["message"].startswith("tool call")]
    assert [r["tool"] for r in calls] == ["list_doctors", "manage_patient", "find_patients"]
    assert all(r["outcome"] == "ok" and r["request_id"] and r["trace_id"] for r in calls)
    assert FIRST not in err and LAST not in err

    # The collector got the spans and the metrics, with the service name, and without the name.
    traces = seen.bodies("/v1/traces")
    metrics = seen.bodies("/v1/metrics")
    assert traces and metrics, seen.received
    for body in traces + metrics:
        assert FIRST.encode() not in body and LAST.encode() not in body
    spans = []
    for body in traces:
        request = ExportTraceServiceRequest.FromString(body)
        for rs in request.resource_spans:
            assert _attrs(rs.resource.attributes)["service.name"] == "frontdesk-e2e"
            spans += [s for ss in rs.scope_spans for s in ss.spans]
    tool_spans = {s.name: _attrs(s.attributes) for s in spans if s.name.startswith("frontdesk.tool ")}
    assert set(tool_spans) == {
        "frontdesk.tool list_doctors",
        "frontdesk.tool manage_patient",
        "frontdesk.tool find_patients",
    }
    assert {a["frontdesk.outcome"] for a in tool_spans.values()} == {"ok"}
    assert len({a["frontdesk.practice_id"] for a in tool_spans.values()}) == 1
    assert any(_attrs(s.attributes).get("db.system") == "sqlite" for s in spans)
    names = set()
    for body in metrics:
        request = ExportMetricsServiceRequest.FromString(body)
        for rm in request.resource_metrics:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    names.add(m.name)
                    if m.name == "frontdesk.tool.duration":
                        assert m.unit == "s"
                        tools = {_attrs(p.attributes)["tool"] for p in m.histogram.data_points}
                        assert tools == {"list_doctors", "manage_patient", "find_patients"}
    assert "frontdesk.tool.duration" in names
