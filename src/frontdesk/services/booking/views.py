"""What the public booking flow hands back: public-safe fields only (no ids of patients, no other
bookings, provider details only where the agenda shows them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PublicContext:
    """Who is asking, as far as an anonymous request tells: its IP (rate limits, audit) and where
    it came in (mcp or page)."""

    ip: str
    via: str = "mcp"


@dataclass(frozen=True, slots=True)
class Identity:
    full_name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class PublicRequest:
    """A booking request: what, when, who (identity), how it came (channel, agent_assisted) and
    whether the person said they want it (human_intent)."""

    service_id: int
    starts_at: str
    identity: Identity
    channel: str
    agent_assisted: bool
    human_intent: bool
    provider_id: int | None = None
    language: str | None = None  # the page's: the confirmation link's message is in it


@dataclass(frozen=True, slots=True)
class PublicService:
    id: int
    name: str
    description: str | None
    category: str | None
    duration_minutes: int
    price_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class PublicSlot:
    start: datetime
    end: datetime
    timezone: str
    service_id: int | None
    location_name: str
    provider_id: int | None  # None where the agenda hides providers
    provider_name: str | None


@dataclass(frozen=True, slots=True)
class PublicBookingView:
    status: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    service_name: str | None
    location_name: str
    provider_name: str | None
    full_name: str
    channel: str
    agent_assisted: bool
    confirm_by: datetime | None  # a pending booking lapses then
    penalty_cents: int | None = None
    penalty_currency: str | None = None


@dataclass(frozen=True, slots=True)
class PublicCreated:
    booking: PublicBookingView
    confirmation_token: str
    booking_token: str
    confirmation_expires_at: datetime
    confirmation_sent_to: str | None = None  # the channel the confirmation link went to, if any
