"""Audit records, written inside the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.services.context import Principal
from frontdesk.storage.models import AuditEvent


def record(
    session: AsyncSession,
    principal: Principal,
    now: datetime,
    action: str,
    record_type: str | None = None,
    record_id: object | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    session.add(
        AuditEvent(
            practice_id=principal.practice_id,
            at=now,
            actor=principal.actor[:120],
            action=action,
            record_type=record_type,
            record_id=None if record_id is None else str(record_id),
            outcome=outcome,
            detail=detail[:500] if detail else None,
        )
    )
