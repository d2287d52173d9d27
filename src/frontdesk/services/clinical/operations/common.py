"""What the chart operations share: field types with their bounds, and DTOs as plain JSON-ready data."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from frontdesk.services.operations import MULTILINE, OptionalId

PatientId = Annotated[OptionalId, Field(description="The patient's id (from find_patients)")]
Day = Annotated[str | None, Field(max_length=40, description="YYYY-MM-DD")]
Moment = Annotated[str | None, Field(max_length=40)]  # ISO 8601 date-time
Comments = Annotated[str | None, Field(max_length=500), MULTILINE]
Limit200 = Annotated[int | None, Field(ge=1, le=200)]


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
