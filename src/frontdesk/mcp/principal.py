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
    claims = user.access_token.claims or {}
    return Principal(
        practice_id=int(claims["practice_id"]),
        actor=str(claims.get("actor", user.access_token.client_id)),
        scopes=frozenset(user.access_token.scopes),
    )


def resolver(default: Principal | None) -> PrincipalResolver:
    """Prefer the HTTP request's authenticated token; fall back to `default` (stdio, in-process)."""

    def resolve(ctx: Context[Any]) -> Principal:
        request = ctx.request_context.request
        if request is not None:
            user = request.scope.get("user")
            if isinstance(user, AuthenticatedUser):
                return principal_from_token(user)
        if default is not None:
            return default
        raise Unauthenticated("this connection carries no practice credentials")

    return resolve
