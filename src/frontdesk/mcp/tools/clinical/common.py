"""What the chart tools share: annotations, per-action field rules, idempotency, plain output."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from mcp_types import ToolAnnotations
from pydantic import Field

from frontdesk.domain.errors import Invalid
from frontdesk.services.idempotency import Idempotency, check_key

READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
# A "manage" tool lists and writes; some actions remove or correct records, so it is marked destructive.
MANAGE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
)

IdempotencyKey = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Optional, for writing actions: retrying with the same key and arguments returns the "
        "first result instead of writing twice; the same key with other arguments is an error",
    ),
]
PatientId = Annotated[int | None, Field(description="The patient's id (from findPatients)")]

# Arguments that are never an action's data.
_CONTROL = frozenset({"action", "ctx", "idempotency_key"})

__all__ = ["MANAGE", "READ", "Actions", "IdempotencyKey", "PatientId", "idem", "plain"]


@dataclass(frozen=True, slots=True)
class Action:
    summary: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


class Actions:
    """The fields each action of a manage tool takes. It writes the `action` parameter's description and
    a machine-readable `x-actions` map into the input schema, and refuses a call that sends a field its
    action does not use (naming the field) or misses a required one."""

    def __init__(self, **actions: Action) -> None:
        self.actions = actions

    def describe(self) -> str:
        lines = ["What to do. Fields per action:"]
        for name, a in self.actions.items():
            parts = [a.summary]
            if a.required:
                parts.append("requires " + ", ".join(a.required))
            if a.optional:
                parts.append("optional " + ", ".join(a.optional))
            lines.append(f"- {name}: " + "; ".join(parts))
        return "\n".join(lines)

    def schema_extra(self) -> dict[str, Any]:
        return {
            "x-actions": {
                name: {"required": list(a.required), "optional": list(a.optional)}
                for name, a in self.actions.items()
            }
        }

    def check(self, action: str, arguments: Mapping[str, Any]) -> None:
        spec = self.actions[action]
        for name in spec.required:
            if arguments.get(name) is None:
                raise Invalid(f"{name} is required for action {action}", field=name)
        allowed = set(spec.required) | set(spec.optional)
        for name, value in arguments.items():
            if name in _CONTROL or value is None or name in allowed:
                continue
            takes = ", ".join([*spec.required, *spec.optional]) or "no other fields"
            raise Invalid(f"{name} is not used by action {action} (it takes: {takes})", field=name)


def plain(value: Any) -> Any:
    """A DTO as JSON-ready data: ISO 8601 with offset for times (seconds), dates as YYYY-MM-DD."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(x) for x in value]
    if isinstance(value, dict):
        return {k: plain(x) for k, x in value.items()}
    return value


def args_of(local: Mapping[str, Any]) -> dict[str, Any]:
    """A tool's own arguments from its locals() (the context and closures left out)."""
    return {
        k: v
        for k, v in local.items()
        if k != "ctx" and isinstance(v, str | int | float | bool | list | dict | None)
    }


def idem(tool: str, key: str | None, arguments: Mapping[str, Any]) -> Any:
    key = check_key(key)
    if key is None:
        return None
    body = {k: v for k, v in arguments.items() if k != "idempotency_key" and v is not None}
    digest = json.dumps([tool, body], sort_keys=True, default=str)
    return Idempotency(key, hashlib.sha256(digest.encode()).hexdigest())
