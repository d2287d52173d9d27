"""Clinical chart: patient profiles, encounters and addenda, medications, allergies, diagnoses, notes,
recalls, vital templates and readings, lab results, patient files.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _fk(col: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["practice_id", col], [f"{table}.practice_id", f"{table}.id"])


def _in(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    listed = ",".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


def _chart_table(name: str, *items: Any) -> None:
    """As in 0001: (practice_id, id) is the key on PostgreSQL; SQLite needs `id INTEGER PRIMARY KEY` to
    auto-increment, so it gets a unique (practice_id, id) instead. Every chart row says who made it when."""
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        cols = [
            sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
            sa.Column("practice_id", sa.BigInteger, sa.ForeignKey("practices.id"), nullable=False),
            sa.PrimaryKeyConstraint("practice_id", "id", name=f"pk_{name}"),
        ]
    else:
        cols = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id"), nullable=False),
            sa.UniqueConstraint("practice_id", "id", name=f"uq_{name}_practice_id"),
        ]
    audit = [_ts("created_at"), sa.Column("created_by", sa.String(120), nullable=False), _ts("updated_at")]
    op.create_table(name, *cols, *items, *audit)


def upgrade() -> None:
    _chart_table(
        "patient_profiles",
        _id("patient_id"),
        sa.Column("middle_name", sa.String(120)),
        sa.Column("preferred_name", sa.String(120)),
        sa.Column("sex", sa.String(10)),
        sa.Column("gender_identity", sa.String(60)),
        sa.Column("pronouns", sa.String(30)),
        sa.Column("alt_phone", sa.String(32)),
        sa.Column("address_line1", sa.String(200)),
        sa.Column("address_line2", sa.String(200)),
        sa.Column("city", sa.String(100)),
        sa.Column("state", sa.String(100)),
        sa.Column("postal_code", sa.String(12)),
        sa.Column("country", sa.String(2)),
        sa.Column("language", sa.String(20)),
        sa.Column("emergency_name", sa.String(120)),
        sa.Column("emergency_phone", sa.String(32)),
        sa.Column("emergency_relation", sa.String(60)),
        sa.Column("insurance_payer", sa.String(120)),
        sa.Column("insurance_plan", sa.String(120)),
        sa.Column("insurance_member_id", sa.String(60)),
        sa.Column("insurance_group", sa.String(60)),
        sa.Column("status", sa.String(10), nullable=False, server_default="active"),
        _id("merged_into_id", nullable=True),
        _fk("patient_id", "patients"),
        _fk("merged_into_id", "patients"),
        sa.UniqueConstraint("practice_id", "patient_id", name="uq_patient_profiles_patient"),
        _in("status", ("active", "inactive", "merged"), "ck_patient_profiles_status"),
        _in("sex", ("female", "male", "other", "unknown"), "ck_patient_profiles_sex"),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="ck_patient_profiles_merged"
        ),
    )
    op.create_index("ix_patient_profiles_postal", "patient_profiles", ["practice_id", "postal_code"])
    # Date of birth is a search key of findPatients.
    op.create_index("ix_patients_birth", "patients", ["practice_id", "date_of_birth"])

    _chart_table(
        "encounters",
        _id("patient_id"),
        _id("appointment_id", nullable=True),
        _id("provider_id", nullable=True),
        _id("datebook_id", nullable=True),
        _ts("occurred_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("visit_type", sa.String(60)),
        sa.Column("chief_complaint", sa.Text),
        sa.Column("hpi", sa.Text),
        sa.Column("review_of_systems", sa.Text),
        sa.Column("physical_exam", sa.Text),
        sa.Column("assessment", sa.Text),
        sa.Column("plan", sa.Text),
        sa.Column("findings_json", sa.Text, nullable=False, server_default="[]"),
        _ts("signed_at", nullable=True),
        sa.Column("signed_by", sa.String(120)),
        _fk("patient_id", "patients"),
        _fk("appointment_id", "appointments"),
        _fk("provider_id", "providers"),
        _fk("datebook_id", "datebooks"),
        _in("status", ("draft", "signed", "entered_in_error"), "ck_encounters_status"),
        sa.CheckConstraint(
            "status <> 'signed' OR (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
            name="ck_encounters_signed",
        ),
    )
    op.create_index("ix_encounters_patient", "encounters", ["practice_id", "patient_id", "occurred_at"])
    op.create_index("ix_encounters_appointment", "encounters", ["practice_id", "appointment_id"])
    _chart_table(
        "encounter_addenda",
        _id("encounter_id"),
        sa.Column("text", sa.Text, nullable=False),
        _fk("encounter_id", "encounters"),
    )
    # Backstop for the service's check: one live encounter per appointment.
    op.create_index(
        "uq_encounters_appointment_live",
        "encounters",
        ["practice_id", "appointment_id"],
        unique=True,
        sqlite_where=sa.text("appointment_id IS NOT NULL AND status <> 'entered_in_error'"),
        postgresql_where=sa.text("appointment_id IS NOT NULL AND status <> 'entered_in_error'"),
    )
    op.create_index("ix_encounter_addenda_encounter", "encounter_addenda", ["practice_id", "encounter_id"])

    _chart_table(
        "medications",
        _id("patient_id"),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("drug_name", sa.String(200), nullable=False),
        sa.Column("dose", sa.String(60)),
        sa.Column("route", sa.String(30)),
        sa.Column("frequency", sa.String(60)),
        sa.Column("start_date", sa.Date),
        sa.Column("stop_date", sa.Date),
        _id("prescriber_id", nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("instructions", sa.String(500)),
        sa.Column("override_reason", sa.String(500)),
        sa.Column("override_alerts_json", sa.Text),
        sa.Column("override_by", sa.String(120)),
        _fk("patient_id", "patients"),
        _fk("prescriber_id", "providers"),
        _in("kind", ("medication", "supplement", "vitamin"), "ck_medications_kind"),
        _in(
            "status",
            ("active", "on_hold", "stopped", "completed", "entered_in_error"),
            "ck_medications_status",
        ),
        sa.CheckConstraint(
            "stop_date IS NULL OR start_date IS NULL OR start_date <= stop_date", name="ck_medications_dates"
        ),
    )
    op.create_index("ix_medications_patient", "medications", ["practice_id", "patient_id", "status"])

    _chart_table(
        "allergies",
        _id("patient_id"),
        sa.Column("category", sa.String(14), nullable=False),
        sa.Column("allergen", sa.String(200), nullable=False),
        sa.Column("reaction", sa.String(200)),
        sa.Column("severity", sa.String(10)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("onset_date", sa.Date),
        sa.Column("comments", sa.String(500)),
        _fk("patient_id", "patients"),
        _in("category", ("drug", "food", "environmental"), "ck_allergies_category"),
        _in("severity", ("mild", "moderate", "severe"), "ck_allergies_severity"),
        _in("status", ("active", "inactive", "resolved", "entered_in_error"), "ck_allergies_status"),
    )
    op.create_index("ix_allergies_patient", "allergies", ["practice_id", "patient_id", "status"])

    _chart_table(
        "diagnoses",
        _id("patient_id"),
        _id("encounter_id", nullable=True),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("onset_date", sa.Date),
        sa.Column("resolved_date", sa.Date),
        sa.Column("comments", sa.String(500)),
        _fk("patient_id", "patients"),
        _fk("encounter_id", "encounters"),
        _in("status", ("active", "resolved", "inactive", "entered_in_error"), "ck_diagnoses_status"),
    )
    op.create_index("ix_diagnoses_patient", "diagnoses", ["practice_id", "patient_id", "status"])
    op.create_index("ix_diagnoses_code", "diagnoses", ["practice_id", "code", "status"])
    # Backstop for the service's check: a code is on a patient's active problem list once.
    op.create_index(
        "uq_diagnoses_active_code",
        "diagnoses",
        ["practice_id", "patient_id", "code"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )

    _chart_table(
        "clinical_notes",
        _id("patient_id"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("removed_at", nullable=True),
        _fk("patient_id", "patients"),
    )
    op.create_index(
        "ix_clinical_notes_patient", "clinical_notes", ["practice_id", "patient_id", "created_at"]
    )

    _chart_table(
        "recalls",
        _id("patient_id"),
        _id("provider_id", nullable=True),
        _id("appointment_id", nullable=True),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("comments", sa.String(500)),
        _fk("patient_id", "patients"),
        _fk("provider_id", "providers"),
        _fk("appointment_id", "appointments"),
        _in("status", ("open", "scheduled", "done", "cancelled"), "ck_recalls_status"),
    )
    op.create_index("ix_recalls_due", "recalls", ["practice_id", "status", "due_date"])
    op.create_index("ix_recalls_patient", "recalls", ["practice_id", "patient_id"])

    _chart_table(
        "vital_templates",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("kinds_json", sa.Text, nullable=False),
        sa.Column("units", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("practice_id", "name", name="uq_vital_templates_name"),
        _in("units", ("metric", "us"), "ck_vital_templates_units"),
    )
    _chart_table(
        "vital_readings",
        _id("patient_id"),
        _id("encounter_id", nullable=True),
        _id("template_id", nullable=True),
        _ts("measured_at"),
        *(
            sa.Column(k, sa.Float)
            for k in (
                "systolic",
                "diastolic",
                "pulse",
                "temperature",
                "respiratory_rate",
                "spo2",
                "weight",
                "height",
                "bmi",
            )
        ),
        sa.Column("comments", sa.String(500)),
        _ts("removed_at", nullable=True),
        _fk("patient_id", "patients"),
        _fk("encounter_id", "encounters"),
        _fk("template_id", "vital_templates"),
    )
    op.create_index(
        "ix_vital_readings_patient", "vital_readings", ["practice_id", "patient_id", "measured_at"]
    )

    _chart_table(
        "lab_results",
        _id("patient_id"),
        _id("encounter_id", nullable=True),
        _id("ordered_by_id", nullable=True),
        sa.Column("loinc_code", sa.String(10), nullable=False),
        sa.Column("test_name", sa.String(200), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("value_numeric", sa.Float),
        sa.Column("unit", sa.String(30)),
        sa.Column("reference_low", sa.Float),
        sa.Column("reference_high", sa.Float),
        sa.Column("reference_text", sa.String(100)),
        sa.Column("abnormal_flag", sa.String(2)),
        sa.Column("status", sa.String(20), nullable=False),
        _ts("collected_at"),
        sa.Column("report", sa.Text),
        _fk("patient_id", "patients"),
        _fk("encounter_id", "encounters"),
        _fk("ordered_by_id", "providers"),
        _in("abnormal_flag", ("N", "L", "H", "LL", "HH", "A"), "ck_lab_results_flag"),
        _in("status", ("preliminary", "final", "corrected", "entered_in_error"), "ck_lab_results_status"),
    )
    op.create_index("ix_lab_results_patient", "lab_results", ["practice_id", "patient_id", "collected_at"])

    _chart_table(
        "patient_files",
        _id("patient_id"),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("mime_type", sa.String(60), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(80), nullable=False),
        sa.Column("description", sa.String(500)),
        _ts("removed_at", nullable=True),
        _fk("patient_id", "patients"),
        sa.UniqueConstraint("practice_id", "storage_key", name="uq_patient_files_key"),
        _in("kind", ("photo", "document", "identity", "other"), "ck_patient_files_kind"),
        sa.CheckConstraint("size_bytes > 0", name="ck_patient_files_size"),
    )
    op.create_index("ix_patient_files_patient", "patient_files", ["practice_id", "patient_id"])


def downgrade() -> None:
    op.drop_index("ix_patients_birth", "patients")
    for table in (
        "patient_files",
        "lab_results",
        "vital_readings",
        "vital_templates",
        "recalls",
        "clinical_notes",
        "diagnoses",
        "allergies",
        "medications",
        "encounter_addenda",
        "encounters",
        "patient_profiles",
    ):
        op.drop_table(table)
