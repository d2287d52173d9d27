"""JSON-RPC envelope checks on POST /mcp, before the SDK sees the body.

MCP requires a request id to be a string or an integer (never null); JSON-RPC calls any other
envelope an Invalid Request (-32600). The SDK reads a request whose id is an object, an array, a
float, a boolean or null as a notification, answers 202 and drops it, so the client waits forever;
a batch (a JSON array, which MCP no longer has) gets a pydantic dump. Here such a body is answered
400 with a JSON-RPC -32600 error naming the member and the rule; everything else goes on unchanged
(malformed JSON and params are the SDK's to answer)."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

INVALID_REQUEST = -32600


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a number with a fraction or exponent"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def problem(message: Any) -> str | None:
    """What makes this parsed body an invalid JSON-RPC request for MCP, or None."""
    if isinstance(message, list):
        return "a message must be one JSON object (JSON-RPC batches are not supported)"
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    if message.get("jsonrpc") != "2.0":
        return 'jsonrpc: must be "2.0"'
    if "method" in message and not isinstance(message["method"], str):
        return "method: must be a string"
    if "method" in message and "id" in message:
        rid = message["id"]
        if isinstance(rid, bool) or not isinstance(rid, str | int):
            return f"id: must be a string or an integer, not {_kind(rid)}"
    return None


class ValidRequests:
    """ASGI wrapper for /mcp: 400 and -32600 for a POST whose body is not a valid JSON-RPC message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _is_json(scope):
            await self.app(scope, receive, send)  # the SDK refuses a body that is not JSON (415)
            return
        chunks: list[bytes] = []
        while True:  # the body limit in front of us has already bounded its size
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)  # the client went away
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            why = problem(json.loads(body))
        except (ValueError, RecursionError):
            why = None  # not JSON (or absurdly nested): the SDK answers the parse error
        if why is not None:
            error = {"code": INVALID_REQUEST, "message": f"Invalid Request: {why}"}
            response = JSONResponse({"jsonrpc": "2.0", "id": None, "error": error}, status_code=400)
            await response(scope, receive, send)
            return
        whole: Message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


def _is_json(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that hands back what was already read, then the real one (disconnects)."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
