"""What the clients use cases hand back: plain data."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from frontdesk.services.clinical.dto import PatientRecord
from frontdesk.services.dto import AppointmentInfo


@dataclass(frozen=True, slots=True)
class Client:
    id: int
    uid: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: date | None
    status: str  # active | inactive | merged
    titular_provider_id: int | None
    created_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class ClientPage:
    clients: list[Client]
    next_cursor: str | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class ClientDetail:
    client: Client
    recent_sessions: list[AppointmentInfo]  # newest first


@dataclass(frozen=True, slots=True)
class Created:
    client: Client
    linked: bool  # True: a client with this email existed and is the one returned (nothing created)


@dataclass(frozen=True, slots=True)
class Draft:
    """A new client as a caller gives it."""

    first_name: str
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    titular_provider_id: int | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """Changes to a client: None leaves a field as it is; "" clears phone. `email` may only repeat
    the current address (it cannot be changed here)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    titular_provider_id: int | None = None
    clear_titular_provider: bool = False

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) not in (None, False)]


@dataclass(frozen=True, slots=True)
class Registered:
    """manage_patient add's answer: the record, and whether it already existed (same email)."""

    patient: PatientRecord
    linked: bool
