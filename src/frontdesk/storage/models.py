"""SQLAlchemy models. Alembic migrations (storage/migrations) are the only way the schema is made.

Every table carries `practice_id` and every index and unique key starts with it, so the schema can be
distributed by practice later. References between practice tables are composite
(practice_id, x_id) -> (practice_id, id): the database itself refuses a cross-practice link.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from frontdesk.domain.validation import NOTES_MAX
from frontdesk.storage.types import UTCDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identity columns.
ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Practice(Base):
    __tablename__ = "practices"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _fk(local: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["practice_id", local], [f"{table}.practice_id", f"{table}.id"])


class _Tenant:
    """Columns every practice-scoped table has."""

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    practice_id: Mapped[int] = mapped_column(ID, ForeignKey("practices.id"))


class ApiKey(_Tenant, Base):
    __tablename__ = "api_keys"
    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_api_keys_practice_id"),
        UniqueConstraint("practice_id", "key_hash", name="uq_api_keys_hash"),
    )


class Datebook(_Tenant, Base):
    __tablename__ = "datebooks"
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    state: Mapped[str | None] = mapped_column(String(100), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_datebooks_practice_id"),
        UniqueConstraint("practice_id", "name", name="uq_datebooks_name"),
    )


class Provider(_Tenant, Base):
    __tablename__ = "providers"
    uid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(120))
    specialty: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    state: Mapped[str | None] = mapped_column(String(100), nullable=True)
    image_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    latitude: Mapped[float | None] = mapped_column(nullable=True)
    longitude: Mapped[float | None] = mapped_column(nullable=True)
    # Practice setup (migration 0008): contact, commission and coverage areas (a JSON list of text).
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    commission_percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    coverage_areas: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_providers_practice_id"),
        UniqueConstraint("practice_id", "uid", name="uq_providers_uid"),
    )


class Service(_Tenant, Base):
    __tablename__ = "services"
    name: Mapped[str] = mapped_column(String(120))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Practice setup (migration 0008).
    category: Mapped[str | None] = mapped_column(String(80), nullable=True)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_services_practice_id"),
        UniqueConstraint("practice_id", "name", name="uq_services_name"),
    )


class WorkingHours(_Tenant, Base):
    """A weekly window (kind='work') or break (kind='break') of one provider at one datebook."""

    __tablename__ = "working_hours"
    provider_id: Mapped[int] = mapped_column(ID)
    datebook_id: Mapped[int] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(8), default="work")
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[str] = mapped_column(String(5))  # HH:MM wall clock in the datebook's zone
    end_time: Mapped[str] = mapped_column(String(5))
    __table_args__ = (
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        Index("ix_working_hours_provider", "practice_id", "provider_id", "datebook_id"),
    )


class DateOverride(_Tenant, Base):
    """Special hours on one date; a row with no times closes the day."""

    __tablename__ = "date_overrides"
    provider_id: Mapped[int] = mapped_column(ID)
    datebook_id: Mapped[int] = mapped_column(ID)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    end_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    __table_args__ = (
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        Index("ix_date_overrides_provider_day", "practice_id", "provider_id", "day"),
    )


class TimeOff(_Tenant, Base):
    __tablename__ = "time_off"
    provider_id: Mapped[int] = mapped_column(ID)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    __table_args__ = (
        _fk("provider_id", "providers"),
        Index("ix_time_off_provider", "practice_id", "provider_id", "starts_at"),
    )


class Patient(_Tenant, Base):
    __tablename__ = "patients"
    uid: Mapped[str] = mapped_column(String(36))
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    # Lower-cased, accent-stripped "first last" for search.
    search_name: Mapped[str] = mapped_column(String(250))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    # The email that identifies the person in this practice (lower-cased; one patient per address).
    # NULL when none, and for the newer of duplicates that existed before the rule (migration 0010).
    email_key: Mapped[str | None] = mapped_column(String(254), nullable=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_patients_practice_id"),
        UniqueConstraint("practice_id", "uid", name="uq_patients_uid"),
        UniqueConstraint("practice_id", "email_key", name="uq_patients_email_key"),
        Index("ix_patients_search_name", "practice_id", "search_name"),
    )


class Appointment(_Tenant, Base):
    __tablename__ = "appointments"
    datebook_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int] = mapped_column(ID)
    patient_id: Mapped[int] = mapped_column(ID)
    service_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(String(NOTES_MAX), nullable=True)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    allow_overlap: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Bookings (migration 0009): who missed a no-show, the rescheduled link both ways, where a
    # retroactive session came from, a late cancel's penalty, how the provider was chosen.
    no_show_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    rescheduled_from_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    rescheduled_to_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    provenance: Mapped[str | None] = mapped_column(String(20), nullable=True)
    penalty_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    penalty_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    __table_args__ = (
        _fk("rescheduled_from_id", "appointments"),
        _fk("rescheduled_to_id", "appointments"),
        _fk("datebook_id", "datebooks"),
        _fk("provider_id", "providers"),
        _fk("patient_id", "patients"),
        _fk("service_id", "services"),
        UniqueConstraint("practice_id", "id", name="uq_appointments_practice_id"),
        Index("ix_appointments_provider_start", "practice_id", "provider_id", "starts_at"),
        Index("ix_appointments_datebook_start", "practice_id", "datebook_id", "starts_at"),
        Index("ix_appointments_patient", "practice_id", "patient_id"),
        Index("ix_appointments_patient_start", "practice_id", "patient_id", "starts_at"),
    )


class AuditEvent(_Tenant, Base):
    """Who did what to which record. Append-only; per practice, each entry's hash covers its fields
    and the previous entry's hash (`seq` orders the chain), so an edit or deletion breaks the chain."""

    __tablename__ = "audit_events"
    seq: Mapped[int | None] = mapped_column(ID, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    client: Mapped[str | None] = mapped_column(String(120), nullable=True)
    tool: Mapped[str | None] = mapped_column(String(60), nullable=True)
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(500), nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    __table_args__ = (
        Index("ix_audit_events_at", "practice_id", "at"),
        UniqueConstraint("practice_id", "seq", name="uq_audit_events_seq"),
    )


class IdempotencyKey(_Tenant, Base):
    """A write tool's idempotency key: the first call's argument fingerprint and its result."""

    __tablename__ = "idempotency_keys"
    actor: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (UniqueConstraint("practice_id", "actor", "key", name="uq_idempotency_keys_key"),)


# --- Staff accounts and OAuth (migration 0003) -------------------------------------------------------


class StaffUser(_Tenant, Base):
    """A person who signs in to a practice (the OAuth authorize page). Passwords are argon2 hashes."""

    __tablename__ = "staff_users"
    email: Mapped[str] = mapped_column(String(254))  # lower-cased
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # refuses a code twice
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_staff_users_practice_id"),
        UniqueConstraint("practice_id", "email", name="uq_staff_users_email"),
    )


class OAuthClient(Base):
    """A registered OAuth client (dynamic registration or the CLI). The one table without practice_id:
    a client such as a Claude or ChatGPT connector registers before anyone chose a practice, so this
    is a global registry, like a reference table in a database distributed by practice. Secrets are
    kept as SHA-256 hashes only."""

    __tablename__ = "oauth_clients"
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    metadata_json: Mapped[str] = mapped_column(Text)  # RFC 7591 metadata as registered, without the secret
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OAuthAuthorization(_Tenant, Base):
    """One pass through the authorize page: the signed-in user's pending consent, then (if approved)
    the single-use authorization code and the grant it produced."""

    __tablename__ = "oauth_authorizations"
    user_id: Mapped[int] = mapped_column(ID)
    client_id: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(500))
    resource: Mapped[str] = mapped_column(String(500))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    redirect_uri_explicit: Mapped[bool] = mapped_column(Boolean)
    code_challenge: Mapped[str] = mapped_column(String(128))
    state: Mapped[str | None] = mapped_column(String(500), nullable=True)
    consent_hash: Mapped[str] = mapped_column(String(64))
    consent_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)  # approved | denied
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    code_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    grant_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("user_id", "staff_users"),
        _fk("grant_id", "oauth_grants"),
        UniqueConstraint("practice_id", "consent_hash", name="uq_oauth_authorizations_consent"),
        UniqueConstraint("practice_id", "code_hash", name="uq_oauth_authorizations_code"),
    )


class OAuthGrant(_Tenant, Base):
    """A token family: everything issued from one authorization (or one client-credentials request).
    Revoking the grant revokes every access and refresh token in it."""

    __tablename__ = "oauth_grants"
    client_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))  # user:<id> or key:<id>
    user_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    key_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    scopes: Mapped[str] = mapped_column(String(500))
    resource: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())  # absolute: no token outlives it
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    __table_args__ = (
        _fk("user_id", "staff_users"),
        _fk("key_id", "api_keys"),
        UniqueConstraint("practice_id", "id", name="uq_oauth_grants_practice_id"),
        Index("ix_oauth_grants_actor", "practice_id", "actor"),
        Index("ix_oauth_grants_client", "practice_id", "client_id"),
    )


class OAuthToken(_Tenant, Base):
    """An access or refresh token, stored only as its SHA-256 hash."""

    __tablename__ = "oauth_tokens"
    grant_id: Mapped[int] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(8))  # access | refresh
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # a rotated refresh token
    __table_args__ = (
        _fk("grant_id", "oauth_grants"),
        UniqueConstraint("practice_id", "token_hash", name="uq_oauth_tokens_hash"),
        Index("ix_oauth_tokens_grant", "practice_id", "grant_id"),
    )


# --- Practice settings (migration 0007) -------------------------------------------------------------


class PracticeSetting(Base):
    """One setting of a practice that differs from its default (domain/settings.py), as JSON."""

    __tablename__ = "practice_settings"
    practice_id: Mapped[int] = mapped_column(ID, ForeignKey("practices.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(120))


class TitularProvider(_Tenant, Base):
    """A client's titular provider (Coordinalo): preferred when a booking names no provider, and whose
    catalogue availability by client shows. At most one per client."""

    __tablename__ = "titular_providers"
    patient_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int] = mapped_column(ID)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("provider_id", "providers"),
        UniqueConstraint("practice_id", "patient_id", name="uq_titular_providers_patient"),
        Index("ix_titular_providers_provider", "practice_id", "provider_id"),
    )


# --- Recurring series and waitlist (migration 0011) -------------------------------------------------


class AppointmentSeries(_Tenant, Base):
    """A recurring series: its rule (RFC 5545 RRULE, expanded in the datebook's local time) and what
    every occurrence shares. Its appointments are linked through series_occurrences."""

    __tablename__ = "appointment_series"
    patient_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int] = mapped_column(ID)
    datebook_id: Mapped[int] = mapped_column(ID)
    service_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    rule: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the first occurrence (dtstart)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # active | cancelled
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        _fk("service_id", "services"),
        UniqueConstraint("practice_id", "id", name="uq_appointment_series_practice_id"),
        Index("ix_appointment_series_patient", "practice_id", "patient_id"),
    )


class SeriesOccurrence(_Tenant, Base):
    """One booked occurrence of a series: its appointment and its position in the rule (1-based)."""

    __tablename__ = "series_occurrences"
    series_id: Mapped[int] = mapped_column(ID)
    appointment_id: Mapped[int] = mapped_column(ID)
    position: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        _fk("series_id", "appointment_series"),
        _fk("appointment_id", "appointments"),
        UniqueConstraint("practice_id", "id", name="uq_series_occurrences_practice_id"),
        UniqueConstraint("practice_id", "series_id", "position", name="uq_series_occurrences_position"),
        UniqueConstraint("practice_id", "appointment_id", name="uq_series_occurrences_appointment"),
    )


class WaitlistEntry(_Tenant, Base):
    """A client waiting for a service (optionally a provider, datebook, local date window and local
    time of day). Served by priority (higher first), then arrival."""

    __tablename__ = "waitlist_entries"
    patient_id: Mapped[int] = mapped_column(ID)
    service_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    datebook_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    from_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    to_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    from_time: Mapped[str | None] = mapped_column(String(5), nullable=True)  # HH:MM local
    to_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # waiting | offered | booked | left
    notes: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("service_id", "services"),
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        UniqueConstraint("practice_id", "id", name="uq_waitlist_entries_practice_id"),
        Index("ix_waitlist_entries_queue", "practice_id", "status", "priority", "created_at"),
    )


class WaitlistOffer(_Tenant, Base):
    """A freed slot held (a held appointment) for one entry until `expires_at`: the offer event the
    messaging feature sends (`sent_at`). open -> accepted | expired | withdrawn."""

    __tablename__ = "waitlist_offers"
    entry_id: Mapped[int] = mapped_column(ID)
    appointment_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int] = mapped_column(ID)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        _fk("entry_id", "waitlist_entries"),
        _fk("appointment_id", "appointments"),
        _fk("provider_id", "providers"),
        UniqueConstraint("practice_id", "id", name="uq_waitlist_offers_practice_id"),
        Index(
            "uq_waitlist_offers_open_slot",
            "practice_id",
            "provider_id",
            "starts_at",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index(
            "uq_waitlist_offers_open_entry",
            "practice_id",
            "entry_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_waitlist_offers_expiry", "practice_id", "status", "expires_at"),
    )


# --- Bookings: the lifecycle's transitions (migration 0009) ------------------------------------------


class AppointmentTransition(_Tenant, Base):
    """One recorded lifecycle transition of an appointment (Servicialo: from, to, at, by, method)."""

    __tablename__ = "appointment_transitions"
    appointment_id: Mapped[int] = mapped_column(ID)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    __table_args__ = (
        _fk("appointment_id", "appointments"),
        Index("ix_appointment_transitions_appointment", "practice_id", "appointment_id", "id"),
    )


# --- Practice setup (migration 0008) ----------------------------------------------------------------


class ServiceProvider(_Tenant, Base):
    """A provider who delivers a service: a service with none cannot be booked."""

    __tablename__ = "service_providers"
    service_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int] = mapped_column(ID)
    __table_args__ = (
        _fk("service_id", "services"),
        _fk("provider_id", "providers"),
        UniqueConstraint("practice_id", "service_id", "provider_id", name="uq_service_providers_pair"),
        Index("ix_service_providers_provider", "practice_id", "provider_id"),
    )


class ServicePrice(_Tenant, Base):
    """A service's price from `changed_at` on (integer minor units, ISO 4217): its price history."""

    __tablename__ = "service_prices"
    service_id: Mapped[int] = mapped_column(ID)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    previous_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    previous_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (
        _fk("service_id", "services"),
        Index("ix_service_prices_service", "practice_id", "service_id", "changed_at"),
    )


class PracticeClosure(_Tenant, Base):
    """A practice-wide exception on one local date, at one location or (datebook_id null) all of them:
    kind 'closed' with no times is a holiday, 'closed' with times closes that window (practice-wide
    time off), 'hours' opens only between the times (a one-day override for everyone)."""

    __tablename__ = "practice_closures"
    datebook_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    start_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    end_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    __table_args__ = (
        _fk("datebook_id", "datebooks"),
        Index("ix_practice_closures_day", "practice_id", "day"),
    )


# --- Benchmarks of issue 12 (migration 0012): booking_list's keyset pages over every booking ------

Index("ix_appointments_start", Appointment.practice_id, Appointment.starts_at, Appointment.id)


# --- Public booking (issue 13): agendas, public bookings and their tokens (migration 0013) -------


class Agenda(_Tenant, Base):
    """A shareable booking configuration of the practice (/{slug}/agenda/{agenda}); one is the
    default. Null policy fields fall back to the practice's settings."""

    __tablename__ = "agendas"
    slug: Mapped[str] = mapped_column(String(63))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    provider_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    booking_flow: Mapped[str] = mapped_column(String(20))
    service_mode: Mapped[str] = mapped_column(String(10))
    provider_mode: Mapped[str] = mapped_column(String(10))
    assignment_strategy: Mapped[str | None] = mapped_column(String(20), nullable=True)
    min_advance_minutes: Mapped[int] = mapped_column(Integer)
    max_advance_days: Mapped[int] = mapped_column(Integer)
    same_day: Mapped[bool] = mapped_column(Boolean, default=True)
    on_demand: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_type: Mapped[str | None] = mapped_column(String(10), nullable=True)
    cancellation_deadline_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    penalty_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    penalty_value: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    show_sessions: Mapped[bool] = mapped_column(Boolean, default=False)
    show_client_names: Mapped[bool] = mapped_column(Boolean, default=False)
    show_provider_utilization: Mapped[bool] = mapped_column(Boolean, default=False)
    show_provider_list: Mapped[bool] = mapped_column(Boolean, default=True)
    prepayment: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("provider_id", "providers"),
        UniqueConstraint("practice_id", "id", name="uq_agendas_practice_id"),
        UniqueConstraint("practice_id", "slug", name="uq_agendas_slug"),
    )


class AgendaService(_Tenant, Base):
    __tablename__ = "agenda_services"
    agenda_id: Mapped[int] = mapped_column(ID)
    service_id: Mapped[int] = mapped_column(ID)
    __table_args__ = (
        _fk("agenda_id", "agendas"),
        _fk("service_id", "services"),
        UniqueConstraint("practice_id", "agenda_id", "service_id", name="uq_agenda_services_pair"),
    )


class PublicBooking(_Tenant, Base):
    """The public side of a booking made without an account: through which agenda and channel,
    whether an agent assisted, and who asked (their identity as given)."""

    __tablename__ = "public_bookings"
    appointment_id: Mapped[int] = mapped_column(ID)
    agenda_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    agent_assisted: Mapped[bool] = mapped_column(Boolean)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("appointment_id", "appointments"),
        _fk("agenda_id", "agendas"),
        UniqueConstraint("practice_id", "appointment_id", name="uq_public_bookings_appointment"),
        Index("ix_public_bookings_email", "practice_id", "email"),
        Index("ix_public_bookings_phone", "practice_id", "phone"),
    )


class PublicToken(_Tenant, Base):
    """A public booking's token, only its SHA-256 hash: purpose 'confirm' (expires) or 'booking'."""

    __tablename__ = "public_tokens"
    appointment_id: Mapped[int] = mapped_column(ID)
    purpose: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("appointment_id", "appointments"),
        UniqueConstraint("practice_id", "token_hash", name="uq_public_tokens_hash"),
    )


# --- Messaging: the job queue, the send log, opt-outs (migration 0014) ----------------------------------


class Job(_Tenant, Base):
    """A durable job: `kind` names its handler, `payload` its JSON arguments. Status pending (due at
    `run_at`), running (leased to `locked_by` until `lease_until`), done, dead (after `max_attempts`)."""

    __tablename__ = "jobs"
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))
    subject_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    subject_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        UniqueConstraint("practice_id", "dedupe_key", name="uq_jobs_dedupe_key"),
        Index("ix_jobs_due", "practice_id", "status", "run_at"),
        Index("ix_jobs_subject", "practice_id", "subject_type", "subject_id", "status"),
    )


class SentMessage(_Tenant, Base):
    """The send log: a message's dedupe key is claimed here (status sending) before it is handed to
    its channel and marked sent after; a second claim of the same key fails, so it never goes twice."""

    __tablename__ = "sent_messages"
    dedupe_key: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    channel: Mapped[str] = mapped_column(String(12))
    recipient: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(12))
    worker: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The channel's own id of the message (WhatsApp's wamid): its delivery-status webhook names it.
    provider_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "dedupe_key", name="uq_sent_messages_dedupe_key"),
        Index("ix_sent_messages_provider", "practice_id", "provider_id"),
    )


class MessageOptOut(_Tenant, Base):
    """A client who asked not to be messaged on `channel` (email, whatsapp, sms)."""

    __tablename__ = "message_optouts"
    patient_id: Mapped[int] = mapped_column(ID)
    channel: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("patient_id", "patients"),
        UniqueConstraint("practice_id", "patient_id", "channel", name="uq_message_optouts_channel"),
    )


# --- The practice's sending domain (migration 0015) ------------------------------------------------------


class EmailDomain(_Tenant, Base):
    """The practice's own sending domain, one at most: its DKIM key pair (the private key, PKCS#1 PEM,
    is never handed back by any call), the SPF and DMARC values it was told to publish, and the last
    verification (status PENDING / VERIFIED / FAILED, per record in `checks` as JSON)."""

    __tablename__ = "email_domains"
    domain: Mapped[str] = mapped_column(String(253))  # ASCII (IDNA) form, as DNS has it
    mailbox: Mapped[str] = mapped_column(String(64))  # From: mailbox@domain
    selector: Mapped[str] = mapped_column(String(63))
    status: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(Text)  # base64 SubjectPublicKeyInfo: the DKIM p= value
    private_key: Mapped[str] = mapped_column(Text)
    spf: Mapped[str] = mapped_column(String(500))
    dmarc: Mapped[str] = mapped_column(String(500))
    checks: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (UniqueConstraint("practice_id", name="uq_email_domains_practice"),)


# --- Calendar feeds and the post-session question (migration 0016) -------------------------------


class CalendarFeed(_Tenant, Base):
    """A provider's private calendar feed: one per provider, its token stored only as a SHA-256 hash.
    Creating a new one replaces the hash (the old URL stops working); revoking sets `revoked_at`."""

    __tablename__ = "calendar_feeds"
    provider_id: Mapped[int] = mapped_column(ID)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        _fk("provider_id", "providers"),
        UniqueConstraint("practice_id", "provider_id", name="uq_calendar_feeds_provider"),
        UniqueConstraint("practice_id", "token_hash", name="uq_calendar_feeds_hash"),
    )


class FeedbackRequest(_Tenant, Base):
    """The 0-10 question after a completed appointment (one per appointment) and its answer."""

    __tablename__ = "feedback_requests"
    appointment_id: Mapped[int] = mapped_column(ID)
    patient_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int] = mapped_column(ID)
    service_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        _fk("appointment_id", "appointments"),
        _fk("patient_id", "patients"),
        _fk("provider_id", "providers"),
        _fk("service_id", "services"),
        UniqueConstraint("practice_id", "id", name="uq_feedback_requests_practice_id"),
        UniqueConstraint("practice_id", "appointment_id", name="uq_feedback_requests_appointment"),
        Index("ix_feedback_requests_answered", "practice_id", "answered_at"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="ck_feedback_score"),
    )


class FeedbackToken(_Tenant, Base):
    """A link to a feedback request's page, one per message sent, only its SHA-256 hash; it expires."""

    __tablename__ = "feedback_tokens"
    request_id: Mapped[int] = mapped_column(ID)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        _fk("request_id", "feedback_requests"),
        UniqueConstraint("practice_id", "token_hash", name="uq_feedback_tokens_hash"),
    )


# --- Campaigns (migration 0018) ----------------------------------------------------------------------


class Campaign(_Tenant, Base):
    """A message to a segment of clients (issue 14): its content, its audience (a predefined one or
    ad-hoc filters, as JSON), its state (draft, scheduled, sending, sent, cancelled). The recipients
    are fixed when it is sent."""

    __tablename__ = "campaigns"
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    audience_type: Mapped[str] = mapped_column(String(12))
    audience_id: Mapped[str | None] = mapped_column(String(30), nullable=True)
    filters: Mapped[str] = mapped_column(Text)  # JSON; "{}" for a predefined audience
    status: Mapped[str] = mapped_column(String(12))
    recipient_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_campaigns_practice_id"),
        Index("ix_campaigns_status", "practice_id", "status", "created_at"),
    )


class CampaignRecipient(_Tenant, Base):
    """One client a campaign was sent to: the delivery log (queued, sent, failed, skipped, unconfirmed),
    when it went and why it did not. One row per client per campaign."""

    __tablename__ = "campaign_recipients"
    campaign_id: Mapped[int] = mapped_column(ID)
    patient_id: Mapped[int] = mapped_column(ID)
    channel: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    __table_args__ = (
        _fk("campaign_id", "campaigns"),
        _fk("patient_id", "patients"),
        UniqueConstraint("practice_id", "campaign_id", "patient_id", name="uq_campaign_recipients_client"),
        Index("ix_campaign_recipients_status", "practice_id", "campaign_id", "status"),
        Index("ix_campaign_recipients_due", "practice_id", "status", "due_at"),  # the channel's queue end
    )
