"""The Medical Appointment Server's operations (a ChatGPT app): structured content for the model, and
for the widget (`Result.meta`, the tool result's `_meta`) the view to render; a name that fits several
doctors answers with the matches (ambiguous: true) so the person can choose."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain.errors import Ambiguous, Invalid
from frontdesk.domain.timeparse import to_local_iso
from frontdesk.domain.validation import NAME_MAX
from frontdesk.services import dto
from frontdesk.services.operations import CREATE, READ, Call, Input, Operation, Result
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.scheduling.availability import parse_slot_id

SLOT_DAYS = 14
SLOT_LIMIT = 20

Text = Annotated[str | None, Field(max_length=NAME_MAX)]
DoctorId = Annotated[str | None, Field(max_length=64, description="Doctor's UUID (from search_doctors)")]
DoctorName = Annotated[Text, Field(description="Doctor's name to search")]
Specialty = Annotated[Text, Field(description="Specialty to disambiguate multiple matches")]


class DoctorBrief(BaseModel):
    name: str
    specialty: str
    city: str | None = None
    state: str | None = None


class Match(BaseModel):
    id: str
    name: str
    specialty: str
    city: str | None = None


class SearchDoctorsOut(BaseModel):
    success: bool
    count: int
    doctors: list[DoctorBrief]


class SlotBrief(BaseModel):
    time: str = Field(description="Short local time for reading aloud")
    start: str = Field(description="ISO 8601 with offset")
    slotId: str


class SlotsOut(BaseModel):
    success: bool
    ambiguous: bool | None = None
    matches: list[Match] | None = None
    doctor: DoctorBrief | None = None
    count: int | None = None
    slots: list[SlotBrief] | None = None


class Booked(BaseModel):
    doctorName: str
    specialty: str
    scheduledAt: str
    start: str
    patientName: str


class ScheduleOut(BaseModel):
    success: bool
    ambiguous: bool | None = None
    matches: list[Match] | None = None
    appointment: Booked | None = None


def _short(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a, %d %b, %H:%M")


def _long(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%A, %d %B %Y %H:%M")


def _zulu(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _widget_doctor(d: dto.ProviderInfo) -> dict[str, Any]:
    return {
        "id": d.uid,
        "name": d.name,
        "specialty": d.specialty,
        "address": d.address,
        "city": d.city,
        "state": d.state,
        "imageUrl": d.image_url,
        "coordinates": {"lat": d.latitude, "lng": d.longitude} if d.latitude is not None else None,
    }


def _brief(d: dto.ProviderInfo) -> DoctorBrief:
    return DoctorBrief(name=d.name, specialty=d.specialty, city=d.city, state=d.state)


def _ambiguous(exc: Ambiguous, model: type[SlotsOut] | type[ScheduleOut]) -> Result:
    matches = [Match(**m) for m in exc.details.get("matches", [])]
    names = "; ".join(f"{m.name} ({m.specialty})" for m in matches)
    return Result(
        model(success=False, ambiguous=True, matches=matches).model_dump(mode="json", exclude_none=True),
        f"Several doctors match: {names}. Ask which one is meant.",
        {"view": "disambiguation", "matches": [m.model_dump() for m in matches]},
    )


async def _doctor(
    call: Call[Any], doctor_id: str | None, name: str | None, specialty: str | None
) -> dto.ProviderInfo:
    if not doctor_id and not name:
        raise Invalid("give doctorId (from search_doctors) or doctorName", field="doctorId")
    return await call.app.directory.get_provider(
        call.p, uid=doctor_id, name=None if doctor_id else name, specialty=specialty
    )


# --- search_doctors ----------------------------------------------------------------------------


class SearchDoctorsIn(Input):
    name: Annotated[Text, Field(description="Doctor's name or part of it (e.g. 'Silva')")] = None
    specialty: Annotated[Text, Field(description="Medical specialty (e.g. 'Cardiologist')")] = None
    city: Annotated[Text, Field(description="City name (e.g. 'São Paulo')")] = None


async def _search(call: Call[SearchDoctorsIn]) -> Result:
    a = call.args
    rows = await call.app.directory.search_providers(call.p, name=a.name, specialty=a.specialty, city=a.city)
    data = SearchDoctorsOut(success=True, count=len(rows), doctors=[_brief(r) for r in rows])
    text = "\n".join(f"{r.name} — {r.specialty}, {r.city or ''}" for r in rows) or "No doctor matches."
    return Result(data, text, {"view": "doctors-list", "doctors": [_widget_doctor(r) for r in rows]})


SEARCH_DOCTORS = Operation(
    name="search_doctors",
    title="Search Doctors",
    description="Searches for doctors by name, specialty, or city. All filters are optional and can be "
    "combined (accents and case ignored). Use the result's names with get_available_slots.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=SearchDoctorsIn,
    output=SearchDoctorsOut,
    run=_search,
    style="medapp",
)


# --- get_available_slots -----------------------------------------------------------------------


class SlotsIn(Input):
    doctorId: DoctorId = None
    doctorName: DoctorName = None
    specialty: Specialty = None


async def _slots(call: Call[SlotsIn]) -> Result:
    a = call.args
    try:
        d = await _doctor(call, a.doctorId, a.doctorName, a.specialty)
    except Ambiguous as exc:
        return _ambiguous(exc, SlotsOut)
    slots = await call.app.availability.find(call.p, provider_uid=d.uid, days=SLOT_DAYS, limit=SLOT_LIMIT)
    briefs = [
        SlotBrief(
            time=_short(x.starts_at, ZoneInfo(x.timezone)),
            start=to_local_iso(x.starts_at, ZoneInfo(x.timezone)),
            slotId=x.slot_id,
        )
        for x in slots
    ]
    data = SlotsOut(success=True, doctor=_brief(d), count=len(slots), slots=briefs)
    meta = {
        "view": "slots-list",
        "doctor": _widget_doctor(d),
        "slots": [
            {
                "id": x.slot_id,
                "time": _zulu(x.starts_at),
                "formattedTime": _long(x.starts_at, ZoneInfo(x.timezone)),
            }
            for x in slots
        ],
    }
    text = f"{d.name} has {len(slots)} open times: " + ", ".join(s.time for s in briefs)
    return Result(
        data.model_dump(mode="json", exclude_none=True),
        text if slots else f"{d.name} has no open times soon.",
        meta,
    )


GET_AVAILABLE_SLOTS = Operation(
    name="get_available_slots",
    title="View Available Slots",
    description="Returns available appointment times for a specific doctor over the next two weeks. "
    "Identify the doctor by doctorId (from search_doctors) or doctorName; if the name matches several "
    "doctors the answer lists them (ambiguous=true): ask the user which one, or pass specialty. Book "
    "with schedule_appointment.",
    scopes=(access.APPOINTMENTS_READ,),
    hints=READ,
    input=SlotsIn,
    output=SlotsOut,
    run=_slots,
    style="medapp",
)


# --- schedule_appointment ----------------------------------------------------------------------


class ScheduleIn(Input):
    patientName: Annotated[str, Field(min_length=1, max_length=NAME_MAX, description="Patient's full name")]
    patientPhone: Annotated[str, Field(min_length=1, max_length=32, description="Patient's phone number")]
    doctorId: DoctorId = None
    doctorName: Annotated[Text, Field(description="Doctor's name")] = None
    specialty: Annotated[Text, Field(description="Specialty to disambiguate")] = None
    slotId: Annotated[str | None, Field(max_length=80, description="Slot id from get_available_slots")] = None
    slotTime: Annotated[str | None, Field(max_length=40, description="'09:00' or an ISO 8601 date-time")] = (
        None
    )


async def _request(call: Call[ScheduleIn], d: dto.ProviderInfo) -> BookingRequest:
    a = call.args
    common: dict[str, Any] = {
        "patient_name": a.patientName,
        "patient_phone": a.patientPhone,
        "reuse_patient_by_phone": True,
    }
    if a.slotId:
        book_id, prov_id, serv_id, start, minutes = parse_slot_id(a.slotId)
        if prov_id != d.id:
            raise Invalid("that slot belongs to another doctor", field="slotId")
        end = start + timedelta(minutes=minutes)
        return BookingRequest(d.id, start, datebook_id=book_id, service_id=serv_id, ends_at=end, **common)
    if not a.slotTime:
        raise Invalid("give slotId (from get_available_slots) or slotTime", field="slotId")
    chosen = await call.app.availability.slot_at(call.p, d, a.slotTime, field="slotTime")
    return BookingRequest(
        d.id, chosen.starts_at, datebook_id=chosen.datebook_id, ends_at=chosen.ends_at, **common
    )


async def _schedule(call: Call[ScheduleIn]) -> Result:
    a = call.args
    try:
        d = await _doctor(call, a.doctorId, a.doctorName, a.specialty)
    except Ambiguous as exc:
        return _ambiguous(exc, ScheduleOut)
    booked = await call.app.appointments.book(call.p, await _request(call, d))
    tz = ZoneInfo(booked.timezone)
    data = ScheduleOut(
        success=True,
        appointment=Booked(
            doctorName=d.name,
            specialty=d.specialty,
            scheduledAt=_long(booked.starts_at, tz),
            start=to_local_iso(booked.starts_at, tz),
            patientName=booked.patient_name,
        ),
    )
    meta = {
        "view": "confirmation",
        "appointment": {
            "id": str(booked.id),
            "doctor": _widget_doctor(d),
            "scheduledAt": _zulu(booked.starts_at),
            "formattedDate": _long(booked.starts_at, tz),
            "patient": {"name": booked.patient_name, "phone": a.patientPhone},
        },
    }
    text = f"Booked {booked.patient_name} with {d.name} on {_long(booked.starts_at, tz)}."
    return Result(data.model_dump(mode="json", exclude_none=True), text, meta)


SCHEDULE_APPOINTMENT = Operation(
    name="schedule_appointment",
    title="Schedule Appointment",
    description="Books an appointment with a doctor. Identify the doctor by doctorId or doctorName "
    "(+ specialty), and the time by slotId (from get_available_slots) or slotTime: 'HH:MM' books "
    "the next free slot at that local time, or give a full ISO 8601 date-time. patientName and "
    "patientPhone are required; a patient with the same name and phone is reused. Not idempotent.",
    scopes=(access.APPOINTMENTS_WRITE,),
    hints=CREATE,
    input=ScheduleIn,
    output=ScheduleOut,
    run=_schedule,
    style="medapp",
)

OPERATIONS = (SEARCH_DOCTORS, GET_AVAILABLE_SLOTS, SCHEDULE_APPOINTMENT)
