"""Output models of the recurring-series and waitlist use cases (each tool's outputSchema)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from frontdesk.services.scheduling.shapes import AppointmentOut


class OccurrenceOut(BaseModel):
    position: int = Field(description="1-based position in the rule")
    start: str = Field(description="ISO 8601 with the datebook's offset")
    end: str
    status: str = Field(
        description="booked (an appointment exists), conflict (not booked: see reason), cancelled, or the "
        "appointment's own status (completed, no_show ...)"
    )
    appointment_id: int | None = None
    reason: str | None = Field(
        default=None, description="For a conflict: busy, outside_hours, time_off, past or nonexistent_time"
    )
    message: str | None = None


class SeriesOut(BaseModel):
    series_id: int | None = Field(description="The series' id; null when nothing was booked")
    status: str = Field(description="active, cancelled, or not_booked (on_conflict none with conflicts)")
    rule: str = Field(description="The RFC 5545 RRULE, expanded in the datebook's local time")
    timezone: str
    patient_id: int
    doctor_id: int
    datebook_id: int
    service_id: int | None
    booked: int
    conflicts: int
    occurrences: list[OccurrenceOut]


class SeriesCancelOut(BaseModel):
    series_id: int
    scope: str
    cancelled_appointment_ids: list[int]
    series: SeriesOut


class OfferOut(BaseModel):
    id: int
    appointment_id: int
    start: str
    end: str
    status: str = Field(description="open, accepted, expired or withdrawn")
    expires_at: str = Field(description="When the held slot is released if not accepted (ISO 8601)")


class WaitlistEntryOut(BaseModel):
    id: int
    patient_id: int
    service_id: int
    doctor_id: int | None
    datebook_id: int | None
    from_date: str | None
    to_date: str | None
    from_time: str | None = Field(description="Local HH:MM the wanted start is at or after")
    to_time: str | None = Field(description="Local HH:MM the appointment must end by")
    priority: int = Field(description="Higher is served first; equal priorities in order of joining")
    status: str = Field(description="waiting, offered (a slot is held for it), booked or left")
    joined_at: str
    offer: OfferOut | None = None


class WaitlistOut(BaseModel):
    entries: list[WaitlistEntryOut]
    count: int


class WaitlistAcceptOut(BaseModel):
    entry: WaitlistEntryOut
    appointment: AppointmentOut
