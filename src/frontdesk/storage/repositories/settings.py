"""A practice's stored settings (only the values that differ from the defaults)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.models import PracticeSetting


async def stored(s: AsyncSession, practice_id: int) -> dict[str, Any]:
    rows = await s.execute(
        select(PracticeSetting.key, PracticeSetting.value).where(PracticeSetting.practice_id == practice_id)
    )
    return {k: json.loads(v) for k, v in rows.all()}


async def put(
    s: AsyncSession,
    practice_id: int,
    values: Mapping[str, Any],
    defaults: Mapping[str, Any],
    at: datetime,
    by: str,
) -> None:
    """Keep `values`; a value equal to its default is not stored (the row goes)."""
    await s.execute(
        delete(PracticeSetting).where(
            PracticeSetting.practice_id == practice_id, PracticeSetting.key.in_(list(values))
        )
    )
    s.add_all(
        PracticeSetting(
            practice_id=practice_id, key=k, value=json.dumps(v), updated_at=at, updated_by=by[:120]
        )
        for k, v in values.items()
        if v != defaults[k]
    )
    await s.flush()
