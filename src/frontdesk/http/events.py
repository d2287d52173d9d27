"""Resumable SSE streams (protocol 2025-11-25): the events a session's streams carried are kept, so a
client whose connection broke sends `Last-Event-ID` and gets the rest, on any process when Redis
holds them.

The SDK gives its event store only a stream id, which is unique within one session only (request ids,
`_GET_stream`), and shares one store among all sessions. So every session gets a random scope,
set by `ResumableStreams` on the request that opens it and inherited by the session's tasks (context
variables), and event ids carry it: `<scope>.<stream>.<seq>`. A replay is served only to the
credential that opened the session, and only from that session's own stream.

With FRONTDESK_REDIS_URL the events live in Redis (a list per stream, kept `EVENT_TTL` seconds after
the last event), and a process that does not hold the session itself still answers a resumption from
them; without it they are kept in memory (bounded), for the process that holds the session."""

from __future__ import annotations

import base64
import json
import secrets
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, authorization_context
from mcp.server.streamable_http import EventCallback, EventMessage, EventStore
from mcp_types import JSONRPCMessage, jsonrpc_message_adapter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVENT_TTL = 3600  # seconds an interrupted stream stays resumable (Redis)
MEMORY_BYTES = 16 * 1024 * 1024  # events kept in memory without Redis (oldest streams dropped first)
MEMORY_SESSIONS = 10_000  # session scopes remembered by one process
STREAM_EVENTS = 1_000  # events replayed at most per resumption


@dataclass(frozen=True, slots=True)
class _Session:
    scope: str
    owner: str


# The session a request belongs to (set on the request that opens it; its tasks inherit it).
_session: ContextVar[_Session | None] = ContextVar("frontdesk_sse_session", default=None)
# Who is asking on this request: a replay is served only to the session's owner.
_requester: ContextVar[str | None] = ContextVar("frontdesk_sse_requester", default=None)


def owner_of(scope: Scope) -> str:
    """The principal behind a request, as the SDK binds a session to its creator: client and subject
    (the issuer, which the SDK compares too, is one per deployment: every process shares it)."""
    user = scope.get("user")
    if isinstance(user, AuthenticatedUser):
        who = authorization_context(user)
        return f"{who['client_id']}|{who['subject']}"
    return "anonymous"


def _encode(stream_id: str) -> str:
    return base64.urlsafe_b64encode(stream_id.encode()).decode().rstrip("=")


def _decode(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def _json(message: JSONRPCMessage) -> str:
    return jsonrpc_message_adapter.dump_json(message, by_alias=True, exclude_none=True).decode()


def parse_event_id(event_id: str) -> tuple[str, str, int] | None:
    """(scope, stream id, sequence), or None for an id this server did not make."""
    parts = event_id.split(".")
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    try:
        return parts[0], _decode(parts[1]), int(parts[2])
    except (ValueError, UnicodeDecodeError):
        return None


class Backend(Protocol):
    async def append(self, scope: str, owner: str, stream_id: str, payload: str) -> int: ...

    async def after(self, scope: str, stream_id: str, seq: int) -> list[tuple[int, str]]: ...

    async def owner(self, scope: str) -> str | None: ...


class MemoryBackend:
    """This process only, at most `max_bytes` of events: the least recently written streams go first."""

    def __init__(self, max_bytes: int = MEMORY_BYTES) -> None:
        self._streams: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._owners: OrderedDict[str, str] = OrderedDict()
        self._max = max_bytes
        self._bytes = 0

    async def append(self, scope: str, owner: str, stream_id: str, payload: str) -> int:
        self._owners.setdefault(scope, owner)
        self._owners.move_to_end(scope)
        events = self._streams.setdefault((scope, stream_id), [])
        self._streams.move_to_end((scope, stream_id))
        events.append(payload)
        self._bytes += len(payload)
        while self._bytes > self._max and len(self._streams) > 1:
            _, dropped = self._streams.popitem(last=False)
            self._bytes -= sum(len(p) for p in dropped)
        while len(self._owners) > len(self._streams) + 1000:
            self._owners.popitem(last=False)
        return len(events)

    async def after(self, scope: str, stream_id: str, seq: int) -> list[tuple[int, str]]:
        events = self._streams.get((scope, stream_id), [])
        return [(n, p) for n, p in enumerate(events, start=1) if n > seq]

    async def owner(self, scope: str) -> str | None:
        return self._owners.get(scope)


class RedisBackend:
    """One list per stream (`fd:sse:<scope>:<stream>`), the owner beside it; both expire together."""

    def __init__(self, url: str, prefix: str = "fd:sse:") -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url)
        self._prefix = prefix

    async def append(self, scope: str, owner: str, stream_id: str, payload: str) -> int:
        key = f"{self._prefix}{scope}:{_encode(stream_id)}"
        owner_key = f"{self._prefix}{scope}:owner"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, payload)
            pipe.expire(key, EVENT_TTL)
            pipe.set(owner_key, owner, ex=EVENT_TTL, nx=True)
            pipe.expire(owner_key, EVENT_TTL)
            seq, *_ = await pipe.execute()
        return int(seq)

    async def after(self, scope: str, stream_id: str, seq: int) -> list[tuple[int, str]]:
        key = f"{self._prefix}{scope}:{_encode(stream_id)}"
        items = await self._redis.lrange(key, seq, seq + STREAM_EVENTS)
        return [(seq + 1 + i, p.decode()) for i, p in enumerate(items)]

    async def owner(self, scope: str) -> str | None:
        found = await self._redis.get(f"{self._prefix}{scope}:owner")
        return found.decode() if found is not None else None

    async def close(self) -> None:
        await self._redis.aclose()


class SessionEvents(EventStore):
    """The SDK's event store, scoped per session (see the module docstring)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def store_event(self, stream_id: str, message: JSONRPCMessage | None) -> str:
        session = _session.get()
        if session is None:  # not opened through ResumableStreams: still unique, never replayed
            session = _Session(secrets.token_urlsafe(12), "unknown")
        payload = "" if message is None else _json(message)
        seq = await self.backend.append(session.scope, session.owner, stream_id, json.dumps([payload]))
        return f"{session.scope}.{_encode(stream_id)}.{seq}"

    async def replay_events_after(self, last_event_id: str, send_callback: EventCallback) -> str | None:
        found = await self.events_after(last_event_id, _requester.get())
        if found is None:
            return None
        stream_id, events = found
        for event in events:
            await send_callback(event)
        return stream_id

    async def events_after(
        self, last_event_id: str, requester: str | None
    ) -> tuple[str, list[EventMessage]] | None:
        """The events of `last_event_id`'s stream after it, if `requester` owns that session."""
        parsed = parse_event_id(last_event_id)
        if parsed is None or requester is None:
            return None
        scope, stream_id, seq = parsed
        if await self.backend.owner(scope) != requester:
            return None  # another credential's session, or one long gone: nothing to replay
        out = []
        for n, raw in await self.backend.after(scope, stream_id, seq):
            (payload,) = json.loads(raw)
            if not payload:  # a priming event: nothing to deliver
                continue
            message = jsonrpc_message_adapter.validate_json(payload)
            out.append(EventMessage(message, f"{scope}.{_encode(stream_id)}.{n}"))
        return stream_id, out


class ResumableStreams:
    """ASGI wrapper for /mcp: gives each new session its scope, tells the store who is asking, and
    answers a resumption (GET with Last-Event-ID) for a session this process does not hold from the
    shared store instead of the SDK's 404."""

    def __init__(self, app: ASGIApp, events: SessionEvents, max_sessions: int = MEMORY_SESSIONS) -> None:
        self.app = app
        self.events = events
        # The scope of each session this process opened: a later request of the session (whose
        # priming event the SDK stores in that request's own context) gets it back.
        self._scopes: OrderedDict[str, _Session] = OrderedDict()
        self._max = max_sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        owner = owner_of(scope)
        _requester.set(owner)
        session_id = headers.get("mcp-session-id")
        if session_id is None:
            await self._open(scope, receive, send, _Session(secrets.token_urlsafe(12), owner))
            return
        if (known := self._scopes.get(session_id)) is not None:
            _session.set(known)
        last = headers.get("last-event-id")
        if scope["method"] != "GET" or session_id is None or last is None:
            await self.app(scope, receive, send)
            return
        # A resumption: let the SDK serve it if it holds the session; if it answers 404, replay here.
        held_back: list[Message] = []

        async def watch(message: Message) -> None:
            if held_back or (message["type"] == "http.response.start" and message["status"] == 404):
                held_back.append(message)
                return
            await send(message)

        await self.app(scope, receive, watch)
        if held_back:
            found = await self.events.events_after(last, owner)
            if found is None:
                for message in held_back:
                    await send(message)
                return
            await self._replay(session_id, found[1], send)

    async def _open(self, scope: Scope, receive: Receive, send: Send, session: _Session) -> None:
        """A request without a session id, which may open one: remember the id the SDK gives it."""
        _session.set(session)

        async def learn(message: Message) -> None:
            if message["type"] == "http.response.start":
                sid = Headers(raw=message.get("headers", [])).get("mcp-session-id")
                if sid is not None:
                    self._scopes[sid] = session
                    while len(self._scopes) > self._max:
                        self._scopes.popitem(last=False)
            await send(message)

        await self.app(scope, receive, learn)

    async def _replay(self, session_id: str, events: list[EventMessage], send: Send) -> None:
        body = b"".join(
            f"id: {e.event_id}\r\nevent: message\r\ndata: {_json(e.message)}\r\n\r\n".encode() for e in events
        )
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache, no-transform"),
                    (b"mcp-session-id", session_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
