"""Who is calling a tool: the bearer token's practice over HTTP, the configured practice over stdio."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.mcpserver import Context

from frontdesk.domain.errors import Unauthenticated
from frontdesk.services.context import Principal

PrincipalResolver = Callable[[Context[Any]], Principal]


def principal_from_token(user: AuthenticatedUser) -> Principal:
    token = user.access_token
    claims = token.claims or {}
    actor = str(claims.get("actor", token.client_id))
    return Principal(
        practice_id=int(claims["practice_id"]),
        actor=actor,
        scopes=frozenset(token.scopes),
        # A practice key acts for itself; an OAuth token acts for a person through a client.
        client=None if token.client_id == actor else token.client_id,
    )


def from_request(request: Any, default: Principal | None) -> Principal:
    """The principal of a transport request (a Starlette request over HTTP, None otherwise)."""
    if request is not None:
        user = request.scope.get("user")
        if isinstance(user, AuthenticatedUser):
            return principal_from_token(user)
    if default is not None:
        return default
    raise Unauthenticated("this connection carries no practice credentials")


def resolver(default: Principal | None) -> PrincipalResolver:
    """Prefer the HTTP request's authenticated token; fall back to `default` (stdio, in-process)."""

    def resolve(ctx: Context[Any]) -> Principal:
        return from_request(ctx.request_context.request, default)

    return resolve
