"""ORM rows to service DTOs."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.scheduling.status import FHIR_STATUS
from frontdesk.services import dto
from frontdesk.storage import models as m
from frontdesk.storage.repositories.appointments import Named


def practice(row: m.Practice) -> dto.PracticeInfo:
    return dto.PracticeInfo(id=row.id, slug=row.slug, name=row.name, timezone=row.timezone)


def datebook(row: m.Datebook) -> dto.DatebookInfo:
    return dto.DatebookInfo(
        id=row.id, name=row.name, timezone=row.timezone, address=row.address, city=row.city, state=row.state
    )


def provider(row: m.Provider) -> dto.ProviderInfo:
    return dto.ProviderInfo(
        id=row.id,
        uid=row.uid,
        name=row.name,
        specialty=row.specialty,
        active=row.active,
        address=row.address,
        city=row.city,
        state=row.state,
        image_url=row.image_url,
        latitude=row.latitude,
        longitude=row.longitude,
    )


def service(row: m.Service) -> dto.ServiceInfo:
    return dto.ServiceInfo(
        id=row.id,
        name=row.name,
        duration_minutes=row.duration_minutes,
        price_cents=row.price_cents,
        currency=row.currency,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
    )


def patient(row: m.Patient) -> dto.PatientInfo:
    return dto.PatientInfo(
        id=row.id,
        uid=row.uid,
        first_name=row.first_name,
        last_name=row.last_name,
        phone=row.phone,
        email=row.email,
        date_of_birth=row.date_of_birth,
    )


def api_key(row: m.ApiKey) -> dto.ApiKeyInfo:
    return dto.ApiKeyInfo(
        id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at, revoked_at=row.revoked_at
    )


# By stored value: building the enum member per row was a seventh of mapping a day's list.
_FHIR_BY_VALUE = {k.value: v for k, v in FHIR_STATUS.items()}


def appointment(r: Named | tuple[Any, ...]) -> dto.AppointmentInfo:
    # Unpacked by position (the column order of with_names): attribute access by name on a Row
    # costs several times more, and a busy day's list maps hundreds of them.
    (
        id_,
        datebook_id,
        datebook_name,
        timezone,
        provider_id,
        provider_name,
        patient_id,
        first_name,
        last_name,
        service_id,
        service_name,
        starts_at,
        ends_at,
        status,
        notes,
        hold_expires_at,
        allow_overlap,
    ) = r
    return dto.AppointmentInfo(
        id=id_,
        datebook_id=datebook_id,
        datebook_name=datebook_name,
        timezone=timezone,
        provider_id=provider_id,
        provider_name=provider_name,
        patient_id=patient_id,
        patient_name=f"{first_name} {last_name}".strip(),
        service_id=service_id,
        service_name=service_name,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        fhir_status=_FHIR_BY_VALUE[status],
        notes=notes,
        hold_expires_at=hold_expires_at,
        allow_overlap=allow_overlap,
    )


def booked(
    row: m.Appointment, book: m.Datebook, provider: m.Provider, patient: m.Patient, service: m.Service | None
) -> dto.AppointmentInfo:
    """A just-written appointment from the entities in hand, as `appointment` maps it read back."""
    return appointment(
        (
            row.id,
            book.id,
            book.name,
            book.timezone,
            provider.id,
            provider.name,
            patient.id,
            patient.first_name,
            patient.last_name,
            row.service_id,
            service.name if service is not None else None,
            row.starts_at,
            row.ends_at,
            row.status,
            row.notes,
            row.hold_expires_at,
            row.allow_overlap,
        )
    )
