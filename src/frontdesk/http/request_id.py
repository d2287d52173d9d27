"""The outermost middleware: every HTTP request gets a request id, for the logs and the client.

Taken from an incoming `X-Request-Id` when it is a plain token (a proxy's id follows the request
through), made fresh otherwise; sent back as `X-Request-Id` on every answer, 413 and 421 included. The
MCP server reads it from `request.state.request_id`: it handles the message in the session's own task,
where this request's context variables are not visible."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.logs import HEADER, new_request_id, request_id, sane_request_id

_HEADER = HEADER.encode()


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = sane_request_id(Headers(scope=scope).get(HEADER)) or new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        raw = rid.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _HEADER]
                message = {**message, "headers": [*headers, (_HEADER, raw)]}
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
