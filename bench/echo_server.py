"""The baseline for the wrk figures: a bare `mcp` SDK server with one `echo` tool over Streamable HTTP.

    .venv/bin/python bench/echo_server.py --port 8766

Mounted the way src/frontdesk/http/app.py mounts Frontdesk: an MCPServer's low-level server behind one
StreamableHTTPSessionManager (stateful, SSE responses, the same DNS-rebinding settings, session
idle timeout and body limit), wrapped in StreamableHTTPASGIApp at Route("/mcp") of a Starlette app
whose lifespan runs the manager, served by uvicorn in one process with the same options as `frontdesk serve`
(log level warning, no access log). What it leaves out is everything Frontdesk does per call: its
middleware (body limit, Host/Origin and protocol-version guards, bearer authentication against the
database, rate limiting), the database, the services and shaping the result. An Authorization header is
accepted and ignored, so the same wrk script drives both servers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import CallToolResult, TextContent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# The same lists as frontdesk.http.app (loopback only), kept here so the baseline imports no Frontdesk code.
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def _add_replay(server: MCPServer[Any], name: str, recorded: dict[str, Any]) -> None:
    """A tool `replay_<name>` that hands back, unchanged, a tool result Frontdesk gave (its text and
    structuredContent, read from a file once) under a permissive output schema: the SDK's own cost of
    that answer. Frontdesk cannot answer the same call faster than this server does."""
    text = recorded["content"][0]["text"]
    structured = recorded["structuredContent"]

    def replay() -> Annotated[CallToolResult, dict[str, Any]]:
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

    server.add_tool(replay, name=f"replay_{name}", description=f"Return the recorded answer of {name}.")


def create_app(replay: str | None = None) -> Starlette:
    server: MCPServer[Any] = MCPServer("echo", version="1.0")

    @server.tool(description="Return the text it is given.")
    def echo(text: str) -> str:
        return text

    if replay:
        for path in sorted(Path(replay).glob("*.json")):
            _add_replay(server, path.stem, json.loads(path.read_text()))

    manager = StreamableHTTPSessionManager(
        app=server._lowlevel_server,
        security_settings=TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=LOOPBACK_HOSTS,
            allowed_origins=LOOPBACK_ORIGINS,
        ),
        session_idle_timeout=float(os.environ.get("FRONTDESK_SESSION_IDLE_SECONDS") or 1800),
        max_request_body_size=int(os.environ.get("FRONTDESK_MAX_BODY_BYTES") or 1024 * 1024),
    )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    return Starlette(
        routes=[
            Route("/mcp", StreamableHTTPASGIApp(manager), methods=["GET", "POST", "DELETE"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--replay", help="a folder of NAME.json tool results: adds a tool replay_NAME for each")
    args = ap.parse_args()
    app = create_app(args.replay)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
