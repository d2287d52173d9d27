"""findPatients, managePatient and export_patient_fhir."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult
from pydantic import Field

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Invalid
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.respond import Reply, run
from frontdesk.mcp.tools.clinical import shapes
from frontdesk.mcp.tools.clinical.common import (
    MANAGE,
    READ,
    Action,
    Actions,
    IdempotencyKey,
    PatientId,
    args_of,
    idem,
    plain,
)
from frontdesk.services.clinical.demographics import Demographics, FindQuery
from frontdesk.services.context import Principal

Text = Annotated[str | None, Field(max_length=200)]
_DEMOGRAPHICS = (
    "first_name",
    "last_name",
    "middle_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "pronouns",
    "phone",
    "alt_phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "language",
    "emergency_name",
    "emergency_phone",
    "emergency_relation",
    "insurance_payer",
    "insurance_plan",
    "insurance_member_id",
    "insurance_group",
)
PATIENT = Actions(
    get=Action("one patient's demographics, contact, emergency contact and insurance", ("patient_id",)),
    add=Action("register a new patient", ("first_name", "last_name"), tuple(_DEMOGRAPHICS[2:])),
    update=Action('change details; "" clears a field', ("patient_id",), _DEMOGRAPHICS),
    activate=Action("mark an inactive patient active again", ("patient_id",)),
    deactivate=Action("mark a patient inactive (moved away, deceased...)", ("patient_id",)),
    merge=Action(
        "fold duplicate_patient_id into patient_id (appointments and chart move over; destructive)",
        ("patient_id", "duplicate_patient_id", "confirm"),
    ),
)


def _patient(r: Any) -> shapes.PatientOut:
    return shapes.PatientOut(**plain(r))


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        name="findPatients",
        title="Find patients",
        annotations=READ,
        description="Search patients: the first step of any patient task. Criteria combine (AND): name (any "
        "part, accents and case ignored), date_of_birth, phone (any format; matches the end of the "
        "number), email, city, state, postal_code (prefix), sex, min_age/max_age, and status (active by "
        "default; inactive, merged or all). Clinicians may also filter by an active diagnosis "
        "(diagnosis_code, a code or its category such as E11), an active medication or an active allergy "
        "(part of the name). Paged: page_size up to 50, has_more says whether to ask for the next page.",
    )
    async def findPatients(
        ctx: Context,
        name: Annotated[str | None, Field(max_length=120, description="Part of the name")] = None,
        date_of_birth: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        phone: Annotated[str | None, Field(max_length=32)] = None,
        email: Annotated[str | None, Field(max_length=254)] = None,
        city: Annotated[str | None, Field(max_length=100)] = None,
        state: Annotated[str | None, Field(max_length=100)] = None,
        postal_code: Annotated[str | None, Field(max_length=12)] = None,
        sex: Annotated[Literal["female", "male", "other", "unknown"] | None, Field()] = None,
        min_age: Annotated[int | None, Field(ge=0, le=130)] = None,
        max_age: Annotated[int | None, Field(ge=0, le=130)] = None,
        status: Annotated[Literal["active", "inactive", "merged", "all"], Field()] = "active",
        diagnosis_code: Annotated[
            str | None,
            Field(max_length=10, description="Clinicians: patients with this active ICD-10-CM code"),
        ] = None,
        medication: Annotated[
            str | None, Field(max_length=120, description="Clinicians: patients taking this (part of a name)")
        ] = None,
        allergy: Annotated[
            str | None, Field(max_length=120, description="Clinicians: patients with this active allergy")
        ] = None,
        page: Annotated[int, Field(ge=1)] = 1,
        page_size: Annotated[int, Field(ge=1, le=50)] = 20,
    ) -> Annotated[CallToolResult, shapes.FindPatientsOut]:
        query = FindQuery(**args_of(locals()))

        async def act(p: Principal) -> Reply:
            found = await app.patients.find(p, query)
            rows = [shapes.PatientSummary(**plain(r)) for r in found.patients]
            data = shapes.FindPatientsOut(
                patients=rows,
                count=len(rows),
                page=found.page,
                page_size=found.page_size,
                has_more=found.has_more,
            )
            text = "\n".join(
                f"{r.id}: {r.first_name} {r.last_name} ({r.uid}), born {r.date_of_birth or '?'}" for r in rows
            )
            return Reply(
                data, (text or "No patient matches.") + ("\n(more: next page)" if found.has_more else "")
            )

        return await run(ctx, resolve, act)

    @server.tool(
        name="managePatient",
        title="Manage patient",
        annotations=MANAGE,
        description="Read and maintain a patient's record: legal and preferred name, date of birth, sex "
        "(administrative) and gender identity, contact details, address, language, emergency contact and "
        "insurance; activate or deactivate; merge a duplicate into the record kept (the duplicate's "
        "appointments and chart move over; needs confirm: true after the person agreed). Find the "
        "patient_id with findPatients first. No clinical content here: use reviewPatientHistory.",
    )
    async def managePatient(
        ctx: Context,
        action: Annotated[
            Literal["get", "add", "update", "activate", "deactivate", "merge"],
            Field(description=PATIENT.describe(), json_schema_extra=PATIENT.schema_extra()),
        ],
        patient_id: PatientId = None,
        duplicate_patient_id: Annotated[int | None, Field(description="(merge) the duplicate record")] = None,
        confirm: Annotated[bool | None, Field(description="(merge) true once the person agreed")] = None,
        first_name: Annotated[str | None, Field(max_length=120, description="Legal first name")] = None,
        last_name: Annotated[str | None, Field(max_length=120, description="Legal last name")] = None,
        middle_name: Annotated[str | None, Field(max_length=120)] = None,
        preferred_name: Annotated[
            str | None, Field(max_length=120, description="Name the patient goes by")
        ] = None,
        date_of_birth: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        sex: Annotated[
            str | None, Field(description="Administrative sex: female, male, other, unknown")
        ] = None,
        gender_identity: Annotated[str | None, Field(max_length=60)] = None,
        pronouns: Annotated[str | None, Field(max_length=30)] = None,
        phone: Annotated[str | None, Field(max_length=32)] = None,
        alt_phone: Annotated[str | None, Field(max_length=32)] = None,
        email: Annotated[str | None, Field(max_length=254)] = None,
        address_line1: Text = None,
        address_line2: Text = None,
        city: Annotated[str | None, Field(max_length=100)] = None,
        state: Annotated[str | None, Field(max_length=100)] = None,
        postal_code: Annotated[str | None, Field(max_length=12)] = None,
        country: Annotated[str | None, Field(max_length=2, description="ISO 3166 code, e.g. US")] = None,
        language: Annotated[
            str | None, Field(max_length=20, description="Language tag, e.g. en, es, pt-BR")
        ] = None,
        emergency_name: Annotated[str | None, Field(max_length=120)] = None,
        emergency_phone: Annotated[str | None, Field(max_length=32)] = None,
        emergency_relation: Annotated[str | None, Field(max_length=60)] = None,
        insurance_payer: Annotated[str | None, Field(max_length=120)] = None,
        insurance_plan: Annotated[str | None, Field(max_length=120)] = None,
        insurance_member_id: Annotated[str | None, Field(max_length=60)] = None,
        insurance_group: Annotated[str | None, Field(max_length=60)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.ManagePatientOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            PATIENT.check(action, args)
            key = idem("managePatient", idempotency_key, args)
            details = Demographics(**{k: args[k] for k in _DEMOGRAPHICS})
            pid = patient_id or 0
            if action == "get":
                r = await app.patients.get(p, pid)
            elif action == "add":
                r = await app.patients.register(p, details, key)
            elif action == "update":
                r = await app.patients.update(p, pid, details, key)
            elif action in ("activate", "deactivate"):
                r = await app.patients.set_status(
                    p, pid, "active" if action == "activate" else "inactive", key
                )
            else:
                if confirm is not True:
                    raise Invalid(
                        "merging is destructive: ask the person, then call with confirm: true",
                        field="confirm",
                    )
                merged = await app.patients.merge(p, pid, duplicate_patient_id or 0, key)
                out = shapes.ManagePatientOut(
                    action=action,
                    patient=_patient(merged.kept),
                    merged_patient_id=merged.merged_id,
                    moved=merged.moved,
                )
                return Reply(
                    out, f"Merged patient {merged.merged_id} into {merged.kept.id} ({merged.kept.full_name})"
                )
            return Reply(
                shapes.ManagePatientOut(action=action, patient=_patient(r)),
                f"{r.id}: {r.full_name} ({r.status})",
            )

        return await run(ctx, resolve, act)

    @server.tool(
        name="export_patient_fhir",
        title="Export patient record as FHIR",
        annotations=READ,
        description="Clinicians: the patient's whole record as a FHIR R4 Bundle (type collection) with "
        "Patient, Encounter, Condition (ICD-10-CM), AllergyIntolerance, MedicationStatement, Observation "
        "(vital signs with LOINC and UCUM; lab results) and Appointment resources, validated before it "
        "is returned. For sending the record to another system or the patient.",
    )
    async def export_patient_fhir(
        ctx: Context, patient_id: Annotated[int, Field(description="The patient's id")]
    ) -> Annotated[CallToolResult, shapes.FhirExportOut]:
        async def act(p: Principal) -> Reply:
            bundle = await app.fhir.export(p, patient_id)
            count = len(bundle.get("entry", []))
            data = shapes.FhirExportOut(fhir_version="4.0.1", resource_count=count, bundle=bundle)
            return Reply(data, f"FHIR R4 Bundle with {count} resources for patient {patient_id}")

        return await run(ctx, resolve, act)
