"""Administration operations: the audit trail."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.operations import READ, Call, Input, Operation, Result


class AuditEventOut(BaseModel):
    seq: int
    at: str = Field(description="ISO 8601, UTC")
    actor: str
    client: str | None
    tool: str | None
    action: str
    record_type: str | None
    record_id: str | None
    outcome: str
    detail: str | None


class AuditEventList(BaseModel):
    events: list[AuditEventOut]
    count: int


Short = Annotated[str | None, Field(max_length=120)]


class AuditIn(Input):
    start: Annotated[str | None, Field(max_length=40, description="From (ISO 8601)")] = None
    end: Annotated[str | None, Field(max_length=40, description="Until, exclusive (ISO 8601)")] = None
    record_type: Annotated[Short, Field(description="e.g. appointment, patient")] = None
    record_id: Annotated[Short, Field(description="The record's id")] = None
    actor: Annotated[Short, Field(description="e.g. user:3 or key:1")] = None
    limit: Annotated[int, Field(ge=1, le=500)] = 200


async def _events(call: Call[AuditIn]) -> Result:
    a = call.args
    rows = await call.app.audit.entries(
        call.p,
        start=a.start,
        end=a.end,
        record_type=a.record_type,
        record_id=a.record_id,
        actor=a.actor,
        limit=a.limit,
    )
    events = [
        AuditEventOut(
            seq=r.seq,
            at=r.at.isoformat(),
            actor=r.actor,
            client=r.client,
            tool=r.tool,
            action=r.action,
            record_type=r.record_type,
            record_id=r.record_id,
            outcome=r.outcome,
            detail=r.detail,
        )
        for r in rows
    ]
    text = "\n".join(
        f"{e.at} {e.actor} {e.action} {e.record_type or ''}:{e.record_id or ''} {e.outcome}" for e in events
    )
    return Result(AuditEventList(events=events, count=len(events)), text or "No audit events match.")


LIST_AUDIT_EVENTS = Operation(
    name="list_audit_events",
    title="List audit events",
    description="Admins only: the practice's audit trail, oldest first. Every write and every read of "
    "patient data is recorded with when, who (user or key), which client and tool, the record and "
    "the outcome. Filter by time range (ISO 8601, UTC unless an offset is given), record type and "
    "id, or actor; at most `limit` (max 500) events.",
    scopes=(access.ADMIN,),
    hints=READ,
    input=AuditIn,
    output=AuditEventList,
    run=_events,
)

OPERATIONS = (LIST_AUDIT_EVENTS,)
