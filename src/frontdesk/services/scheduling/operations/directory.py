"""The directory: datebooks, doctors, services; and the Odonto.me seed's name-only patient search."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from frontdesk.domain import access
from frontdesk.domain.validation import NAME_MAX
from frontdesk.services.currencies import plain
from frontdesk.services.operations import (
    READ,
    Call,
    Input,
    Operation,
    Result,
)
from frontdesk.services.scheduling import shapes
from frontdesk.services.scheduling.operations.fields import (
    Filter,
    NoInput,
)

# --- the directory ----------------------------------------------------------------------------


async def _datebooks(call: Call[NoInput]) -> Result:
    rows = await call.app.directory.list_datebooks(call.p)
    data = shapes.DatebookList(
        datebooks=[shapes.DatebookOut(id=d.id, name=d.name, timezone=d.timezone) for d in rows]
    )
    return Result(data, "\n".join(f"{d.id}: {d.name} ({d.timezone})" for d in rows) or "No datebooks.")


LIST_DATEBOOKS = Operation(
    name="list_datebooks",
    title="List datebooks",
    description="List the practice's datebooks (appointment calendars, usually one per clinic location) "
    "with their time zones. Call this first: list_appointments, create_appointment and "
    "find_available_slots need a datebook_id or datebook_name.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=NoInput,
    output=shapes.DatebookList,
    run=_datebooks,
)


class DoctorsIn(Input):
    name: Annotated[Filter, Field(description="Part of the doctor's name (accents and case ignored)")] = None
    specialty: Annotated[Filter, Field(description="Specialty, e.g. Orthodontist")] = None
    city: Annotated[Filter, Field(description="City of practice")] = None


async def _doctors(call: Call[DoctorsIn]) -> Result:
    a = call.args
    if a.name or a.specialty or a.city:
        rows = await call.app.directory.search_providers(
            call.p, name=a.name, specialty=a.specialty, city=a.city
        )
    else:
        rows = await call.app.directory.list_providers(call.p)
    data = shapes.DoctorList(
        doctors=[shapes.DoctorOut(id=r.id, uid=r.uid, name=r.name, speciality=r.specialty) for r in rows]
    )
    return Result(data, "\n".join(f"{r.id}: {r.name} — {r.specialty}" for r in rows) or "No doctors.")


LIST_DOCTORS = Operation(
    name="list_doctors",
    title="List doctors",
    description="List all active dentists and specialists with their ID, UID and specialty, optionally "
    "only those matching a name, specialty or city. Use the id as doctor_id when listing, searching "
    "slots or booking.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=DoctorsIn,
    output=shapes.DoctorList,
    run=_doctors,
)


async def _services(call: Call[NoInput]) -> Result:
    rows = await call.app.directory.list_services(call.p)
    data = shapes.ServiceList(
        services=[
            shapes.ServiceOut(
                id=r.id,
                name=r.name,
                duration_minutes=r.duration_minutes,
                price=plain(r.price_cents, r.currency),
                buffer_before_minutes=r.buffer_before_minutes,
                buffer_after_minutes=r.buffer_after_minutes,
            )
            for r in rows
        ]
    )
    text = "\n".join(f"{r.id}: {r.name} ({r.duration_minutes} min)" for r in rows) or "No services."
    return Result(data, text)


LIST_SERVICES = Operation(
    name="list_services",
    title="List services",
    description="List the services (visit types) with duration, price and buffers. Pass a service_id "
    "to find_available_slots or create_appointment so the right length is booked.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=NoInput,
    output=shapes.ServiceList,
    run=_services,
)


# --- the Odonto.me patient search (names and ids only) -----------------------------------------


class SearchPatientsIn(Input):
    query: Annotated[
        str, Field(min_length=1, max_length=NAME_MAX, description="Patient name or UID to search for")
    ]


async def _search_patients(call: Call[SearchPatientsIn]) -> Result:
    rows = await call.app.patients.search(call.p, call.args.query)
    data = shapes.PatientList(
        patients=[
            shapes.PatientOut(id=r.id, uid=r.uid, firstname=r.first_name, lastname=r.last_name) for r in rows
        ],
        count=len(rows),
    )
    return Result(data, "\n".join(f"{r.id}: {r.full_name} ({r.uid})" for r in rows) or "No patient matches.")


SEARCH_PATIENTS = Operation(
    name="search_patients",
    title="Search patients",
    description="Search the patient directory by name (any part, accents and case ignored) or by "
    "patient UID. Use it to find the patient_id before booking. Returns at most 25 patients and "
    "only names and IDs, never contact or clinical details.",
    scopes=(access.PATIENTS_READ,),
    hints=READ,
    input=SearchPatientsIn,
    output=shapes.PatientList,
    run=_search_patients,
)
