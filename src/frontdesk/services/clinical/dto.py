"""What chart services hand back to adapters: plain data, never ORM rows. Times are aware, in the
practice's time zone; dates are dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    uid: str
    first_name: str
    last_name: str
    middle_name: str | None
    preferred_name: str | None
    date_of_birth: date | None
    age: int | None
    sex: str | None
    gender_identity: str | None
    pronouns: str | None
    phone: str | None
    alt_phone: str | None
    email: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None
    language: str | None
    emergency_name: str | None
    emergency_phone: str | None
    emergency_relation: str | None
    insurance_payer: str | None
    insurance_plan: str | None
    insurance_member_id: str | None
    insurance_group: str | None
    status: str
    merged_into_id: int | None
    created_at: datetime
    titular_provider_id: int | None = None  # looked up by the record's own use cases, not by searches

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class PatientPage:
    patients: list[PatientRecord]
    page: int
    page_size: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class MergeResult:
    kept: PatientRecord
    merged_id: int
    moved: dict[str, int]


@dataclass(frozen=True, slots=True)
class Finding:
    system: str
    finding: str
    value: str | None = None
    abnormal: bool | None = None


@dataclass(frozen=True, slots=True)
class Addendum:
    id: int
    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EncounterInfo:
    id: int
    patient_id: int
    appointment_id: int | None
    provider_id: int | None
    provider_name: str | None
    datebook_id: int | None
    facility_name: str | None
    occurred_at: datetime
    status: str
    visit_type: str | None
    chief_complaint: str | None
    hpi: str | None
    review_of_systems: str | None
    physical_exam: str | None
    assessment: str | None
    plan: str | None
    findings: list[Finding]
    signed_at: datetime | None
    signed_by: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    addenda: list[Addendum]
    redacted: bool = False  # True for a billing view: when, who and where, never the note


@dataclass(frozen=True, slots=True)
class AlertInfo:
    kind: str
    risk: str
    record_type: str
    record_id: int
    drug_class: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class MedicationInfo:
    id: int
    patient_id: int
    kind: str
    drug_name: str
    drug_classes: list[str]
    dose: str | None
    route: str | None
    frequency: str | None
    start_date: date | None
    stop_date: date | None
    prescriber_id: int | None
    prescriber_name: str | None
    status: str
    instructions: str | None
    override_reason: str | None
    override_alerts: list[AlertInfo]
    override_by: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AllergyInfo:
    id: int
    patient_id: int
    category: str
    allergen: str
    drug_classes: list[str]
    reaction: str | None
    severity: str | None
    status: str
    onset_date: date | None
    comments: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    # On add/update: active medications this allergy now collides with (the allergy is recorded anyway).
    warnings: list[AlertInfo] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DiagnosisInfo:
    id: int
    patient_id: int
    encounter_id: int | None
    code: str
    description: str
    status: str
    onset_date: date | None
    resolved_date: date | None
    comments: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    description: str
    billable: bool


@dataclass(frozen=True, slots=True)
class NoteInfo:
    id: int
    patient_id: int
    text: str
    pinned: bool
    author: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecallInfo:
    id: int
    patient_id: int
    patient_name: str
    phone: str | None
    email: str | None
    provider_id: int | None
    appointment_id: int | None
    due_date: date
    reason: str | None  # None when the caller may not see clinical content
    status: str
    comments: str | None
    overdue: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Measurement:
    kind: str
    label: str
    value: float
    unit: str
    stored_value: float
    stored_unit: str


@dataclass(frozen=True, slots=True)
class VitalsInfo:
    id: int
    patient_id: int
    encounter_id: int | None
    template_id: int | None
    measured_at: datetime
    measurements: list[Measurement]
    comments: str | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TrendPoint:
    at: datetime
    value: float


@dataclass(frozen=True, slots=True)
class TrendInfo:
    kind: str
    label: str
    unit: str
    latest: float
    latest_at: datetime
    previous: float | None
    change: float | None
    direction: str
    points: list[TrendPoint]


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: int | None  # None for a built-in template
    key: str
    name: str
    kinds: list[str]
    units: str
    builtin: bool


@dataclass(frozen=True, slots=True)
class LabInfo:
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
    abnormal_flag: str | None
    abnormal: bool
    status: str
    collected_at: datetime
    report: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FileInfo:
    id: int
    patient_id: int
    kind: str
    filename: str
    mime_type: str
    size_bytes: int
    sha256: str
    description: str | None
    uri: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FileContent:
    info: FileInfo
    data: bytes


@dataclass(frozen=True, slots=True)
class History:
    patient: PatientRecord
    problems: list[DiagnosisInfo]
    medications: list[MedicationInfo]
    allergies: list[AllergyInfo]
    encounters: list[EncounterInfo]
    latest_vitals: VitalsInfo | None
    trends: list[TrendInfo]
    abnormal_labs: list[LabInfo]
    open_recalls: list[RecallInfo]
    pinned_notes: list[NoteInfo]
