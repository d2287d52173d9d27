"""ISO 8601 input times: offsets honoured, naive times read in a zone, DST gaps and folds refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk.domain.errors import Invalid


def zone(name: str, *, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"{field} must be an IANA time zone name such as Europe/Lisbon", field=field) from exc


def localize(naive: datetime, tz: ZoneInfo, *, field: str) -> datetime:
    """Attach `tz` to a wall-clock time, refusing one that does not exist or exists twice."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    # A wall time in a DST gap does not survive a round trip through UTC.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise Invalid(
            f"{field}: {naive.isoformat()} does not exist in {tz.key} "
            "(the clocks skip it for daylight saving)",
            field=field,
        )
    if first.utcoffset() != second.utcoffset():
        o1, o2 = _fmt_offset(first.utcoffset()), _fmt_offset(second.utcoffset())
        raise Invalid(
            f"{field}: {naive.isoformat()} happens twice in {tz.key}; add an offset ({o1} or {o2})",
            field=field,
        )
    return first


def _fmt_offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_datetime(value: str, tz: ZoneInfo, *, field: str) -> datetime:
    """Parse ISO 8601; a time without offset is wall-clock time in `tz`. Returns aware UTC."""
    text = value.strip()
    if not text:
        raise Invalid(f"{field} is required (ISO 8601, e.g. 2026-03-10T15:00)", field=field)
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError as exc:
            raise Invalid(
                f"{field} must be an ISO 8601 date-time such as 2026-03-10T15:00 or 2026-03-10T15:00-05:00",
                field=field,
            ) from exc
    if parsed.tzinfo is None:
        parsed = localize(parsed, tz, field=field)
    return parsed.astimezone(UTC)


def parse_date(value: str, *, field: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise Invalid(f"{field} must be an ISO 8601 date such as 2026-03-10", field=field) from exc


def to_local_iso(moment: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 with the zone's offset at that instant, seconds precision."""
    return moment.astimezone(tz).isoformat(timespec="seconds")
