"""Messaging rules: the seed's reminder configuration (seven sections of fields) as the practice's
`reminders.*` settings, and quiet hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.errors import Invalid
from frontdesk.domain.settings import Values

# section -> {field: settings key}. One key may back the seed's section and the settings chapter alike
# (sessionReminder24h.enabled is reminders.session24h): one value, shown in both places.
SECTIONS: dict[str, dict[str, str]] = {
    "bookingReminder": {
        "enabled": "reminders.booking",
        "daysAfter": "reminders.bookingDaysAfter",
        "maxReminders": "reminders.bookingMaxReminders",
        "interval": "reminders.bookingInterval",
    },
    "sessionReminder24h": {
        "enabled": "reminders.session24h",
        "hoursBefore": "reminders.session24hHoursBefore",
        "sendTime": "reminders.session24hSendTime",
    },
    "sessionReminder1h": {"enabled": "reminders.session1h", "hoursBefore": "reminders.session1hHoursBefore"},
    "paymentReminder": {
        "enabled": "reminders.payment",
        "daysAfter": "reminders.paymentDaysAfter",
        "maxReminders": "reminders.paymentMaxReminders",
        "interval": "reminders.paymentInterval",
    },
    "paymentOverdue": {
        "enabled": "reminders.paymentOverdue",
        "daysOverdue": "reminders.overdueDaysOverdue",
        "maxReminders": "reminders.overdueMaxReminders",
        "interval": "reminders.overdueInterval",
    },
    "notificationFollowup": {
        "enabled": "reminders.followup",
        "daysAfter": "reminders.followupDaysAfter",
        "maxFollowups": "reminders.followupMaxFollowups",
        "interval": "reminders.followupInterval",
    },
    "pendingConfirmation": {
        "enabled": "reminders.pendingConfirmation",
        "timeoutHours": "reminders.confirmationTimeoutHours",
        "autoConfirm": "reminders.pendingAutoConfirm",
    },
}
QUIET = {"start": "reminders.quietStart", "end": "reminders.quietEnd"}


def config(v: Values) -> dict[str, dict[str, Any]]:
    out = {name: {f: v[k] for f, k in fields.items()} for name, fields in SECTIONS.items()}
    out["quietHours"] = {f: v[k] for f, k in QUIET.items()}
    return out


def changes(sections: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """The settings a partial update of the seed's sections writes (a field left out is not changed)."""
    out: dict[str, Any] = {}
    table = SECTIONS | {"quietHours": QUIET}
    for name, given in sections.items():
        if given is None:
            continue
        for f, value in given.items():
            if value is not None:
                out[table[name][f]] = value
    if not out:
        raise Invalid("give at least one section with a field to change", field="sections")
    return out


def _hhmm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def outside_quiet(at: datetime, tz: str, start: str, end: str, *, before: datetime | None = None) -> datetime:
    """`at`, or when it falls in the quiet hours (local `start` to `end`, which may span midnight) the
    moment they end, unless that is not before `before` (the session itself): then the moment they
    begin, so a reminder still arrives ahead of its session."""
    if not start or not end or start == end:
        return at
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    s, e = _hhmm(start), _hhmm(end)
    t = local.time().replace(second=0, microsecond=0)
    spans_midnight = s > e
    quiet = (t >= s or t < e) if spans_midnight else (s <= t < e)
    if not quiet:
        return at
    day = local.date()
    began = day - timedelta(days=1) if spans_midnight and t < e else day
    ends_on = began + timedelta(days=1) if spans_midnight else began
    opens = datetime.combine(ends_on, e, zone).astimezone(at.tzinfo)
    if before is None or opens < before:
        return opens
    return (datetime.combine(began, s, zone) - timedelta(minutes=1)).astimezone(at.tzinfo)
