"""/mcp's manage_calendar_feeds: a provider's private calendar feed URL (create: shown once, replacing
any earlier one; revoke; status). Owners and admins create and revoke; anyone who reads appointments
sees the status (never the URL again)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.services.operations import MANAGE, Action, Call, Id, Input, Operation, Result
from frontdesk.services.scheduling.feeds import FeedStatus


class FeedIn(Input):
    action: Literal["create", "revoke", "status"]
    provider_id: Annotated[Id, Field(description="The provider (doctor) whose feed this is")]


class FeedOut(BaseModel):
    action: str
    providerId: int
    providerName: str
    active: bool = Field(description="Whether a feed URL works now")
    createdAt: datetime | None = None
    createdBy: str | None = None
    revokedAt: datetime | None = None
    lastFetchedAt: datetime | None = Field(None, description="When a calendar last fetched it")
    url: str | None = Field(
        None, description="(create only) the subscription URL: shown this once, stored only as a hash"
    )


def _out(call: Call[Any], x: FeedStatus) -> Result:
    out = FeedOut(
        action=str(call.args.action),
        providerId=x.provider_id,
        providerName=x.provider_name,
        active=x.active,
        createdAt=x.created_at,
        createdBy=x.created_by,
        revokedAt=x.revoked_at,
        lastFetchedAt=x.last_fetched_at,
        url=x.url,
    )
    if x.url:
        text = (
            f"Calendar feed for {x.provider_name}: {x.url}\nSubscribe to it from Google Calendar (Other "
            "calendars > From URL) or Apple Calendar (New Calendar Subscription). It is shown only now; "
            "creating a new one stops this one."
        )
    elif x.active:
        last = x.last_fetched_at.isoformat() if x.last_fetched_at else "never"
        text = f"{x.provider_name} has an active calendar feed (last fetched: {last})."
    else:
        text = f"{x.provider_name} has no active calendar feed."
    return Result(out, text)


async def _create(call: Call[Any]) -> Result:
    return _out(call, await call.app.calendar_feeds.create(call.p, call.args.provider_id))


async def _revoke(call: Call[Any]) -> Result:
    return _out(call, await call.app.calendar_feeds.revoke(call.p, call.args.provider_id))


async def _status(call: Call[Any]) -> Result:
    return _out(call, await call.app.calendar_feeds.status(call.p, call.args.provider_id))


MANAGE_CALENDAR_FEEDS = Operation(
    name="manage_calendar_feeds",
    title="Provider calendar feeds",
    description="A provider's private calendar feed (iCalendar) that Google, Apple or Outlook calendars "
    "subscribe to: their appointments from 30 days back to a year ahead, with the service and the "
    "client's initials (or full names, setting communication.calendarFeedNames). create (owners and "
    "admins) returns the URL once and replaces any earlier one; revoke stops it; status tells whether "
    "one is active and when it was last fetched.",
    scopes=(access.APPOINTMENTS_READ, access.ADMIN),
    hints=MANAGE,
    input=FeedIn,
    output=FeedOut,
    actions={
        "create": Action("a new feed URL, shown once (admins)", _create, ("provider_id",)),
        "revoke": Action("stop the feed (admins)", _revoke, ("provider_id",)),
        "status": Action("whether a feed is active, when last fetched", _status, ("provider_id",)),
    },
)
