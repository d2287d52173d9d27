"""Waitlist rules: what a waiting client accepts (local date window, time of day) and who is served
first. Pure: the service feeds it local times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from frontdesk.domain.errors import Invalid

# Named parts of the day, local wall-clock [from, to). "24:00" is the end of the day.
TIMES_OF_DAY: dict[str, tuple[str, str]] = {
    "morning": ("00:00", "12:00"),
    "afternoon": ("12:00", "17:00"),
    "evening": ("17:00", "24:00"),
}
PRIORITY_MIN, PRIORITY_MAX = 0, 100


def _minutes(text: str, field: str) -> int:
    if text == "24:00":
        return 24 * 60
    try:
        t = time.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{field} must be HH:MM (00:00 to 24:00)", field=field) from None
    if len(text) != 5 or t.second or t.microsecond:
        raise Invalid(f"{field} must be HH:MM (00:00 to 24:00)", field=field)
    return t.hour * 60 + t.minute


def time_window(
    time_of_day: str | None, from_time: str | None, to_time: str | None
) -> tuple[str | None, str | None]:
    """The local [from, to) an entry accepts: a named part of the day, or from-to HH:MM, or any time."""
    if time_of_day is not None:
        if from_time is not None or to_time is not None:
            raise Invalid("give time_of_day or from_time/to_time, not both", field="time_of_day")
        if time_of_day not in TIMES_OF_DAY:
            raise Invalid("time_of_day must be morning, afternoon or evening", field="time_of_day")
        return TIMES_OF_DAY[time_of_day]
    lo = _minutes(from_time, "from_time") if from_time is not None else 0
    hi = _minutes(to_time, "to_time") if to_time is not None else 24 * 60
    if hi <= lo:
        raise Invalid("to_time must be after from_time", field="to_time")
    return from_time, to_time


def check_dates(from_date: date | None, to_date: date | None) -> None:
    if from_date is not None and to_date is not None and to_date < from_date:
        raise Invalid("to_date must not be before from_date", field="to_date")


def check_priority(priority: int) -> int:
    if not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        raise Invalid(
            f"priority must be {PRIORITY_MIN} to {PRIORITY_MAX} (higher goes first)", field="priority"
        )
    return priority


@dataclass(frozen=True, slots=True)
class Wish:
    """What one entry accepts, in the slot's local terms."""

    from_date: date | None = None
    to_date: date | None = None
    from_time: str | None = None
    to_time: str | None = None

    def accepts(self, local_start: datetime, local_end: datetime) -> bool:
        """The slot [local_start, local_end) starts on an accepted date, within the accepted hours,
        and ends by their end (the same day)."""
        day = local_start.date()
        if self.from_date is not None and day < self.from_date:
            return False
        if self.to_date is not None and day > self.to_date:
            return False
        lo = _minutes(self.from_time, "from_time") if self.from_time else 0
        hi = _minutes(self.to_time, "to_time") if self.to_time else 24 * 60
        start = local_start.hour * 60 + local_start.minute
        end_day = local_end.date()
        end = local_end.hour * 60 + local_end.minute + (24 * 60 if end_day > day else 0)
        return lo <= start and end <= hi


def serving_key(priority: int, arrived: datetime, entry_id: int) -> tuple[int, datetime, int]:
    """Order of service: higher priority first, then who joined first (the id breaks exact ties)."""
    return (-priority, arrived, entry_id)
