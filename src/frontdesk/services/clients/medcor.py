"""The MedCor seed's patient tools (list_patients, get_patient_details, create_patient): its
snake_case parameters exactly, over the clients use cases. `tenant_id` is the practice: the caller's
own id is accepted, any other is not found."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.validation import NAME_MAX
from frontdesk.services.clients import shapes
from frontdesk.services.clients.dto import Client, Draft
from frontdesk.services.clients.naming import fields_as
from frontdesk.services.clients.service import LIST_MAX
from frontdesk.services.dto import AppointmentInfo
from frontdesk.services.operations import CREATE, READ, Call, Id, Input, Operation, OptionalId, Result

NAMES = {"phone": "phone_number", "titular_provider_id": "doctor_id"}
WORDS = {"find_patients": "list_patients", "list_doctors": "list_doctors"}
TenantId = Annotated[
    OptionalId, Field(description="Your own tenant's id (the default); any other is not found")
]


def patient_out(c: Client, tenant_id: int) -> shapes.PatientOut:
    return shapes.PatientOut(
        id=c.id,
        uid=c.uid,
        first_name=c.first_name,
        last_name=c.last_name,
        email=c.email,
        phone_number=c.phone,
        date_of_birth=c.date_of_birth.isoformat() if c.date_of_birth else None,
        status=c.status,
        tenant_id=tenant_id,
        created_at=c.created_at.isoformat(timespec="seconds"),
    )


def appointment_out(a: AppointmentInfo) -> shapes.AppointmentOut:
    local = a.starts_at.astimezone(ZoneInfo(a.timezone))
    return shapes.AppointmentOut(
        id=a.id,
        appointment_date=local.date().isoformat(),
        appointment_time=local.strftime("%H:%M"),
        starts_at=local.isoformat(timespec="seconds"),
        status=a.status,
        doctor_id=a.provider_id,
        doctor_name=a.provider_name,
        treatment_id=a.service_id,
        treatment_name=a.service_name,
    )


def line(c: Client) -> str:
    return f"{c.id}: {c.full_name} <{c.email or 'no email'}> {c.phone or ''}".rstrip()


# --- list_patients -----------------------------------------------------------------------------


class ListIn(Input):
    tenant_id: TenantId = None


async def _list(call: Call[ListIn]) -> Result:
    page = await call.app.client_records.list(call.p, limit=LIST_MAX, tenant_id=call.args.tenant_id)
    rows = [patient_out(c, call.p.practice_id) for c in page.clients]
    data = shapes.PatientListOut(results=rows, count=len(rows), truncated=page.next_cursor is not None)
    text = "\n".join(line(c) for c in page.clients) or "No patients yet."
    return Result(data, text + (f"\n(only the first {LIST_MAX} listed)" if page.next_cursor else ""))


LIST_PATIENTS = Operation(
    name="list_patients",
    title="List patients",
    description=f"List the patients of your tenant (hospital or clinic), in name order, at most {LIST_MAX} "
    "(truncated: true says there are more). tenant_id may only be your own tenant's.",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=ListIn,
    output=shapes.PatientListOut,
    run=_list,
)


# --- get_patient_details -----------------------------------------------------------------------


class GetIn(Input):
    patient_id: Annotated[Id, Field(description="The patient's id (from list_patients)")]


async def _get(call: Call[GetIn]) -> Result:
    async with fields_as(NAMES):
        d = await call.app.client_records.get(call.p, call.args.patient_id)
    visits = [appointment_out(a) for a in d.recent_sessions]
    data = shapes.PatientDetailsOut(
        patient=patient_out(d.client, call.p.practice_id), recent_appointments=visits
    )
    recent = "; ".join(
        f"{v.appointment_date} {v.appointment_time} {v.doctor_name} ({v.status})" for v in visits
    )
    return Result(data, line(d.client) + ("\nRecent appointments: " + recent if recent else ""))


GET_PATIENT_DETAILS = Operation(
    name="get_patient_details",
    title="Get patient details",
    description="Get detailed patient information: contact details and the latest ten appointments "
    "(newest first).",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=GetIn,
    output=shapes.PatientDetailsOut,
    run=_get,
)


# --- create_patient ----------------------------------------------------------------------------


class CreateIn(Input):
    email: Annotated[str, Field(min_length=1, max_length=254, description="Identifies the patient")]
    first_name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    last_name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    phone_number: Annotated[
        str | None, Field(max_length=32, description="Any format; stored in E.164 (+14155550123)")
    ] = None
    tenant_id: TenantId = None


async def _create(call: Call[CreateIn]) -> Result:
    a = call.args
    async with fields_as(NAMES):
        done = await call.app.client_records.create(
            call.p, Draft(a.first_name, a.last_name, a.email, a.phone_number), tenant_id=a.tenant_id
        )
    data = shapes.PatientCreatedOut(patient=patient_out(done.client, call.p.practice_id), linked=done.linked)
    if done.linked:
        return Result(
            data, f"A patient with this email already exists: {line(done.client)} (nothing created)"
        )
    return Result(data, "Created patient " + line(done.client))


CREATE_PATIENT = Operation(
    name="create_patient",
    title="Create patient",
    description="Create a patient account in your tenant. The email identifies the patient (case "
    "ignored): if a patient with it exists, that one is returned (linked: true) and nothing is created. "
    "The phone number is stored in E.164 (without +code it is read in the tenant's default region).",
    scopes=(access.PATIENTS_WRITE,),
    hints=CREATE,
    input=CreateIn,
    output=shapes.PatientCreatedOut,
    run=_create,
)

OPERATIONS = (LIST_PATIENTS, GET_PATIENT_DETAILS, CREATE_PATIENT)
