"""Output models of the chart tools (they become each tool's outputSchema). Times are ISO 8601 strings
with the practice's offset; dates are YYYY-MM-DD."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PatientSummary(BaseModel):
    id: int
    uid: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: str | None
    age: int | None
    sex: str | None
    phone: str | None
    email: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    status: str


class PatientOut(PatientSummary):
    middle_name: str | None
    gender_identity: str | None
    pronouns: str | None
    alt_phone: str | None
    address_line1: str | None
    address_line2: str | None
    country: str | None
    language: str | None
    emergency_name: str | None
    emergency_phone: str | None
    emergency_relation: str | None
    insurance_payer: str | None
    insurance_plan: str | None
    insurance_member_id: str | None
    insurance_group: str | None
    merged_into_id: int | None = Field(description="Set when this record was merged into another")
    created_at: str
    titular_provider_id: int | None = Field(
        default=None, description="The titular provider (preferred when a booking names none)"
    )


class FindPatientsOut(BaseModel):
    patients: list[PatientSummary]
    count: int
    page: int
    page_size: int
    has_more: bool = Field(description="True when another page follows: call again with page + 1")


class ManagePatientOut(BaseModel):
    action: str
    patient: PatientOut
    merged_patient_id: int | None = None
    moved: dict[str, int] | None = Field(default=None, description="Records moved by a merge, per table")
    linked: bool | None = Field(
        default=None,
        description="(add) true when a patient with this email already existed: that record is "
        "returned unchanged and nothing was created",
    )


class Finding(BaseModel):
    system: str
    finding: str
    value: str | None = None
    abnormal: bool | None = None


class Addendum(BaseModel):
    id: int
    text: str
    author: str
    created_at: str


class EncounterOut(BaseModel):
    id: int
    patient_id: int
    appointment_id: int | None
    provider_id: int | None
    provider_name: str | None
    datebook_id: int | None
    facility_name: str | None
    occurred_at: str
    status: str = Field(description="draft, signed (locked) or entered_in_error")
    visit_type: str | None
    chief_complaint: str | None
    hpi: str | None
    review_of_systems: str | None
    physical_exam: str | None
    assessment: str | None
    plan: str | None
    findings: list[Finding]
    signed_at: str | None
    signed_by: str | None
    created_by: str
    created_at: str
    updated_at: str
    addenda: list[Addendum]
    redacted: bool = Field(description="True when the caller may see only when, who and where")


class EncountersOut(BaseModel):
    action: str
    encounters: list[EncounterOut]
    count: int


class Alert(BaseModel):
    kind: str = Field(
        description="allergy, allergy_class, cross_sensitivity, duplicate_drug, duplicate_therapy"
    )
    risk: str
    record_type: str
    record_id: int
    drug_class: str | None
    reason: str


class MedicationOut(BaseModel):
    id: int
    patient_id: int
    kind: str
    drug_name: str
    drug_classes: list[str]
    dose: str | None
    route: str | None
    frequency: str | None
    start_date: str | None
    stop_date: str | None
    prescriber_id: int | None
    prescriber_name: str | None
    status: str
    instructions: str | None
    override_reason: str | None = Field(description="The justification recorded when alerts were overridden")
    override_alerts: list[Alert]
    override_by: str | None
    created_by: str
    created_at: str
    updated_at: str


class MedicationsOut(BaseModel):
    action: str
    medications: list[MedicationOut]
    count: int


class AllergyOut(BaseModel):
    id: int
    patient_id: int
    category: str
    allergen: str
    drug_classes: list[str]
    reaction: str | None
    severity: str | None
    status: str
    onset_date: str | None
    comments: str | None
    created_by: str
    created_at: str
    updated_at: str
    warnings: list[Alert] = Field(description="Active medications this allergy collides with (add, update)")


class AllergiesOut(BaseModel):
    action: str
    allergies: list[AllergyOut]
    count: int


class DiagnosisOut(BaseModel):
    id: int
    patient_id: int
    encounter_id: int | None
    code: str = Field(description="ICD-10-CM")
    description: str
    status: str
    onset_date: str | None
    resolved_date: str | None
    comments: str | None
    created_by: str
    created_at: str
    updated_at: str


class CodeOut(BaseModel):
    code: str
    description: str
    billable: bool


class DiagnosesOut(BaseModel):
    action: str
    diagnoses: list[DiagnosisOut] = Field(default_factory=list)
    codes: list[CodeOut] = Field(default_factory=list, description="search_codes results")
    count: int


class NoteOut(BaseModel):
    id: int
    patient_id: int
    text: str
    pinned: bool
    author: str
    created_at: str
    updated_at: str


class NotesOut(BaseModel):
    action: str
    notes: list[NoteOut]
    count: int


class RecallOut(BaseModel):
    id: int
    patient_id: int
    patient_name: str
    phone: str | None
    email: str | None
    provider_id: int | None
    appointment_id: int | None
    due_date: str
    reason: str | None = Field(description="Withheld (null) from callers without clinical access")
    status: str
    comments: str | None
    overdue: bool
    created_by: str
    created_at: str
    updated_at: str


class RecallsOut(BaseModel):
    action: str
    recalls: list[RecallOut]
    count: int
    has_more: bool = False


class Measurement(BaseModel):
    kind: str
    label: str
    value: float
    unit: str
    stored_value: float
    stored_unit: str


class VitalsReading(BaseModel):
    id: int
    patient_id: int
    encounter_id: int | None
    template_id: int | None
    measured_at: str
    measurements: list[Measurement]
    comments: str | None
    created_by: str
    created_at: str


class TrendPoint(BaseModel):
    at: str
    value: float


class Trend(BaseModel):
    kind: str
    label: str
    unit: str
    latest: float
    latest_at: str
    previous: float | None
    change: float | None
    direction: str = Field(description="rising, falling, stable, or single (one reading)")
    points: list[TrendPoint]


class Template(BaseModel):
    id: int | None
    key: str
    name: str
    kinds: list[str]
    units: str
    builtin: bool


class VitalsOut(BaseModel):
    action: str
    readings: list[VitalsReading] = Field(default_factory=list)
    trends: list[Trend] = Field(default_factory=list)
    templates: list[Template] = Field(default_factory=list)
    count: int


class LabOut(BaseModel):
    id: int
    patient_id: int
    encounter_id: int | None
    ordered_by_id: int | None
    loinc_code: str
    test_name: str
    value: str
    value_numeric: float | None
    unit: str | None
    reference_low: float | None
    reference_high: float | None
    reference_text: str | None
    abnormal_flag: str | None = Field(description="N, L, H, LL, HH or A")
    abnormal: bool
    status: str
    collected_at: str
    report: str | None = Field(description="The full report (action get, add, update)")
    created_by: str
    created_at: str
    updated_at: str


class LabsOut(BaseModel):
    action: str
    labs: list[LabOut]
    count: int


class FileOut(BaseModel):
    id: int
    patient_id: int
    kind: str
    filename: str
    mime_type: str
    size_bytes: int
    sha256: str
    description: str | None
    uri: str = Field(description="Read it as the MCP resource at this URI")
    created_by: str
    created_at: str


class FilesOut(BaseModel):
    action: str
    files: list[FileOut]
    count: int


class HistoryOut(BaseModel):
    patient: PatientOut
    problems: list[DiagnosisOut]
    medications: list[MedicationOut]
    allergies: list[AllergyOut]
    encounters: list[EncounterOut]
    latest_vitals: VitalsReading | None
    trends: list[Trend]
    abnormal_labs: list[LabOut]
    open_recalls: list[RecallOut]
    pinned_notes: list[NoteOut]


class Facility(BaseModel):
    id: int
    name: str
    timezone: str
    address: str | None
    city: str | None
    state: str | None


class Provider(BaseModel):
    id: int
    uid: str
    name: str
    specialty: str


class PracticeInfoOut(BaseModel):
    practice_name: str
    timezone: str
    facilities: list[Facility]
    providers: list[Provider]
    vital_templates: list[Template]


class FhirExportOut(BaseModel):
    fhir_version: str = Field(description="4.0.1 (R4)")
    resource_count: int
    bundle: dict[str, Any] = Field(description="A FHIR R4 Bundle of type collection")
