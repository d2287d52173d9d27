"""Recurrence rules (RFC 5545 RRULE, python-dateutil) expanded in a datebook's local wall-clock time,
so a 10:00 weekly series stays at 10:00 across a daylight-saving change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from frontdesk.domain.errors import Invalid

MAX_OCCURRENCES = 52
MAX_INTERVAL = 12
RULE_MAX = 500
FREQUENCIES: dict[str, tuple[Literal[1, 2], int]] = {
    "weekly": (du.WEEKLY, 1),
    "biweekly": (du.WEEKLY, 2),
    "monthly": (du.MONTHLY, 1),
}
# Appointments recur by the day or more: finer rules would stack occurrences on one another.
_TOO_FINE = {"HOURLY", "MINUTELY", "SECONDLY"}


def _parts(text: str) -> dict[str, str]:
    """An RRULE's NAME=value parts (upper-cased names)."""
    out = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        out[name.strip().upper()] = value.strip().upper()
    return out


def _bounded(r: du.rrule) -> bool:
    """Whether the rule carries its own COUNT or UNTIL."""
    parts = _parts(str(r).split("RRULE:", 1)[1])
    return "COUNT" in parts or "UNTIL" in parts


@dataclass(frozen=True, slots=True)
class Occurrence:
    position: int  # 1-based
    local: datetime  # naive wall-clock time in the datebook's zone
    start: datetime | None  # UTC; None when the wall-clock time does not exist or is ambiguous there
    problem: str | None = None  # nonexistent_time | ambiguous_time


def _rule(first: datetime, frequency: str | None, rule: str | None, interval: int | None) -> du.rrule:
    if (frequency is None) == (rule is None or not rule.strip()):
        raise Invalid(
            "give frequency (weekly, biweekly, monthly) or an RRULE, one of them", field="frequency"
        )
    if rule is not None and rule.strip():
        text = rule.strip()
        if len(text) > RULE_MAX or "\n" in text or "DTSTART" in text.upper():
            raise Invalid("rrule must be one RFC 5545 RRULE line without DTSTART", field="rrule")
        text = text[6:] if text.upper().startswith("RRULE:") else text
        try:
            parsed = du.rrulestr(text, dtstart=first)
        except (ValueError, TypeError):
            raise Invalid(
                "rrule is not a valid RFC 5545 RRULE (e.g. FREQ=WEEKLY;BYDAY=TU)", field="rrule"
            ) from None
        if not isinstance(parsed, du.rrule):
            raise Invalid("rrule must be a single RRULE", field="rrule")
        if _parts(text).get("FREQ") in _TOO_FINE:
            raise Invalid(
                "rrule must repeat daily or less often (FREQ=DAILY, WEEKLY, MONTHLY, YEARLY)", field="rrule"
            )
        if interval is not None:
            parsed = parsed.replace(interval=interval)
        return parsed
    if frequency not in FREQUENCIES:
        raise Invalid("frequency must be weekly, biweekly or monthly", field="frequency")
    freq, step = FREQUENCIES[frequency]
    return du.rrule(freq, dtstart=first, interval=step * (interval or 1))


def _until_local(until: str, tz: ZoneInfo) -> datetime:
    """`until` as a naive local time: a date means through the end of that day."""
    text = until.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Invalid("until must be an ISO 8601 date or date-time", field="until") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz).replace(tzinfo=None)
    return moment


def expand(
    first: datetime,
    tz: ZoneInfo,
    *,
    frequency: str | None = None,
    rule: str | None = None,
    interval: int | None = None,
    count: int | None = None,
    until: str | None = None,
) -> tuple[str, list[Occurrence]]:
    """The rule's text and its occurrences from `first` (aware), at most 52, each at the first one's
    local wall-clock time of day (unless the rule itself says otherwise)."""
    if interval is not None and not 1 <= interval <= MAX_INTERVAL:
        raise Invalid(f"interval must be 1 to {MAX_INTERVAL}", field="interval")
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise Invalid(f"count must be 1 to {MAX_OCCURRENCES}", field="count")
    local_first = first.astimezone(tz).replace(tzinfo=None)
    r = _rule(local_first, frequency, rule, interval)
    if count is not None:
        if _bounded(r):
            raise Invalid("give count in the rule or as count, not both", field="count")
        r = r.replace(count=count)
    if until is not None and until.strip():
        if _bounded(r):
            raise Invalid("give count or until, not both", field="until")
        end = _until_local(until, tz)
        if end < local_first:
            raise Invalid("until must not be before the first occurrence", field="until")
        r = r.replace(until=end)
    if not _bounded(r):
        raise Invalid(f"give count (at most {MAX_OCCURRENCES}) or until", field="count")
    locals_ = list(islice(iter(r), MAX_OCCURRENCES + 1))
    if len(locals_) > MAX_OCCURRENCES:
        raise Invalid(
            f"a series has at most {MAX_OCCURRENCES} occurrences; this rule makes more", field="count"
        )
    if not locals_:
        raise Invalid("the rule makes no occurrence", field="rrule" if rule else "frequency")
    text = str(r).split("RRULE:", 1)[1]
    return text, [_occurrence(i, local, tz) for i, local in enumerate(locals_, start=1)]


def _occurrence(position: int, local: datetime, tz: ZoneInfo) -> Occurrence:
    early, late = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        return Occurrence(position, local, None, "nonexistent_time")
    if early.utcoffset() != late.utcoffset():
        return Occurrence(position, local, None, "ambiguous_time")
    return Occurrence(position, local, early.astimezone(UTC))


def span(first: datetime, minutes: int) -> tuple[datetime, datetime]:
    return first, first + timedelta(minutes=minutes)
