"""Output models of the clients tools on the seed surfaces (each tool's outputSchema): Coordinalo's in
camelCase, MedCor's in snake_case. Times are ISO 8601 with the practice's offset."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ClientOut(BaseModel):
    id: int
    uid: str
    firstName: str
    lastName: str
    email: str | None
    phone: str | None = Field(description="E.164, e.g. +14155550123")
    dateOfBirth: str | None
    status: str = Field(description="active, inactive or merged")
    titularProviderId: int | None = Field(description="Preferred when a booking names no provider")
    createdAt: str


class SessionOut(BaseModel):
    id: int
    scheduledAt: str
    endsAt: str
    status: str
    providerId: int
    providerName: str
    serviceId: int | None
    serviceName: str | None


class ClientListOut(BaseModel):
    clients: list[ClientOut]
    count: int
    nextCursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class ClientGetOut(BaseModel):
    client: ClientOut
    recentSessions: list[SessionOut] = Field(description="The latest sessions, newest first")


class ClientCreateOut(BaseModel):
    client: ClientOut
    linked: bool = Field(
        description="True: a client with this email already existed and is returned (nothing created)"
    )


class ClientUpdateOut(BaseModel):
    client: ClientOut


class PatientOut(BaseModel):
    id: int
    uid: str
    first_name: str
    last_name: str
    email: str | None
    phone_number: str | None = Field(description="E.164, e.g. +14155550123")
    date_of_birth: str | None
    status: str
    tenant_id: int
    created_at: str


class AppointmentOut(BaseModel):
    id: int
    appointment_date: str
    appointment_time: str
    starts_at: str
    status: str
    doctor_id: int
    doctor_name: str
    treatment_id: int | None
    treatment_name: str | None


class PatientListOut(BaseModel):
    results: list[PatientOut]
    count: int
    truncated: bool = Field(description="True when the tenant has more patients than listed here")


class PatientDetailsOut(BaseModel):
    patient: PatientOut
    recent_appointments: list[AppointmentOut] = Field(description="The latest appointments, newest first")


class PatientCreatedOut(BaseModel):
    patient: PatientOut
    linked: bool = Field(
        description="True: a patient with this email already existed and is returned (nothing created)"
    )
