"""`completion/complete`: values for prompt and resource-template arguments, from the caller's practice.

An argument is completed by its name, wherever it appears: `doctor` (the practice's active doctors),
`service`, `datebook` (appointments:read), `patient` (patients:read; from two typed characters on,
and audited like a search). A value matches when its name, or one of its words, starts with what
was typed, accents and case ignored; whole-name matches come first, at most 100 values.

What completes nothing answers an empty list rather than an error: a reference to a prompt or
template this server does not have, an argument it does not take or that has no values, a credential
without the scope. (A client asks while someone types; the conformance suite also asks about a prompt
of its own and expects a list.) A value too long to be a name is -32602."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.shared.uri_template import InvalidUriTemplate, UriTemplate
from mcp_types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    CompleteRequestParams,
    CompleteResult,
    Completion,
    PromptReference,
)

from frontdesk.domain.text import fold

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk
    from frontdesk.services.context import Principal

logger = logging.getLogger(__name__)

MAX_VALUES = 100  # the protocol's limit per answer
MAX_TYPED = 120  # characters; longer is no name
# Argument name -> what it completes.
KINDS = {
    "doctor": "doctor",
    "doctor_name": "doctor",
    "provider": "doctor",
    "service": "service",
    "service_name": "service",
    "datebook": "datebook",
    "datebook_name": "datebook",
    "patient": "patient",
    "patient_name": "patient",
}

Caller = Callable[[ServerRequestContext[Any, Any]], "Principal"]
Handler = Callable[[ServerRequestContext[Any, Any], CompleteRequestParams], Awaitable[CompleteResult]]


def empty() -> CompleteResult:
    return CompleteResult(completion=Completion(values=[], total=0, has_more=False))


def matching(names: Iterable[str], typed: str, limit: int = MAX_VALUES) -> Completion:
    """Names starting with `typed` first, then names with a word starting with it; each group in
    alphabetical order (folded), duplicates once."""
    want = fold(typed)
    whole: list[tuple[str, str]] = []
    word: list[tuple[str, str]] = []
    for name in dict.fromkeys(names):
        folded = fold(name)
        if folded.startswith(want):
            whole.append((folded, name))
        elif any(w.startswith(want) for w in folded.split()):
            word.append((folded, name))
    found = [name for _, name in sorted(whole)] + [name for _, name in sorted(word)]
    return Completion(values=found[:limit], total=len(found), has_more=len(found) > limit)


async def _arguments_of(server: MCPServer[Any], ref: Any) -> list[str] | None:
    """The argument names the referenced prompt or resource template takes; None if there is none."""
    if isinstance(ref, PromptReference):
        for prompt in await server.list_prompts():
            if prompt.name == ref.name:
                return [a.name for a in prompt.arguments or []]
        return None
    for template in await server.list_resource_templates():
        if template.uri_template == ref.uri:
            try:
                return UriTemplate.parse(template.uri_template).variable_names
            except InvalidUriTemplate:
                return None
    return None


def placeholder() -> Handler:
    """Before the services are loaded (`new_server()` alone): the capability, with nothing to offer."""

    async def complete(ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams) -> CompleteResult:
        return empty()

    return complete


def handler(server: MCPServer[Any], app: Frontdesk, caller: Caller) -> Handler:
    from frontdesk.domain.errors import Forbidden, FrontdeskError, Invalid
    from frontdesk.services.audit import current_tool

    async def names(kind: str, p: Principal, typed: str) -> Completion:
        if kind == "patient":
            found, more = await app.patients.complete_names(p, typed, MAX_VALUES)
            return Completion(values=found, total=None if more else len(found), has_more=more)
        if kind == "doctor":
            return matching((d.name for d in await app.directory.list_providers(p)), typed)
        if kind == "service":
            return matching((s.name for s in await app.directory.list_services(p)), typed)
        return matching((b.name for b in await app.directory.list_datebooks(p)), typed)

    async def complete(ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams) -> CompleteResult:
        typed = params.argument.value
        if len(typed) > MAX_TYPED:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"argument.value: must be at most {MAX_TYPED} characters",
                data={"field": "argument.value"},
            )
        kind = KINDS.get(params.argument.name)
        if kind is None or params.argument.name not in (await _arguments_of(server, params.ref) or []):
            return empty()
        principal = caller(ctx)
        token = current_tool.set("completion/complete")  # the audit trail names what read the names
        try:
            return CompleteResult(completion=await names(kind, principal, typed))
        except Forbidden:
            return empty()  # role permitting: nothing to offer this credential
        except FrontdeskError as exc:  # its message is written for the caller
            code = INVALID_PARAMS if isinstance(exc, Invalid) else INTERNAL_ERROR
            raise MCPError(code=code, message=exc.message) from None
        finally:
            current_tool.reset(token)

    async def guarded(ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams) -> CompleteResult:
        try:
            return await complete(ctx, params)
        except MCPError:
            raise
        except Exception:
            logger.exception("completion/complete failed")  # the details stay in the server log
            message = "completion failed; the server log says why"
            raise MCPError(code=INTERNAL_ERROR, message=message) from None

    return guarded


def declare(server: MCPServer[Any]) -> None:
    server._lowlevel_server.add_request_handler("completion/complete", CompleteRequestParams, placeholder())


def install(server: MCPServer[Any], app: Frontdesk, caller: Caller) -> None:
    server._lowlevel_server.add_request_handler(
        "completion/complete", CompleteRequestParams, handler(server, app, caller)
    )
