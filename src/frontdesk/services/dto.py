"""What services hand back to adapters: plain data, never ORM models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PracticeInfo:
    id: int
    slug: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class DatebookInfo:
    id: int
    name: str
    timezone: str
    address: str | None
    city: str | None
    state: str | None


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    id: int
    uid: str
    name: str
    specialty: str
    active: bool
    address: str | None
    city: str | None
    state: str | None
    image_url: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    id: int
    name: str
    duration_minutes: int
    price_cents: int
    currency: str
    buffer_before_minutes: int
    buffer_after_minutes: int


@dataclass(frozen=True, slots=True)
class PatientInfo:
    id: int
    uid: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    date_of_birth: date | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class AppointmentInfo:
    id: int
    datebook_id: int
    datebook_name: str
    timezone: str
    provider_id: int
    provider_name: str
    patient_id: int
    patient_name: str
    service_id: int | None
    service_name: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    fhir_status: str
    notes: str | None
    hold_expires_at: datetime | None
    allow_overlap: bool


@dataclass(frozen=True, slots=True)
class Slot:
    slot_id: str
    datebook_id: int
    datebook_name: str
    timezone: str
    provider_id: int
    provider_name: str
    service_id: int | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewApiKey:
    info: ApiKeyInfo
    secret: str
