"""MCP tools built from operation declarations (`frontdesk.services.operations`).

A `Binding` serves one operation on one surface: under the operation's own name or a seed's, with the
operation's fields or a seed's subset of them (some left out, some renamed). From it the registry makes
the SDK tool: its input schema (unknown arguments refused), its output schema (the operation's output
or, for an error result, the error object: every result validates against it), its annotations, and a
tool function.

Consent to a destructive change is asked through MCP elicitation when the client declared it, and
otherwise comes from `confirm: true`; the service that makes the change checks it. The caller comes
from the SDK's injected Context, the consent through the SDK's `Resolve` (which handles elicitation
in both protocol eras: a request mid-call, or an InputRequiredResult and a retry)."""

from __future__ import annotations

import base64
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, cast

from mcp.server.elicitation import AcceptedElicitation
from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import (
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
    ToolAnnotations,
)
from pydantic import BaseModel, Field, create_model

from frontdesk.domain.errors import FrontdeskError
from frontdesk.mcp.errors import error_schema, reword, tool_error
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.operations import Attachment, Call, Image, Input, Operation

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

# The tool function's own parameters (the tool's arguments come after them, by name).
CONTEXT, CALLER, CONSENT = "fd_context", "fd_caller", "fd_consent"


@dataclass(frozen=True)
class Binding:
    """One operation as one surface serves it."""

    operation: Operation
    name: str | None = None  # the tool's name on this surface (default: the operation's)
    title: str | None = None
    description: str | None = None
    omit: frozenset[str] = frozenset()  # optional fields this surface does not offer
    rename: Mapping[str, str] = field(default_factory=dict)  # surface argument -> operation field
    # The seed's contract: its client confirms a destructive tool with the person (annotations).
    client_confirms: bool = False
    meta: dict[str, Any] | None = None  # tool `_meta` (e.g. a ChatGPT widget template)
    # The surface's names for the tools the texts mention (operation name -> its tool name here).
    words: Mapping[str, str] = field(default_factory=dict)

    @property
    def tool_name(self) -> str:
        return self.name or self.operation.name

    def field_of(self, argument: str) -> str:
        return self.rename.get(argument, argument)

    @property
    def arguments(self) -> dict[str, str]:
        """Operation field -> this surface's argument, for the renamed ones: an error names the
        argument the caller gave, not the operation's field."""
        return {f: a for a, f in self.rename.items() if f != a}

    @property
    def error_words(self) -> dict[str, str]:
        """`words` plus the renamed fields a message may name (serviceId for service_id). Only names
        with an underscore: a plain one such as day or start is an English word in a message too."""
        return {**{f: a for f, a in self.arguments.items() if "_" in f}, **self.words}


class Agree(BaseModel):
    """What an elicitation asks for a destructive change."""

    confirm: bool = Field(
        title="Go ahead?", description="Yes: make the change. No: leave everything as it is"
    )


class _Arguments(ArgModelBase, Input):
    """Base of every tool's argument model: the SDK's, with Frontdesk's input rules."""


def arguments_model(binding: Binding) -> type[ArgModelBase]:
    op = binding.operation
    back = {f: a for a, f in binding.rename.items()}
    fields: dict[str, Any] = {}
    for name, info in op.input.model_fields.items():
        if name in binding.omit:
            if info.is_required():
                raise TypeError(f"{binding.tool_name}: cannot leave out required field {name}")
            continue
        fields[back.get(name, name)] = (Annotated[info.annotation, info], info.default)
    model = create_model(f"{binding.tool_name}Arguments", __base__=_Arguments, **fields)
    return cast(type[ArgModelBase], model)


def input_schema(binding: Binding, model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True)
    schema.pop("title", None)
    for prop in schema["properties"].values():
        if "description" in prop:
            prop["description"] = surface_text(prop["description"], binding)
    op = binding.operation
    if op.actions is not None:
        action = schema["properties"]["action"]
        # Fields this surface leaves out are no action's (they are optional, the binding checks).
        action["description"] = surface_text(
            _rename_text(op.describe_actions(binding.omit), binding), binding
        )
        action["x-actions"] = {
            name: {
                k: [_surface_name(binding, f) for f in v if f not in binding.omit] for k, v in spec.items()
            }
            for name, spec in op.actions_schema().items()
        }
    return schema


def output_schema(binding: Binding) -> dict[str, Any]:
    """The operation's output, or an error: `anyOf` keeps the output's own properties at the top."""
    op = binding.operation
    schema = op.output.model_json_schema(mode="serialization", by_alias=True)
    required = schema.pop("required", [])
    error_props, error_required = error_schema(op.style)
    schema.setdefault("properties", {}).update(error_props)
    schema["anyOf"] = [{"required": required}, {"required": error_required}]
    return schema


def tool_annotations(binding: Binding) -> ToolAnnotations:
    h = binding.operation.hints
    return ToolAnnotations(
        read_only_hint=h.read_only,
        destructive_hint=h.destructive,
        idempotent_hint=h.idempotent,
        open_world_hint=h.open_world,
    )


def _surface_name(binding: Binding, operation_field: str) -> str:
    return next((a for a, f in binding.rename.items() if f == operation_field), operation_field)


def _rename_text(text: str, binding: Binding) -> str:
    for argument, operation_field in binding.rename.items():
        text = text.replace(operation_field, argument)
    return text


def surface_text(text: str, binding: Binding) -> str:
    """`text` with the tools it names called as this surface calls them."""
    return reword(text, binding.words)


def _can_elicit(ctx: Context[Any, Any]) -> bool:
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    # A bare `elicitation: {}` (before modes existed) means form support; url-only does not.
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def _with_signature(fn: Callable[..., Any], head: list[tuple[str, Any]], names: list[str], ret: Any) -> None:
    """Give a generic function the signature the SDK reads: injected parameters, then the tool's
    arguments by name (so resolvers may take them too)."""
    params = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a) for n, a in head]
    params += [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Any) for n in names
    ]
    fn.__signature__ = inspect.Signature(params, return_annotation=ret)  # type: ignore[attr-defined]
    fn.__annotations__ = {**dict(head), **dict.fromkeys(names, Any), "return": ret}


def build_tool(binding: Binding, app: Frontdesk, who: Callable[..., Awaitable[Principal]]) -> Tool:
    """The SDK tool for one binding."""
    op = binding.operation
    model = arguments_model(binding)
    names = list(model.model_fields)
    caller = Annotated[Principal, Resolve(who)]
    error_words = binding.error_words

    def call_of(arguments: dict[str, Any], p: Principal, consent: Consent = Consent.MISSING) -> Call[Any]:
        values = {binding.field_of(k): v for k, v in arguments.items()}
        return Call(app, p, op.input.model_construct(**values), op.name, consent=consent)

    # The caller is read from the Context the SDK injects: resolving it with `Resolve` as well cost
    # about 0.1 ms a call (the SDK wraps every resolved value in a parametrized generic model).
    # Consent, which may need the person through elicitation in either protocol era, is `Resolve`'s job.
    head: list[tuple[str, Any]] = [(CONTEXT, Context)]
    if op.consents:

        async def consent(**kw: Any) -> Elicit[Agree] | Consent:
            ctx: Context[Any, Any] = kw.pop(CONTEXT)
            p: Principal = kw.pop(CALLER)
            if binding.client_confirms:
                return Consent.GIVEN
            if not _can_elicit(ctx):
                return Consent.GIVEN if kw.get("confirm") is True else Consent.MISSING
            question = await op.question(call_of(kw, p))
            return Consent.MISSING if question is None else Elicit(question, Agree)

        _with_signature(consent, [(CONTEXT, Context), (CALLER, caller)], names, Elicit[Agree] | Consent)
        head.append((CONSENT, Annotated[ElicitationResult[Agree], Resolve(consent)]))

    async def run(**kw: Any) -> CallToolResult:
        ctx: Context[Any, Any] = kw.pop(CONTEXT)
        outcome = kw.pop(CONSENT, None)
        try:
            p = await who(ctx)
            result = await op.invoke(call_of(kw, p, _consent(outcome)))
        except FrontdeskError as exc:
            return tool_error(exc, style=op.style, words=error_words, fields=binding.arguments)
        return CallToolResult(
            content=[
                TextContent(type="text", text=result.text),
                *map(_image, result.images),
                *map(_resource, result.attachments),
            ],
            structured_content=result.json(),
            _meta=result.meta,
        )

    _with_signature(run, head, names, CallToolResult)
    tool = Tool.from_function(
        run,
        name=binding.tool_name,
        title=binding.title or op.title,
        description=surface_text(binding.description or op.description, binding),
        annotations=tool_annotations(binding),
        meta=binding.meta,
        structured_output=False,
    )
    # The arguments are validated by our model (unknown ones refused, bounds and control characters
    # checked); every result is checked against the output schema (the SDK validates successes).
    tool.fn_metadata = FuncMetadata(
        arg_model=model, output_schema=output_schema(binding), output_model=op.output
    )
    tool.parameters = input_schema(binding, model)
    return tool


def _image(i: Image) -> ImageContent:
    return ImageContent(type="image", data=base64.b64encode(i.data).decode(), mime_type=i.mime_type)


def _resource(a: Attachment) -> EmbeddedResource | ResourceLink:
    """A resource the result returns: its content embedded when the operation read it, else a link."""
    if a.data is None:
        return ResourceLink(type="resource_link", uri=a.uri, name=a.name, mime_type=a.mime_type, size=a.size)
    if a.mime_type.startswith("text/"):
        text = TextResourceContents(uri=a.uri, mime_type=a.mime_type, text=a.data.decode("utf-8"))
        return EmbeddedResource(type="resource", resource=text)
    blob = BlobResourceContents(uri=a.uri, mime_type=a.mime_type, blob=base64.b64encode(a.data).decode())
    return EmbeddedResource(type="resource", resource=blob)


def _consent(outcome: Any) -> Consent:
    if outcome is None:
        return Consent.MISSING
    if isinstance(outcome, AcceptedElicitation):
        data = outcome.data
        if isinstance(data, Consent):
            return data
        return Consent.GIVEN if isinstance(data, Agree) and data.confirm else Consent.DECLINED
    return Consent.DECLINED  # declined or cancelled: nothing changes
