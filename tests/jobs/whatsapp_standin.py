"""A local stand-in for the WhatsApp Cloud API: the same endpoint (POST /{version}/{phone number id}/
messages), the same answers and the same errors as Graph, served by uvicorn on a loopback port. It
checks the bearer token (401, code 190), the message's shape (400, code 100 "Invalid parameter"),
refuses numbers it is told cannot receive WhatsApp (400, code 131026), and answers 429 (code 130429,
with Retry-After) as many times as a test asks before it accepts again. It can also take a message and
answer too late (`answer_after`), as a connection lost mid-request does.

Media: POST /{version}/{phone number id}/media takes multipart/form-data (messaging_product whatsapp,
type, file of that type; 400 code 100 otherwise) and answers {"id": ...}; `uploads` keeps each file's
bytes by id, and an image or document message may name one by `id` instead of a `link` (an id it never
gave: 400 code 100). 429s (`rate_limited`) and the token check count uploads as requests too."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

KINDS = {"text", "template", "image", "document", "audio", "video", "sticker", "location"}


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "A" + secrets.token_hex(8),
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


@dataclass
class StandIn:
    token: str
    phone_number_id: str
    url: str = ""
    invalid_numbers: set[str] = field(default_factory=set)
    rate_limited: int = 0  # the next this many requests are answered 429
    retry_after: int = 120
    accepted: list[dict[str, Any]] = field(default_factory=list)  # each message taken, with its wamid
    answer_after: float = 0.0  # seconds to wait, once a message is taken, before answering
    requests: int = 0  # to this number (messages and uploads)
    uploads: dict[str, bytes] = field(default_factory=dict)  # media id -> the file uploaded
    upload_types: dict[str, str] = field(default_factory=dict)  # media id -> its type field

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/{version}/{number}/messages", self.messages, methods=["POST"]),
                Route("/{version}/{number}/media", self.media, methods=["POST"]),
            ]
        )

    def _invalid(self, body: dict[str, Any]) -> str | None:
        kind = body.get("type")
        if body.get("messaging_product") != "whatsapp" or kind not in KINDS or kind not in body:
            return "(#100) Invalid parameter"
        to = body.get("to")
        if not isinstance(to, str) or not to.isdigit():
            return "(#100) Invalid parameter: to"
        if kind == "text" and not body["text"].get("body"):
            return "(#100) Invalid parameter: text.body"
        if kind == "template" and not (body["template"].get("name") and body["template"].get("language")):
            return "(#100) Invalid parameter: template"
        if kind in ("image", "document"):
            media = body[kind]
            if "id" in media and ("link" in media or str(media["id"]) not in self.uploads):
                return f"(#100) Invalid parameter: {kind}.id"
            if "id" not in media and not str(media.get("link", "")).startswith("https://"):
                return f"(#100) Invalid parameter: {kind}.link"
        return None

    def _refused(self, request: Request) -> JSONResponse | None:
        """Graph's answer before it looks at the body: another number, a bad token, a rate limit."""
        if request.path_params["number"] != self.phone_number_id:  # another test's practice: not counted
            return _error(400, 100, "Unsupported post request. Object does not exist")
        self.requests += 1
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return _error(429, 130429, "(#130429) Rate limit hit", {"Retry-After": str(self.retry_after)})
        return None

    async def media(self, request: Request) -> JSONResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return _error(400, 100, "(#100) Invalid parameter: expected multipart/form-data")
        form = await request.form()
        upload = form.get("file")
        mime = form.get("type")
        if form.get("messaging_product") != "whatsapp" or not isinstance(mime, str):
            return _error(400, 100, "(#100) Invalid parameter: messaging_product, type")
        if isinstance(upload, str) or upload is None or upload.content_type != mime:
            return _error(400, 100, "(#100) Invalid parameter: file")
        data = await upload.read()
        if not data:
            return _error(400, 100, "(#100) Invalid parameter: file")
        media_id = str(secrets.randbelow(10**15) + 10**15)
        self.uploads[media_id] = data
        self.upload_types[media_id] = mime
        return JSONResponse({"id": media_id})

    async def messages(self, request: Request) -> JSONResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 100, "(#100) Invalid parameter")
        problem = self._invalid(body) if isinstance(body, dict) else "(#100) Invalid parameter"
        if problem:
            return _error(400, 100, problem)
        if body["to"] in self.invalid_numbers:
            return _error(400, 131026, "Message Undeliverable.")
        wamid = "wamid." + secrets.token_urlsafe(24)
        self.accepted.append(body | {"wamid": wamid})
        message: dict[str, str] = {"id": wamid}
        if body["type"] == "template":
            message["message_status"] = "accepted"
        if self.answer_after:
            await asyncio.sleep(self.answer_after)  # taken, but the answer comes too late
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [message],
            }
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(standin: StandIn) -> AsyncIterator[StandIn]:
    """The stand-in on a loopback port, in the test's event loop; stopped on exit."""
    for _attempt in range(3):
        port = _free_port()
        config = uvicorn.Config(standin.app(), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.wait({task}, timeout=0.02)
        if task.done():  # the port was taken in between
            continue
        standin.url = f"http://127.0.0.1:{port}"
        try:
            yield standin
        finally:
            server.should_exit = True
            await task
        return
    raise AssertionError("uvicorn never bound a port")
