"""Campaigns: a message to a segment of a practice's clients. Their states, the predefined audiences
(what "active", "inactive" and "new" mean, declared here once) and the segment a query selects.

A visit is a session that has started (its start is before now) and was not cancelled, missed or
entered in error: scheduled, confirmed, checked_in, in_progress, completed or documented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DRAFT, SCHEDULED, SENDING, SENT, CANCELLED = "draft", "scheduled", "sending", "sent", "cancelled"
STATES = (DRAFT, SCHEDULED, SENDING, SENT, CANCELLED)
SENDABLE = (DRAFT, SCHEDULED)

# A recipient's delivery: queued (a job will send it), sent, failed (refused or out of attempts),
# skipped (opted out of the channel), unconfirmed (a worker died mid-send: a person checks).
QUEUED, FAILED, SKIPPED, UNCONFIRMED = "queued", "failed", "skipped", "unconfirmed"
DELIVERY_STATES = (QUEUED, SENT, FAILED, SKIPPED, UNCONFIRMED)

VISIT_STATUSES = ("scheduled", "confirmed", "checked_in", "in_progress", "completed", "documented")

AUDIENCES = ("active", "inactive", "new", "with_whatsapp", "without_whatsapp")
AUDIENCE_HELP = (
    "active: a visit in the last communication.activeMonths months (default 6); "
    "inactive: no visit in that time (or never), on record longer than communication.newClientDays "
    "days (default 30), including clients whose record is marked inactive; "
    "new: added in the last communication.newClientDays days; "
    "with_whatsapp: a phone number on file and not opted out of WhatsApp; without_whatsapp: the others. "
    "Merged records are never included; an email campaign reaches those with an email address."
)


@dataclass(frozen=True, slots=True)
class Segment:
    """Which clients a campaign reaches. Every condition given must hold (None: any)."""

    visited_from: datetime | None = None  # the last visit at or after this
    visited_before: datetime | None = None  # the last visit before this ...
    include_never: bool = False  # ... or no visit at all
    never_visited: bool | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    has_phone: bool | None = None
    whatsapp: bool | None = None  # a phone and no WhatsApp opt-out (False: either missing)
    record_statuses: tuple[str, ...] = ("active",)  # the client record's status (never merged)


def predefined(audience: str, now: datetime, *, active_months: int, new_days: int) -> Segment:
    window = now - timedelta(days=round(active_months * 30.44))  # a month as its average length
    recent = now - timedelta(days=new_days)
    if audience == "active":
        return Segment(visited_from=window)
    if audience == "inactive":
        return Segment(
            visited_before=window,
            include_never=True,
            created_before=recent,
            record_statuses=("active", "inactive"),
        )
    if audience == "new":
        return Segment(created_from=recent)
    if audience == "with_whatsapp":
        return Segment(whatsapp=True)
    if audience == "without_whatsapp":
        return Segment(whatsapp=False)
    raise ValueError(audience)
