"""Output models of the bookings feature: Coordinalo's sessions (camelCase), Frontdesk's and MedCor's
bookings (snake_case), lifecycle state and history, stats."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services import dto
from frontdesk.services.scheduling import shapes
from frontdesk.services.scheduling.bookings import BookingInfo, Stats
from frontdesk.services.scheduling.lifecycle import HistoryPage, StateInfo, TransitionInfo


class Money(BaseModel):
    amountCents: int
    currency: str


class SessionOut(BaseModel):
    """A session (Coordinalo's booking)."""

    id: int
    status: str = Field(description="Servicialo lifecycle state")
    fhirStatus: str
    scheduledAt: str = Field(description="ISO 8601 with the location's offset")
    endsAt: str
    clientId: int
    clientName: str
    providerId: int
    providerName: str
    serviceId: int | None
    serviceName: str | None
    locationId: int
    locationName: str
    notes: str | None
    noShowType: str | None = None
    rescheduledFromId: int | None = None
    rescheduledToId: int | None = None
    provenance: str | None = Field(default=None, description="self_declared for a retroactive session")
    price: Money | None = None
    penalty: Money | None = Field(default=None, description="A late cancel's penalty, for billing")
    assignedBy: str | None = Field(default=None, description="How the provider was chosen, if automatically")
    channel: str | None = Field(default=None, description="Booked publicly: the channel it came through")
    agentAssisted: bool | None = Field(default=None, description="Booked publicly: whether an agent helped")


class SessionList(BaseModel):
    sessions: list[SessionOut]
    count: int
    nextCursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class Rescheduled(BaseModel):
    cancelled: SessionOut
    booked: SessionOut


def _session_base(a: dto.AppointmentInfo) -> dict[str, Any]:
    tz = ZoneInfo(a.timezone)
    return {
        "id": a.id,
        "status": a.status,
        "fhirStatus": a.fhir_status,
        "scheduledAt": to_local_iso(a.starts_at, tz),
        "endsAt": to_local_iso(a.ends_at, tz),
        "clientId": a.patient_id,
        "clientName": a.patient_name,
        "providerId": a.provider_id,
        "providerName": a.provider_name,
        "serviceId": a.service_id,
        "serviceName": a.service_name,
        "locationId": a.datebook_id,
        "locationName": a.datebook_name,
        "notes": a.notes,
    }


def _money(cents: int | None, currency: str | None) -> dict[str, Any] | None:
    return None if cents is None or currency is None else {"amountCents": cents, "currency": currency}


def session(b: BookingInfo) -> dict[str, Any]:
    return _session_base(b.appointment) | {
        "noShowType": b.no_show_type,
        "rescheduledFromId": b.rescheduled_from_id,
        "rescheduledToId": b.rescheduled_to_id,
        "provenance": b.provenance,
        "price": _money(b.price_cents, b.currency),
        "penalty": _money(b.penalty_cents, b.penalty_currency),
        "assignedBy": b.assigned_by,
        "channel": b.channel,
        "agentAssisted": b.agent_assisted,
    }


def session_brief(a: dto.AppointmentInfo) -> dict[str, Any]:
    return _session_base(a)


class BookingOut(shapes.AppointmentOut):
    """An appointment with its lifecycle, billing and provenance fields (snake_case)."""

    no_show_type: str | None
    rescheduled_from_id: int | None
    rescheduled_to_id: int | None
    provenance: str | None
    price_cents: int | None
    currency: str | None
    penalty_cents: int | None
    penalty_currency: str | None
    assigned_by: str | None


def booking(b: BookingInfo) -> dict[str, Any]:
    return shapes.appointment_json(b.appointment) | {
        "no_show_type": b.no_show_type,
        "rescheduled_from_id": b.rescheduled_from_id,
        "rescheduled_to_id": b.rescheduled_to_id,
        "provenance": b.provenance,
        "price_cents": b.price_cents,
        "currency": b.currency,
        "penalty_cents": b.penalty_cents,
        "penalty_currency": b.penalty_currency,
        "assigned_by": b.assigned_by,
    }


# --- lifecycle ---------------------------------------------------------------------------------


class TransitionOut(BaseModel):
    sequence: int = Field(description="Order of the transition (cursor for the history)")
    from_: str | None = Field(alias="from", serialization_alias="from")
    to: str
    at: str
    by: str
    method: str = Field(description="manual, agent or auto")
    reason: str | None


class StateOut(BaseModel):
    session_id: int
    current_state: str
    fhir_status: str
    available_transitions: dict[str, str] = Field(description="Allowed now: action -> state it leads to")
    no_show_type: str | None
    rescheduled_from_id: int | None
    rescheduled_to_id: int | None
    provenance: str | None
    penalty: Money | None
    transitions: list[TransitionOut] = Field(description="The most recent transitions, oldest first")


class HistoryOut(BaseModel):
    session_id: int
    events: list[TransitionOut]
    stream_completeness: str = Field(
        description="complete: every transition since the booking was made; partial_pre_trigger: the "
        "booking predates the record of transitions"
    )
    next_cursor: int | None = Field(description="Pass as from_sequence for the next page")


def transition(t: TransitionInfo) -> dict[str, Any]:
    return {
        "sequence": t.id,
        "from": t.from_state,
        "to": t.to_state,
        "at": t.at.isoformat(),
        "by": t.by,
        "method": t.method,
        "reason": t.reason,
    }


def state(x: StateInfo) -> dict[str, Any]:
    return {
        "session_id": x.appointment_id,
        "current_state": x.current_state,
        "fhir_status": x.fhir_status,
        "available_transitions": x.available_transitions,
        "no_show_type": x.no_show_type,
        "rescheduled_from_id": x.rescheduled_from_id,
        "rescheduled_to_id": x.rescheduled_to_id,
        "provenance": x.provenance,
        "penalty": _money(x.penalty_cents, x.penalty_currency),
        "transitions": [transition(t) for t in x.recent],
    }


def history(h: HistoryPage) -> dict[str, Any]:
    return {
        "session_id": h.appointment_id,
        "events": [transition(t) for t in h.transitions],
        "stream_completeness": "complete" if h.complete else "partial_pre_trigger",
        "next_cursor": h.next_cursor,
    }


# --- stats -------------------------------------------------------------------------------------


class StatsOut(BaseModel):
    id: int | None
    name: str | None
    sessions: int
    delivered: int = Field(description="Completed or documented")
    no_shows: int
    cancelled: int
    no_show_rate: float = Field(description="No-shows over sessions that reached their time")
    booked_minutes: float
    open_minutes: float | None = Field(description="Working minutes in the range (providers)")
    occupancy: float | None = Field(description="Booked over working minutes, 0 to 1 (providers)")
    revenue_cents: int = Field(description="Service prices of delivered sessions, minor units")
    currency: str


class StatsList(BaseModel):
    start: str
    end: str
    rows: list[StatsOut]


def stats(x: Stats) -> dict[str, Any]:
    return {
        "id": x.key,
        "name": x.name,
        "sessions": x.sessions,
        "delivered": x.delivered,
        "no_shows": x.no_shows,
        "cancelled": x.cancelled,
        "no_show_rate": x.no_show_rate,
        "booked_minutes": x.busy_minutes,
        "open_minutes": x.open_minutes,
        "occupancy": x.occupancy,
        "revenue_cents": x.revenue_cents,
        "currency": x.currency,
    }


class LifecycleOut(BaseModel):
    """appointment_lifecycle's result: the state (actions state, transition) or a page of history."""

    session_id: int
    current_state: str | None = None
    fhir_status: str | None = None
    available_transitions: dict[str, str] | None = None
    no_show_type: str | None = None
    rescheduled_from_id: int | None = None
    rescheduled_to_id: int | None = None
    provenance: str | None = None
    penalty: Money | None = None
    transitions: list[TransitionOut] | None = Field(default=None, description="Recent transitions")
    events: list[TransitionOut] | None = Field(default=None, description="History page (action history)")
    stream_completeness: str | None = None
    next_cursor: int | None = None
