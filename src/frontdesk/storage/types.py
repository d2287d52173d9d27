"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out. PostgreSQL keeps timestamptz; SQLite keeps naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None]:
        # One C call per value instead of the impl's parser plus a Python hook after it: slot search
        # and day lists read thousands of these.
        if dialect.name == "sqlite":
            return _sqlite_utc
        return _aware_utc


_fromiso = datetime.fromisoformat


def _sqlite_utc(value: Any) -> datetime | None:
    """Naive UTC text as SQLite keeps it ('2026-11-23 08:00:00.000000') read as aware UTC."""
    moment: datetime
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26:  # SQLAlchemy's own storage format: microseconds, no offset
            return _fromiso(value + "+00:00")
        moment = _fromiso(value)
    else:
        moment = value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _aware_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = value
    if moment.tzinfo is UTC:
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
