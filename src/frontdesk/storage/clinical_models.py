"""Clinical chart models (migration 0004): patient profiles (full demographics), encounters with addenda,
medications, allergies, diagnoses, notes, recalls, vitals and their templates, lab results, files.

Same rules as models.py: every table carries practice_id, which leads every index and unique key, and
references are composite (practice_id, x_id) foreign keys. Structured lists (encounter findings, the
alerts an override answered, a template's vital signs) are JSON text, portable across both databases."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.models import ID, Base
from frontdesk.storage.types import UTCDateTime


def _fk(local: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["practice_id", local], [f"{table}.practice_id", f"{table}.id"])


class _Chart:
    """Columns every chart table has."""

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    practice_id: Mapped[int] = mapped_column(ID, ForeignKey("practices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PatientProfile(_Chart, Base):
    """Demographics beyond the name, phone, email and birth date kept on `patients` (one row per patient,
    made on first write; a patient without one is active with no further details)."""

    __tablename__ = "patient_profiles"
    patient_id: Mapped[int] = mapped_column(ID)
    middle_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    preferred_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    search_preferred: Mapped[str | None] = mapped_column(String(120), nullable=True)  # folded
    sex: Mapped[str | None] = mapped_column(String(10), nullable=True)  # administrative
    gender_identity: Mapped[str | None] = mapped_column(String(60), nullable=True)
    pronouns: Mapped[str | None] = mapped_column(String(30), nullable=True)
    alt_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address_line1: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address_line2: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    state: Mapped[str | None] = mapped_column(String(100), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)  # ISO 3166-1 alpha-2
    language: Mapped[str | None] = mapped_column(String(20), nullable=True)  # BCP 47
    emergency_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    emergency_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    emergency_relation: Mapped[str | None] = mapped_column(String(60), nullable=True)
    insurance_payer: Mapped[str | None] = mapped_column(String(120), nullable=True)
    insurance_plan: Mapped[str | None] = mapped_column(String(120), nullable=True)
    insurance_member_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    insurance_group: Mapped[str | None] = mapped_column(String(60), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("merged_into_id", "patients"),
        UniqueConstraint("practice_id", "patient_id", name="uq_patient_profiles_patient"),
        Index("ix_patient_profiles_postal", "practice_id", "postal_code"),
    )


class Encounter(_Chart, Base):
    __tablename__ = "encounters"
    patient_id: Mapped[int] = mapped_column(ID)
    appointment_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    provider_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    datebook_id: Mapped[int | None] = mapped_column(ID, nullable=True)  # the facility
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    visit_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    chief_complaint: Mapped[str | None] = mapped_column(Text, nullable=True)
    hpi: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_of_systems: Mapped[str | None] = mapped_column(Text, nullable=True)
    physical_exam: Mapped[str | None] = mapped_column(Text, nullable=True)
    assessment: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan: Mapped[str | None] = mapped_column(Text, nullable=True)
    findings_json: Mapped[str] = mapped_column(Text, default="[]")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    signed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("appointment_id", "appointments"),
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        UniqueConstraint("practice_id", "id", name="uq_encounters_practice_id"),
        Index("ix_encounters_patient", "practice_id", "patient_id", "occurred_at"),
        Index("ix_encounters_appointment", "practice_id", "appointment_id"),
        Index(
            "uq_encounters_appointment_live",
            "practice_id",
            "appointment_id",
            unique=True,
            sqlite_where=text("appointment_id IS NOT NULL AND status <> 'entered_in_error'"),
            postgresql_where=text("appointment_id IS NOT NULL AND status <> 'entered_in_error'"),
        ),
    )


class EncounterAddendum(_Chart, Base):
    """A later note on a signed (locked) encounter: who wrote what, when."""

    __tablename__ = "encounter_addenda"
    encounter_id: Mapped[int] = mapped_column(ID)
    text: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        _fk("encounter_id", "encounters"),
        Index("ix_encounter_addenda_encounter", "practice_id", "encounter_id"),
    )


class Medication(_Chart, Base):
    """A medication, supplement or vitamin the patient takes or was prescribed."""

    __tablename__ = "medications"
    patient_id: Mapped[int] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(12))  # medication | supplement | vitamin
    drug_name: Mapped[str] = mapped_column(String(200))
    dose: Mapped[str | None] = mapped_column(String(60), nullable=True)
    route: Mapped[str | None] = mapped_column(String(30), nullable=True)
    frequency: Mapped[str | None] = mapped_column(String(60), nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    stop_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    prescriber_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    instructions: Mapped[str | None] = mapped_column(String(500), nullable=True)
    override_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    override_alerts_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    override_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("prescriber_id", "providers"),
        Index("ix_medications_patient", "practice_id", "patient_id", "status"),
    )


class Allergy(_Chart, Base):
    __tablename__ = "allergies"
    patient_id: Mapped[int] = mapped_column(ID)
    category: Mapped[str] = mapped_column(String(14))  # drug | food | environmental
    allergen: Mapped[str] = mapped_column(String(200))
    reaction: Mapped[str | None] = mapped_column(String(200), nullable=True)
    severity: Mapped[str | None] = mapped_column(String(10), nullable=True)  # mild | moderate | severe
    status: Mapped[str] = mapped_column(String(20))
    onset_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    comments: Mapped[str | None] = mapped_column(String(500), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        Index("ix_allergies_patient", "practice_id", "patient_id", "status"),
    )


class Diagnosis(_Chart, Base):
    """A problem-list entry with its ICD-10-CM code."""

    __tablename__ = "diagnoses"
    patient_id: Mapped[int] = mapped_column(ID)
    encounter_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    onset_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    resolved_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    comments: Mapped[str | None] = mapped_column(String(500), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("encounter_id", "encounters"),
        Index("ix_diagnoses_patient", "practice_id", "patient_id", "status"),
        Index("ix_diagnoses_code", "practice_id", "code", "status"),
        Index(
            "uq_diagnoses_active_code",
            "practice_id",
            "patient_id",
            "code",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )


class ClinicalNote(_Chart, Base):
    __tablename__ = "clinical_notes"
    patient_id: Mapped[int] = mapped_column(ID)
    text: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        Index("ix_clinical_notes_patient", "practice_id", "patient_id", "created_at"),
    )


class Recall(_Chart, Base):
    __tablename__ = "recalls"
    patient_id: Mapped[int] = mapped_column(ID)
    provider_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    appointment_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))
    comments: Mapped[str | None] = mapped_column(String(500), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("provider_id", "providers"),
        _fk("appointment_id", "appointments"),
        Index("ix_recalls_due", "practice_id", "status", "due_date"),
        Index("ix_recalls_patient", "practice_id", "patient_id"),
    )


class VitalTemplateRow(_Chart, Base):
    __tablename__ = "vital_templates"
    name: Mapped[str] = mapped_column(String(80))
    kinds_json: Mapped[str] = mapped_column(Text)
    units: Mapped[str] = mapped_column(String(8))  # metric | us
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("practice_id", "id", name="uq_vital_templates_practice_id"),
        UniqueConstraint("practice_id", "name", name="uq_vital_templates_name"),
    )


class VitalReading(_Chart, Base):
    """One set of vital signs taken together, in stored units (mmHg, /min, Celsius, %, kg, cm)."""

    __tablename__ = "vital_readings"
    patient_id: Mapped[int] = mapped_column(ID)
    encounter_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    template_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime())
    systolic: Mapped[float | None] = mapped_column(Float, nullable=True)
    diastolic: Mapped[float | None] = mapped_column(Float, nullable=True)
    pulse: Mapped[float | None] = mapped_column(Float, nullable=True)
    temperature: Mapped[float | None] = mapped_column(Float, nullable=True)
    respiratory_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    spo2: Mapped[float | None] = mapped_column(Float, nullable=True)
    weight: Mapped[float | None] = mapped_column(Float, nullable=True)
    height: Mapped[float | None] = mapped_column(Float, nullable=True)
    bmi: Mapped[float | None] = mapped_column(Float, nullable=True)
    comments: Mapped[str | None] = mapped_column(String(500), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("encounter_id", "encounters"),
        _fk("template_id", "vital_templates"),
        Index("ix_vital_readings_patient", "practice_id", "patient_id", "measured_at"),
    )


class LabResult(_Chart, Base):
    __tablename__ = "lab_results"
    patient_id: Mapped[int] = mapped_column(ID)
    encounter_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    ordered_by_id: Mapped[int | None] = mapped_column(ID, nullable=True)
    loinc_code: Mapped[str] = mapped_column(String(10))
    test_name: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(200))
    value_numeric: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reference_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    reference_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    reference_text: Mapped[str | None] = mapped_column(String(100), nullable=True)
    abnormal_flag: Mapped[str | None] = mapped_column(String(2), nullable=True)  # L H LL HH A
    status: Mapped[str] = mapped_column(String(20))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    report: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        _fk("encounter_id", "encounters"),
        _fk("ordered_by_id", "providers"),
        Index("ix_lab_results_patient", "practice_id", "patient_id", "collected_at"),
    )


class PatientFile(_Chart, Base):
    """A photo or document: metadata here, content on disk (FRONTDESK_DATA_DIR/files/<practice_id>/)."""

    __tablename__ = "patient_files"
    patient_id: Mapped[int] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(10))  # photo | document | identity | other
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80))  # a generated name, never the caller's
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        _fk("patient_id", "patients"),
        Index("ix_patient_files_patient", "practice_id", "patient_id"),
        UniqueConstraint("practice_id", "storage_key", name="uq_patient_files_key"),
    )
