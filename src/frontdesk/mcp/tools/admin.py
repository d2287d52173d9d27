"""Administration tools: the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from frontdesk.composition import Frontdesk
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.respond import Reply, run
from frontdesk.services.context import Principal

READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


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


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        title="List audit events",
        annotations=READ,
        description="Admins only: the practice's audit trail, oldest first. Every write and every read of "
        "patient data is recorded with when, who (user or key), which client and tool, the record and "
        "the outcome. Filter by time range (ISO 8601, UTC unless an offset is given), record type and "
        "id, or actor; at most `limit` (max 500) events.",
    )
    async def list_audit_events(
        ctx: Context,
        start: Annotated[str | None, Field(description="From (ISO 8601)")] = None,
        end: Annotated[str | None, Field(description="Until, exclusive (ISO 8601)")] = None,
        record_type: Annotated[str | None, Field(description="e.g. appointment, patient")] = None,
        record_id: Annotated[str | None, Field(description="The record's id")] = None,
        actor: Annotated[str | None, Field(description="e.g. user:3 or key:1")] = None,
        limit: Annotated[int, Field(ge=1, le=500)] = 200,
    ) -> Annotated[CallToolResult, AuditEventList]:
        async def act(p: Principal) -> Reply:
            rows = await app.audit.entries(
                p,
                start=start,
                end=end,
                record_type=record_type,
                record_id=record_id,
                actor=actor,
                limit=limit,
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
            text = (
                "\n".join(
                    f"{e.at} {e.actor} {e.action} {e.record_type or ''}:{e.record_id or ''} {e.outcome}"
                    for e in events
                )
                or "No audit events match."
            )
            return Reply(AuditEventList(events=events, count=len(events)), text)

        return await run(ctx, resolve, act)
