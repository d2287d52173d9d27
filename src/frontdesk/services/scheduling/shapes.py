"""Output models: they become each tool's outputSchema and shape its structuredContent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from frontdesk.domain.timeparse import to_local_iso
from frontdesk.services import dto


class DatebookOut(BaseModel):
    id: int
    name: str
    timezone: str


class DatebookList(BaseModel):
    datebooks: list[DatebookOut]


class DoctorOut(BaseModel):
    id: int
    uid: str
    name: str
    speciality: str


class DoctorList(BaseModel):
    doctors: list[DoctorOut]


class ServiceOut(BaseModel):
    id: int
    name: str
    duration_minutes: int
    price: str
    buffer_before_minutes: int
    buffer_after_minutes: int


class ServiceList(BaseModel):
    services: list[ServiceOut]


class AppointmentOut(BaseModel):
    id: int
    start: str = Field(description="ISO 8601 with the datebook's offset")
    end: str
    doctor_id: int
    doctor_name: str
    datebook_id: int
    datebook_name: str
    patient_id: int
    patient_name: str
    service_id: int | None
    service_name: str | None
    status: str
    fhir_status: str
    notes: str | None
    hold_expires_at: str | None = Field(description="For a held slot: when the hold lapses (ISO 8601)")
    allow_overlap: bool


class AppointmentList(BaseModel):
    appointments: list[AppointmentOut]
    count: int
    truncated: bool = Field(description="True when more than 500 appointments matched; narrow the range")


class PatientOut(BaseModel):
    id: int
    uid: str
    firstname: str
    lastname: str


class PatientList(BaseModel):
    patients: list[PatientOut]
    count: int


class SlotOut(BaseModel):
    slot_id: str
    start: str
    end: str
    doctor_id: int
    doctor_name: str
    datebook_id: int
    datebook_name: str
    service_id: int | None


class SlotList(BaseModel):
    slots: list[SlotOut]
    count: int


# Long lists are shaped straight into JSON-ready dicts, and single results are models built from the
# same dicts without validation: the fields come from our own typed DTOs, and the SDK validates the
# whole structuredContent against the tool's output model before it leaves. Validating (or even
# constructing models) here as well was most of the shaping time of a busy day's list.


def appointment_json(a: dto.AppointmentInfo) -> dict[str, Any]:
    """An AppointmentOut as the JSON object it dumps to."""
    tz = ZoneInfo(a.timezone)
    return {
        "id": a.id,
        "start": to_local_iso(a.starts_at, tz),
        "end": to_local_iso(a.ends_at, tz),
        "doctor_id": a.provider_id,
        "doctor_name": a.provider_name,
        "datebook_id": a.datebook_id,
        "datebook_name": a.datebook_name,
        "patient_id": a.patient_id,
        "patient_name": a.patient_name,
        "service_id": a.service_id,
        "service_name": a.service_name,
        "status": a.status,
        "fhir_status": a.fhir_status,
        "notes": a.notes,
        "hold_expires_at": to_local_iso(a.hold_expires_at, tz) if a.hold_expires_at else None,
        "allow_overlap": a.allow_overlap,
    }


def appointment(a: dto.AppointmentInfo) -> AppointmentOut:
    return AppointmentOut.model_construct(**appointment_json(a))


def appointment_list(rows: Sequence[dto.AppointmentInfo], truncated: bool) -> dict[str, Any]:
    """An AppointmentList as the JSON object it dumps to."""
    return {"appointments": [appointment_json(a) for a in rows], "count": len(rows), "truncated": truncated}


def slot_json(s: dto.Slot) -> dict[str, Any]:
    """A SlotOut as the JSON object it dumps to."""
    tz = ZoneInfo(s.timezone)
    return {
        "slot_id": s.slot_id,
        "start": to_local_iso(s.starts_at, tz),
        "end": to_local_iso(s.ends_at, tz),
        "doctor_id": s.provider_id,
        "doctor_name": s.provider_name,
        "datebook_id": s.datebook_id,
        "datebook_name": s.datebook_name,
        "service_id": s.service_id,
    }


def slot(s: dto.Slot) -> SlotOut:
    return SlotOut.model_construct(**slot_json(s))


def slot_list(rows: Sequence[dto.Slot]) -> dict[str, Any]:
    """A SlotList as the JSON object it dumps to."""
    return {"slots": [slot_json(x) for x in rows], "count": len(rows)}


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def line(a: dto.AppointmentInfo) -> str:
    tz = ZoneInfo(a.timezone)
    start, end = a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)
    what = f" — {a.notes}" if a.notes else (f" — {a.service_name}" if a.service_name else "")
    # Spelled out rather than strftime (locale-independent, and a fifth of the cost per line).
    when = (
        f"{_DAYS[start.weekday()]} {start.day:02d} {_MONTHS[start.month - 1]} "
        f"{start.hour:02d}:{start.minute:02d}–{end.hour:02d}:{end.minute:02d}"
    )
    return f"#{a.id} {when} {a.patient_name} with {a.provider_name} ({a.status}){what}"
