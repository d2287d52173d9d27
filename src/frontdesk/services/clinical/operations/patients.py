"""find_patients, manage_patient and export_patient_fhir."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.demographics import Demographics, FindQuery
from frontdesk.services.clinical.dto import PatientRecord
from frontdesk.services.clinical.operations.common import Day, PatientId, plain
from frontdesk.services.operations import (
    MANAGE,
    READ,
    Action,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Page,
    Result,
)
from frontdesk.services.operations import Id as IdType

Name = Annotated[str | None, Field(max_length=120)]
Text = Annotated[str | None, Field(max_length=200)]
Phone = Annotated[str | None, Field(max_length=32)]
Email = Annotated[str | None, Field(max_length=254)]
Place = Annotated[str | None, Field(max_length=100)]
PostalCode = Annotated[str | None, Field(max_length=12)]
Age = Annotated[int | None, Field(ge=0, le=130)]


class FindIn(Input):
    name: Annotated[Name, Field(description="Part of the name")] = None
    uid: Annotated[
        str | None, Field(max_length=36, description="The patient's UID, e.g. P-1A2B3C4D (exact)")
    ] = None
    date_of_birth: Day = None
    phone: Phone = None
    email: Email = None
    city: Place = None
    state: Place = None
    postal_code: PostalCode = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    min_age: Age = None
    max_age: Age = None
    status: Literal["active", "inactive", "merged", "all"] = "active"
    diagnosis_code: Annotated[
        str | None, Field(max_length=10, description="Clinicians: patients with this active ICD-10-CM code")
    ] = None
    medication: Annotated[Name, Field(description="Clinicians: patients taking this (part of a name)")] = None
    allergy: Annotated[Name, Field(description="Clinicians: patients with this active allergy")] = None
    provider_id: Annotated[
        OptionalId, Field(description="A provider's clients: titular provider or sessions with them")
    ] = None
    page: Page = 1
    page_size: Annotated[int, Field(ge=1, le=50)] = 20


async def _find(call: Call[FindIn]) -> Result:
    a = call.args
    found = await call.app.patients.find(call.p, FindQuery(**a.model_dump()))
    rows = [shapes.PatientSummary(**plain(r)) for r in found.patients]
    data = shapes.FindPatientsOut(
        patients=rows, count=len(rows), page=found.page, page_size=found.page_size, has_more=found.has_more
    )
    text = "\n".join(
        f"{r.id}: {r.first_name} {r.last_name} ({r.uid}), born {r.date_of_birth or '?'}" for r in rows
    )
    return Result(data, (text or "No patient matches.") + ("\n(more: next page)" if found.has_more else ""))


FIND_PATIENTS = Operation(
    name="find_patients",
    title="Find patients",
    description="Search patients: the first step of any patient task. Criteria combine (AND): name (any "
    "part, accents and case ignored), uid, date_of_birth, phone (any format; matches the end of the "
    "number), email, city, state, postal_code (prefix), sex, min_age/max_age, provider_id (that "
    "provider's clients: those whose titular provider they are or who had sessions with them), and "
    "status (active by default; inactive, merged or all). Clinicians may also filter by an active "
    "diagnosis (diagnosis_code, a code or its category such as E11), an active medication or an active "
    "allergy (part of the name). Paged: page_size up to 50, has_more says whether to ask for the next "
    "page.",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=FindIn,
    output=shapes.FindPatientsOut,
    run=_find,
)
# The CharmHealth seed's findPatients has no uid; its description says so.
FIND_PATIENTS_WITHOUT_UID = FIND_PATIENTS.description.replace(" uid,", "").replace(
    " provider_id (that provider's clients: those whose titular provider they are or who had sessions "
    "with them),",
    "",
)


class PatientIn(Input):
    action: Literal["get", "add", "update", "activate", "deactivate", "merge"]
    patient_id: PatientId = None
    duplicate_patient_id: Annotated[OptionalId, Field(description="(merge) the duplicate record")] = None
    confirm: ConfirmFlag = None
    first_name: Annotated[Name, Field(description="Legal first name")] = None
    last_name: Annotated[Name, Field(description="Legal last name")] = None
    middle_name: Name = None
    preferred_name: Annotated[Name, Field(description="Name the patient goes by")] = None
    date_of_birth: Day = None
    sex: Annotated[
        str | None, Field(max_length=20, description="Administrative sex: female, male, other, unknown")
    ] = None
    gender_identity: Annotated[str | None, Field(max_length=60)] = None
    pronouns: Annotated[str | None, Field(max_length=30)] = None
    phone: Phone = None
    alt_phone: Phone = None
    email: Email = None
    address_line1: Text = None
    address_line2: Text = None
    city: Place = None
    state: Place = None
    postal_code: PostalCode = None
    country: Annotated[str | None, Field(max_length=2, description="ISO 3166 code, e.g. US")] = None
    language: Annotated[str | None, Field(max_length=20, description="Language tag, e.g. en, es, pt-BR")] = (
        None
    )
    emergency_name: Name = None
    emergency_phone: Phone = None
    emergency_relation: Annotated[str | None, Field(max_length=60)] = None
    insurance_payer: Name = None
    insurance_plan: Name = None
    insurance_member_id: Annotated[str | None, Field(max_length=60)] = None
    insurance_group: Annotated[str | None, Field(max_length=60)] = None
    titular_provider_id: Annotated[
        OptionalId, Field(description="The client's titular provider (preferred when a booking names none)")
    ] = None
    clear_titular_provider: Annotated[
        bool | None, Field(description="(update) true: the client no longer has a titular provider")
    ] = None
    idempotency_key: IdempotencyKey = None


_DEMOGRAPHICS = tuple(f.name for f in dataclasses.fields(Demographics))


def _details(a: PatientIn) -> Demographics:
    return Demographics(**{k: getattr(a, k) for k in _DEMOGRAPHICS})


def _answer(call: Call[PatientIn], r: PatientRecord) -> Result:
    out = shapes.ManagePatientOut(action=call.args.action, patient=shapes.PatientOut(**plain(r)))
    return Result(out, f"{r.id}: {r.full_name} ({r.status})")


async def _get(call: Call[PatientIn]) -> Result:
    return _answer(call, await call.app.patients.get(call.p, call.args.patient_id or 0))


async def _add(call: Call[PatientIn]) -> Result:
    a = call.args
    done = await call.app.patients.register(
        call.p, _details(a), call.idem, titular_provider_id=a.titular_provider_id
    )
    r = done.patient
    out = shapes.ManagePatientOut(action=a.action, patient=shapes.PatientOut(**plain(r)), linked=done.linked)
    if done.linked:
        text = (
            f"{r.id}: {r.full_name} ({r.status}) already has this email: linked, nothing created or changed"
        )
        return Result(out, text)
    return Result(out, f"{r.id}: {r.full_name} ({r.status})")


async def _update(call: Call[PatientIn]) -> Result:
    a = call.args
    r = await call.app.patients.update(
        call.p,
        a.patient_id or 0,
        _details(a),
        call.idem,
        titular_provider_id=a.titular_provider_id,
        clear_titular_provider=bool(a.clear_titular_provider),
    )
    return _answer(call, r)


async def _set_status(call: Call[PatientIn]) -> Result:
    status = "active" if call.args.action == "activate" else "inactive"
    return _answer(
        call, await call.app.patients.set_status(call.p, call.args.patient_id or 0, status, call.idem)
    )


async def _merge(call: Call[PatientIn]) -> Result:
    a = call.args
    merged = await call.app.patients.merge(
        call.p, a.patient_id or 0, a.duplicate_patient_id or 0, call.idem, call.consent
    )
    out = shapes.ManagePatientOut(
        action=a.action,
        patient=shapes.PatientOut(**plain(merged.kept)),
        merged_patient_id=merged.merged_id,
        moved=merged.moved,
    )
    return Result(out, f"Merged patient {merged.merged_id} into {merged.kept.id} ({merged.kept.full_name})")


async def _ask_merge(call: Call[PatientIn]) -> str | None:
    a = call.args
    return await call.app.patients.question(call.p, a.patient_id or 0, a.duplicate_patient_id or 0)


MANAGE_PATIENT = Operation(
    name="manage_patient",
    title="Manage patient",
    description="Read and maintain a patient's record: legal and preferred name, date of birth, sex "
    "(administrative) and gender identity, contact details (phones stored in E.164; an email identifies "
    "one patient: adding one whose email is known returns that patient, linked), address, language, "
    "emergency contact, insurance and the titular provider; activate or deactivate; merge a duplicate "
    "into the record kept (the duplicate's appointments and chart move over; asks the person first, "
    "or needs confirm: true once they agreed). Find the patient_id with find_patients first. No "
    "clinical content here: use review_patient_history.",
    scopes=(access.PATIENTS_READ,),
    hints=MANAGE,
    input=PatientIn,
    output=shapes.ManagePatientOut,
    actions={
        "get": Action(
            "one patient's demographics, contact, emergency contact and insurance", _get, ("patient_id",)
        ),
        "add": Action(
            "register a new patient (a patient with the same email is returned instead: linked)",
            _add,
            ("first_name", "last_name"),
            (*_DEMOGRAPHICS[2:], "titular_provider_id"),
        ),
        "update": Action(
            'change details; "" clears a field',
            _update,
            ("patient_id",),
            (*_DEMOGRAPHICS, "titular_provider_id", "clear_titular_provider"),
        ),
        "activate": Action("mark an inactive patient active again", _set_status, ("patient_id",)),
        "deactivate": Action(
            "mark a patient inactive (moved away, deceased...)", _set_status, ("patient_id",)
        ),
        "merge": Action(
            "fold duplicate_patient_id into patient_id (appointments and chart move over; destructive)",
            _merge,
            ("patient_id", "duplicate_patient_id"),
            ask=_ask_merge,
        ),
    },
)


class FhirIn(Input):
    patient_id: Annotated[IdType, Field(description="The patient's id")]


async def _export(call: Call[FhirIn]) -> Result:
    pid = call.args.patient_id
    bundle = await call.app.fhir.export(call.p, pid)
    count = len(bundle.get("entry", []))
    data = shapes.FhirExportOut(fhir_version="4.0.1", resource_count=count, bundle=bundle)
    return Result(data, f"FHIR R4 Bundle with {count} resources for patient {pid}")


EXPORT_PATIENT_FHIR = Operation(
    name="export_patient_fhir",
    title="Export patient record as FHIR",
    description="Clinicians: the patient's whole record as a FHIR R4 Bundle (type collection) with "
    "Patient, Encounter, Condition (ICD-10-CM), AllergyIntolerance, MedicationStatement, Observation "
    "(vital signs with LOINC and UCUM; lab results) and Appointment resources, validated before it "
    "is returned. For sending the record to another system or the patient.",
    scopes=(access.CLINICAL_READ,),
    hints=READ,
    input=FhirIn,
    output=shapes.FhirExportOut,
    run=_export,
)

# The CharmHealth seed's managePatient has no titular provider (a Coordinalo notion).
MANAGE_PATIENT_WITHOUT_TITULAR = MANAGE_PATIENT.description.replace(" and the titular provider", "")
WITHOUT_TITULAR = frozenset({"titular_provider_id", "clear_titular_provider"})

OPERATIONS = (FIND_PATIENTS, MANAGE_PATIENT, EXPORT_PATIENT_FHIR)
