"""export_patient_fhir: a patient's record as a FHIR R4 Bundle (type collection) of Patient, Encounter,
Condition, AllergyIntolerance, MedicationStatement, Observation (vital signs and labs), Appointment and,
when insurance is on file, Coverage; gender identity travels as the R4 core patient-genderIdentity
extension.

The bundle is checked with fhir.resources before it leaves: its R4B models (FHIR 4.3) are the R4-family
models that library ships for pydantic 2, and every element used here is unchanged between R4 (4.0.1)
and R4B for these resources. The tests also check it against the FHIR 4.0.1 models themselves
(fhir.resources 6.4, which needs pydantic 1, in an environment of its own). References are urn:uuid
full URLs, stable per practice and record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.clinical import vitals as v
from frontdesk.domain.clinical.status import (
    FHIR_ALLERGY_CLINICAL,
    FHIR_CONDITION_CLINICAL,
    FHIR_ENCOUNTER,
    FHIR_LAB,
    FHIR_MEDICATION,
    AllergyStatus,
    DiagnosisStatus,
    EncounterStatus,
    LabStatus,
    MedicationStatus,
)
from frontdesk.domain.errors import Unavailable
from frontdesk.domain.scheduling.status import FHIR_STATUS, AppointmentStatus
from frontdesk.services import audit
from frontdesk.services.clinical import base
from frontdesk.services.context import Principal
from frontdesk.storage import clinical_models as c
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories.appointments import Named
from frontdesk.storage.repositories.clinical import chart, records
from frontdesk.storage.repositories.clinical import patients as profile_repo

_NS = uuid.UUID("5b0b7c9e-3d1c-4a8e-9f3e-2a7d4c1b8e60")
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
GENDER_IDENTITY = "http://hl7.org/fhir/StructureDefinition/patient-genderIdentity"  # R4 core extension
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ALLERGY_CATEGORY = {"drug": "medication", "food": "food", "environmental": "environment"}


class _Refs:
    def __init__(self, practice_id: int) -> None:
        self.practice_id = practice_id

    def __call__(self, kind: str, record_id: object) -> str:
        return "urn:uuid:" + str(uuid.uuid5(_NS, f"{self.practice_id}/{kind}/{record_id}"))


def _dt(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def _d(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _clean(value: Any) -> Any:
    """Drop None and empty containers: FHIR forbids empty elements."""
    if isinstance(value, dict):
        out = {k: _clean(x) for k, x in value.items()}
        return {k: x for k, x in out.items() if x not in (None, [], {}, "")}
    if isinstance(value, list):
        return [x for x in (_clean(i) for i in value) if x not in (None, [], {}, "")]
    return value


def _coded(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def patient(row: m.Patient, prof: c.PatientProfile | None, ref: _Refs) -> dict[str, Any]:
    pf: Any = prof
    given = [row.first_name] + ([pf.middle_name] if pf and pf.middle_name else [])
    names: list[dict[str, Any]] = [{"use": "official", "family": row.last_name or None, "given": given}]
    if pf and pf.preferred_name:
        names.append({"use": "usual", "given": [pf.preferred_name]})
    telecom = [
        {"system": "phone", "value": row.phone, "use": "mobile"} if row.phone else None,
        {"system": "phone", "value": pf.alt_phone, "use": "home"} if pf and pf.alt_phone else None,
        {"system": "email", "value": row.email} if row.email else None,
    ]
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(row.id),
        "identifier": [{"system": f"urn:frontdesk:practice:{row.practice_id}:patient-uid", "value": row.uid}],
        "active": (pf.status if pf else "active") == "active",
        "name": names,
        "telecom": telecom,
        "gender": pf.sex if pf and pf.sex else None,
        "birthDate": _d(row.date_of_birth),
    }
    if pf:
        out["address"] = [
            {
                "line": [x for x in (pf.address_line1, pf.address_line2) if x],
                "city": pf.city,
                "state": pf.state,
                "postalCode": pf.postal_code,
                "country": pf.country,
            }
        ]
        if pf.language:
            out["communication"] = [
                {
                    "language": _coded("urn:ietf:bcp:47", pf.language) | {"text": pf.language},
                    "preferred": True,
                }
            ]
        if pf.emergency_name or pf.emergency_phone:
            out["contact"] = [
                {
                    "relationship": [{"text": pf.emergency_relation or "emergency contact"}],
                    "name": {"text": pf.emergency_name},
                    "telecom": [{"system": "phone", "value": pf.emergency_phone}]
                    if pf.emergency_phone
                    else [],
                }
            ]
        if pf.gender_identity:
            out["extension"] = [
                {"url": GENDER_IDENTITY, "valueCodeableConcept": {"text": pf.gender_identity}}
            ]
        if pf.merged_into_id:
            out["link"] = [{"other": {"reference": ref("Patient", pf.merged_into_id)}, "type": "replaced-by"}]
    return out


def coverage(prof: c.PatientProfile | None, subject: str, pid: int) -> dict[str, Any] | None:
    """The insurance on file as a Coverage (R4 needs a payor: none is made without one)."""
    if prof is None or not prof.insurance_payer:
        return None
    classes = [
        {"type": _coded(COVERAGE_CLASS, kind), "value": value, "name": value}
        for kind, value in (("group", prof.insurance_group), ("plan", prof.insurance_plan))
        if value
    ]
    return {
        "resourceType": "Coverage",
        "id": f"coverage{pid}",
        "status": "active",
        "beneficiary": {"reference": subject},
        "subscriberId": prof.insurance_member_id,
        "payor": [{"display": prof.insurance_payer}],
        "class": classes,
    }


def encounter(
    r: c.Encounter, subject: str, ref: _Refs, provs: dict[int, m.Provider], tz: ZoneInfo
) -> dict[str, Any]:
    prov = provs.get(r.provider_id) if r.provider_id else None
    return {
        "resourceType": "Encounter",
        "id": str(r.id),
        "status": FHIR_ENCOUNTER[EncounterStatus(r.status)],
        "class": {"system": ACT, "code": "AMB", "display": "ambulatory"},
        "type": [{"text": r.visit_type}] if r.visit_type else [],
        "subject": {"reference": subject},
        "participant": [{"individual": {"display": prov.name}}] if prov else [],
        "appointment": [{"reference": ref("Appointment", r.appointment_id)}] if r.appointment_id else [],
        "period": {"start": _dt(r.occurred_at, tz)},
        "reasonCode": [{"text": r.chief_complaint[:1000]}] if r.chief_complaint else [],
    }


def condition(r: c.Diagnosis, subject: str, ref: _Refs, tz: ZoneInfo) -> dict[str, Any]:
    status = DiagnosisStatus(r.status)
    error = status == DiagnosisStatus.ENTERED_IN_ERROR
    return {
        "resourceType": "Condition",
        "id": str(r.id),
        # con-5: an entered-in-error condition carries no clinical status.
        "clinicalStatus": None
        if error
        else _coded(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", FHIR_CONDITION_CLINICAL[status]
        ),
        "verificationStatus": _coded(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "entered-in-error" if error else "confirmed",
        ),
        "category": [_coded("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")],
        "code": _coded(ICD10CM, r.code, r.description) | {"text": r.description},
        "subject": {"reference": subject},
        "encounter": {"reference": ref("Encounter", r.encounter_id)} if r.encounter_id else None,
        "onsetDateTime": _d(r.onset_date),
        "abatementDateTime": _d(r.resolved_date),
        "recordedDate": _dt(r.created_at, tz),
        "note": [{"text": r.comments}] if r.comments else [],
    }


def allergy(r: c.Allergy, subject: str, tz: ZoneInfo) -> dict[str, Any]:
    status = AllergyStatus(r.status)
    error = status == AllergyStatus.ENTERED_IN_ERROR
    return {
        "resourceType": "AllergyIntolerance",
        "id": str(r.id),
        "clinicalStatus": None
        if error
        else _coded(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", FHIR_ALLERGY_CLINICAL[status]
        ),
        "verificationStatus": _coded(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            "entered-in-error" if error else "confirmed",
        ),
        "category": [ALLERGY_CATEGORY[r.category]],
        "code": {"text": r.allergen},
        "patient": {"reference": subject},
        "onsetDateTime": _d(r.onset_date),
        "recordedDate": _dt(r.created_at, tz),
        "reaction": [{"manifestation": [{"text": r.reaction}], "severity": r.severity}] if r.reaction else [],
        "note": [{"text": r.comments}] if r.comments else [],
    }


def medication(r: c.Medication, subject: str, tz: ZoneInfo) -> dict[str, Any]:
    dosage = " ".join(x for x in (r.dose, r.route, r.frequency) if x)
    return {
        "resourceType": "MedicationStatement",
        "id": str(r.id),
        "status": FHIR_MEDICATION[MedicationStatus(r.status)],
        "category": {"text": r.kind},
        "medicationCodeableConcept": {"text": r.drug_name},
        "subject": {"reference": subject},
        "effectivePeriod": {"start": _d(r.start_date), "end": _d(r.stop_date)},
        "dateAsserted": _dt(r.created_at, tz),
        "dosage": [{"text": dosage or None, "route": {"text": r.route} if r.route else None}]
        if dosage
        else [],
        "note": [{"text": r.instructions}] if r.instructions else [],
    }


def _quantity(kind: v.Kind, value: float) -> dict[str, Any]:
    spec = v.SPECS[kind]
    return {"value": round(value, spec.decimals), "unit": spec.unit, "system": UCUM, "code": spec.ucum}


def vitals(r: c.VitalReading, subject: str, ref: _Refs, tz: ZoneInfo) -> list[dict[str, Any]]:
    """One Observation per vital sign; blood pressure as the panel with two components."""
    common = {
        "status": "final",
        "category": [_coded(OBS_CATEGORY, "vital-signs", "Vital Signs")],
        "subject": {"reference": subject},
        "encounter": {"reference": ref("Encounter", r.encounter_id)} if r.encounter_id else None,
        "effectiveDateTime": _dt(r.measured_at, tz),
    }
    out = []
    if r.systolic is not None and r.diastolic is not None:
        out.append(
            {
                "resourceType": "Observation",
                "id": f"v{r.id}-bp",
                **common,
                "code": _coded(LOINC, "85354-9", "Blood pressure panel"),
                "component": [
                    {
                        "code": _coded(LOINC, "8480-6", "Systolic"),
                        "valueQuantity": _quantity(v.Kind.SYSTOLIC, r.systolic),
                    },
                    {
                        "code": _coded(LOINC, "8462-4", "Diastolic"),
                        "valueQuantity": _quantity(v.Kind.DIASTOLIC, r.diastolic),
                    },
                ],
            }
        )
    for kind in v.Kind:
        value = getattr(r, kind.value)
        if value is None or kind in (v.Kind.SYSTOLIC, v.Kind.DIASTOLIC):
            continue
        spec = v.SPECS[kind]
        out.append(
            {
                "resourceType": "Observation",
                "id": f"v{r.id}-{kind.value.replace('_', '-')}",
                **common,
                "code": _coded(LOINC, spec.loinc, spec.label),
                "valueQuantity": _quantity(kind, value),
            }
        )
    return out


def lab(r: c.LabResult, subject: str, ref: _Refs, tz: ZoneInfo) -> dict[str, Any]:
    value: dict[str, Any]
    if r.value_numeric is not None:
        value = {"valueQuantity": {"value": r.value_numeric, "unit": r.unit}}
    else:
        value = {"valueString": r.value}
    ranges = (
        [
            {
                "low": {"value": r.reference_low, "unit": r.unit} if r.reference_low is not None else None,
                "high": {"value": r.reference_high, "unit": r.unit} if r.reference_high is not None else None,
                "text": r.reference_text,
            }
        ]
        if r.reference_low is not None or r.reference_high is not None or r.reference_text
        else []
    )
    return {
        "resourceType": "Observation",
        "id": f"lab{r.id}",
        "status": FHIR_LAB[LabStatus(r.status)],
        "category": [_coded(OBS_CATEGORY, "laboratory", "Laboratory")],
        "code": _coded(LOINC, r.loinc_code, r.test_name) | {"text": r.test_name},
        "subject": {"reference": subject},
        "encounter": {"reference": ref("Encounter", r.encounter_id)} if r.encounter_id else None,
        "effectiveDateTime": _dt(r.collected_at, tz),
        **value,
        "interpretation": [_coded(INTERPRETATION, r.abnormal_flag)] if r.abnormal_flag else [],
        "referenceRange": ranges,
        "note": [{"text": r.report[:10000]}] if r.report else [],
    }


def appointment(r: Named, subject: str) -> dict[str, Any]:
    tz = ZoneInfo(r.timezone)
    return {
        "resourceType": "Appointment",
        "id": str(r.id),
        "status": FHIR_STATUS[AppointmentStatus(r.status)],
        "description": r.notes,
        "start": _dt(r.starts_at, tz),
        "end": _dt(r.ends_at, tz),
        "participant": [
            {"actor": {"reference": subject}, "status": "accepted"},
            {"actor": {"display": r.provider_name}, "status": "accepted"},
            {"actor": {"display": r.datebook_name}, "status": "accepted"},
        ],
    }


class FhirExportService(base.ChartBase):
    async def export(self, p: Principal, patient_id: int) -> dict[str, Any]:
        async def body(s: AsyncSession, now: datetime) -> dict[str, Any]:
            pat = await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            bundle = await self._bundle(s, p.practice_id, pat, tz, now)
            await audit.record(
                s, p, now, "fhir.export", "patient", patient_id, detail=f"{len(bundle['entry'])} resources"
            )
            return bundle

        return await self.uc.read(p, "fhir.export", "patient", patient_id, body)

    async def _bundle(
        self, s: AsyncSession, practice_id: int, pat: m.Patient, tz: ZoneInfo, now: datetime
    ) -> dict[str, Any]:
        ref = _Refs(practice_id)
        subject = ref("Patient", pat.id)
        pid = pat.id
        provs = {r.id: r for r in await dir_repo.providers(s, practice_id, active_only=False)}
        prof = await profile_repo.profile(s, practice_id, pid)
        entries: list[tuple[str, dict[str, Any]]] = [(subject, patient(pat, prof, ref))]
        if (cover := coverage(prof, subject, pid)) is not None:
            entries.append((ref("Coverage", pid), cover))
        for e in await records.for_patient(s, c.Encounter, practice_id, pid, order=c.Encounter.occurred_at):
            entries.append((ref("Encounter", e.id), encounter(e, subject, ref, provs, tz)))
        for d in await records.for_patient(s, c.Diagnosis, practice_id, pid):
            entries.append((ref("Condition", d.id), condition(d, subject, ref, tz)))
        for a in await records.for_patient(s, c.Allergy, practice_id, pid):
            entries.append((ref("AllergyIntolerance", a.id), allergy(a, subject, tz)))
        for med in await records.for_patient(s, c.Medication, practice_id, pid):
            entries.append((ref("MedicationStatement", med.id), medication(med, subject, tz)))
        readings: Sequence[c.VitalReading] = await records.for_patient(
            s, c.VitalReading, practice_id, pid, order=c.VitalReading.measured_at, not_removed=True
        )
        for reading in readings:
            for obs in vitals(reading, subject, ref, tz):
                entries.append((ref("Observation", obs["id"]), obs))
        for result in await records.for_patient(
            s, c.LabResult, practice_id, pid, order=c.LabResult.collected_at
        ):
            entries.append((ref("Observation", f"lab{result.id}"), lab(result, subject, ref, tz)))
        for appt in await chart.patient_appointments(s, practice_id, pid, limit=1000):
            entries.append((ref("Appointment", appt.id), appointment(appt, subject)))
        bundle = _clean(
            {
                "resourceType": "Bundle",
                "id": str(uuid.uuid5(_NS, f"{practice_id}/bundle/{pid}/{now.isoformat()}")),
                "type": "collection",
                "timestamp": _dt(now, tz),
                "entry": [{"fullUrl": url, "resource": res} for url, res in entries],
            }
        )
        # Imported here: the FHIR models take a quarter of a second to load, which start-up should not pay.
        from fhir.resources.R4B.bundle import Bundle

        try:
            Bundle.model_validate(bundle)
        except ValidationError as exc:
            # Our own output failed the FHIR model: a bug, reported without any of the record's content.
            raise Unavailable(f"the FHIR export failed validation ({exc.error_count()} problems)") from exc
        return dict(bundle)
