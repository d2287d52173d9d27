"""The Medical Appointment Server tools (ChatGPT app): structuredContent for the model, `_meta` for
the widget at ui://widget/medical-app.html, and a disambiguation answer when a name fits several doctors."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Ambiguous, FrontdeskError, Invalid, NotFound
from frontdesk.domain.timeparse import parse_datetime, to_local_iso
from frontdesk.mcp.errors import tool_error
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.tools.scheduling import idempotency
from frontdesk.services import dto
from frontdesk.services.context import Principal
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.scheduling.availability import parse_slot_id

WIDGET_URI = "ui://widget/medical-app.html"
TOOL_NAMES = frozenset({"search_doctors", "get_available_slots", "schedule_appointment"})
SLOT_DAYS = 14
SLOT_LIMIT = 20
READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
CREATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)


def _tool_meta(invoking: str, invoked: str) -> dict[str, Any]:
    return {
        "openai/outputTemplate": WIDGET_URI,
        "openai/toolInvocation/invoking": invoking,
        "openai/toolInvocation/invoked": invoked,
        "openai/widgetAccessible": True,
    }


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


def _ambiguous(exc: Ambiguous, model: type[SlotsOut] | type[ScheduleOut]) -> CallToolResult:
    matches = [Match(**m) for m in exc.details.get("matches", [])]
    data = model(success=False, ambiguous=True, matches=matches)
    names = "; ".join(f"{m.name} ({m.specialty})" for m in matches)
    return CallToolResult(
        content=[TextContent(type="text", text=f"Several doctors match: {names}. Ask which one is meant.")],
        structured_content=data.model_dump(mode="json", exclude_none=True),
        _meta={"view": "disambiguation", "matches": [m.model_dump() for m in matches]},
    )


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    async def doctor(
        p: Principal, doctor_id: str | None, name: str | None, specialty: str | None
    ) -> dto.ProviderInfo:
        if not doctor_id and not name:
            raise Invalid("give doctorId (from search_doctors) or doctorName", field="doctorId")
        return await app.directory.get_provider(
            p, uid=doctor_id, name=None if doctor_id else name, specialty=specialty
        )

    @server.tool(
        title="Search Doctors",
        annotations=READ,
        meta=_tool_meta("Searching for doctors...", "Found doctors"),
        description="Searches for doctors by name, specialty, or city. All filters are optional and can be "
        "combined (accents and case ignored). Use the result's names with get_available_slots.",
    )
    async def search_doctors(
        ctx: Context,
        name: Annotated[str | None, Field(description="Doctor's name or part of it (e.g. 'Silva')")] = None,
        specialty: Annotated[str | None, Field(description="Medical specialty (e.g. 'Cardiologist')")] = None,
        city: Annotated[str | None, Field(description="City name (e.g. 'São Paulo')")] = None,
    ) -> Annotated[CallToolResult, SearchDoctorsOut]:
        try:
            p = resolve(ctx)
            rows = await app.directory.search_providers(p, name=name, specialty=specialty, city=city)
        except FrontdeskError as exc:
            return tool_error(exc, style="medapp")
        data = SearchDoctorsOut(
            success=True,
            count=len(rows),
            doctors=[
                DoctorBrief(name=r.name, specialty=r.specialty, city=r.city, state=r.state) for r in rows
            ],
        )
        text = "\n".join(f"{r.name} — {r.specialty}, {r.city or ''}" for r in rows) or "No doctor matches."
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content=data.model_dump(mode="json"),
            _meta={"view": "doctors-list", "doctors": [_widget_doctor(r) for r in rows]},
        )

    @server.tool(
        title="View Available Slots",
        annotations=READ,
        meta=_tool_meta("Checking availability...", "Found available times"),
        description="Returns available appointment times for a specific doctor over the next two weeks "
        "(or from `date`). Identify the doctor by doctorId (from search_doctors) or doctorName; if "
        "the name matches several doctors the answer lists them (ambiguous=true): ask the user "
        "which one, or pass specialty. Book with schedule_appointment.",
    )
    async def get_available_slots(
        ctx: Context,
        doctorId: Annotated[str | None, Field(description="Doctor's UUID (from search_doctors)")] = None,
        doctorName: Annotated[str | None, Field(description="Doctor's name to search")] = None,
        specialty: Annotated[str | None, Field(description="Specialty to disambiguate")] = None,
        date: Annotated[
            str | None, Field(description="First day to look at, ISO 8601 (default today)")
        ] = None,
    ) -> Annotated[CallToolResult, SlotsOut]:
        try:
            p = resolve(ctx)
            d = await doctor(p, doctorId, doctorName, specialty)
            slots = await app.availability.find(
                p, provider_uid=d.uid, start=date, days=SLOT_DAYS, limit=SLOT_LIMIT
            )
        except Ambiguous as exc:
            return _ambiguous(exc, SlotsOut)
        except FrontdeskError as exc:
            return tool_error(exc, style="medapp")
        data = SlotsOut(
            success=True,
            doctor=DoctorBrief(name=d.name, specialty=d.specialty, city=d.city, state=d.state),
            count=len(slots),
            slots=[
                SlotBrief(
                    time=_short(x.starts_at, ZoneInfo(x.timezone)),
                    start=to_local_iso(x.starts_at, ZoneInfo(x.timezone)),
                    slotId=x.slot_id,
                )
                for x in slots
            ],
        )
        meta = {
            "view": "slots-list",
            "doctor": _widget_doctor(d),
            "slots": [
                {
                    "id": x.slot_id,
                    "time": x.starts_at.isoformat().replace("+00:00", "Z"),
                    "formattedTime": _long(x.starts_at, ZoneInfo(x.timezone)),
                }
                for x in slots
            ],
        }
        text = f"{d.name} has {len(slots)} open times: " + ", ".join(s.time for s in data.slots or [])
        return CallToolResult(
            content=[TextContent(type="text", text=text if slots else f"{d.name} has no open times soon.")],
            structured_content=data.model_dump(mode="json", exclude_none=True),
            _meta=meta,
        )

    @server.tool(
        title="Schedule Appointment",
        annotations=CREATE,
        meta=_tool_meta("Booking appointment...", "Appointment booked"),
        description="Books an appointment with a doctor. Identify the doctor by doctorId or doctorName "
        "(+ specialty), and the time by slotId (from get_available_slots) or slotTime: 'HH:MM' books "
        "the next free slot at that local time, or give a full ISO 8601 date-time. patientName and "
        "patientPhone are required; a patient with the same name and phone is reused. Not idempotent.",
    )
    async def schedule_appointment(
        ctx: Context,
        patientName: Annotated[str, Field(description="Patient's full name", max_length=120)],
        patientPhone: Annotated[str, Field(description="Patient's phone number", max_length=32)],
        doctorId: Annotated[str | None, Field(description="Doctor's UUID")] = None,
        doctorName: Annotated[str | None, Field(description="Doctor's name")] = None,
        specialty: Annotated[str | None, Field(description="Specialty to disambiguate")] = None,
        slotId: Annotated[str | None, Field(description="Slot id from get_available_slots")] = None,
        slotTime: Annotated[str | None, Field(description="'09:00' or an ISO 8601 date-time")] = None,
        idempotency_key: Annotated[
            str | None, Field(max_length=200, description="Optional: a retry with the same key books once")
        ] = None,
    ) -> Annotated[CallToolResult, ScheduleOut]:
        args = dict(locals())
        try:
            p = resolve(ctx)
            d = await doctor(p, doctorId, doctorName, specialty)
            request = await _booking_for(app, p, d, slotId, slotTime, patientName, patientPhone)
            if idempotency_key is not None:
                request = dataclasses.replace(
                    request, idempotency=idempotency("schedule_appointment", idempotency_key, args)
                )
            a = await app.appointments.book(p, request)
        except Ambiguous as exc:
            return _ambiguous(exc, ScheduleOut)
        except FrontdeskError as exc:
            return tool_error(exc, style="medapp")
        tz = ZoneInfo(a.timezone)
        data = ScheduleOut(
            success=True,
            appointment=Booked(
                doctorName=d.name,
                specialty=d.specialty,
                scheduledAt=_long(a.starts_at, tz),
                start=to_local_iso(a.starts_at, tz),
                patientName=a.patient_name,
            ),
        )
        meta = {
            "view": "confirmation",
            "appointment": {
                "id": str(a.id),
                "doctor": _widget_doctor(d),
                "scheduledAt": a.starts_at.isoformat().replace("+00:00", "Z"),
                "formattedDate": _long(a.starts_at, tz),
                "patient": {"name": a.patient_name, "phone": patientPhone},
            },
        }
        return CallToolResult(
            content=[
                TextContent(
                    type="text", text=f"Booked {a.patient_name} with {d.name} on {_long(a.starts_at, tz)}."
                )
            ],
            structured_content=data.model_dump(mode="json", exclude_none=True),
            _meta=meta,
        )


async def _booking_for(
    app: Frontdesk,
    p: Principal,
    d: dto.ProviderInfo,
    slot_id: str | None,
    slot_time: str | None,
    patient_name: str,
    patient_phone: str,
) -> BookingRequest:
    common = {"patient_name": patient_name, "patient_phone": patient_phone, "reuse_patient_by_phone": True}
    if slot_id:
        book_id, prov_id, serv_id, start, minutes = parse_slot_id(slot_id)
        if prov_id != d.id:
            raise Invalid("that slot belongs to another doctor", field="slotId")
        return BookingRequest(
            provider_id=d.id,
            datebook_id=book_id,
            service_id=serv_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            **common,  # type: ignore[arg-type]
        )
    if not slot_time:
        raise Invalid("give slotId (from get_available_slots) or slotTime", field="slotId")
    text = slot_time.strip()
    try:
        wanted: time | None = time.fromisoformat(text) if len(text) <= 8 else None
    except ValueError:
        raise Invalid("slotTime must be HH:MM or an ISO 8601 date-time", field="slotTime") from None
    if wanted is None:
        # A full date-time: the first free slot from that instant must start exactly then.
        slots = await app.availability.find(p, provider_uid=d.uid, start=text, days=1, limit=1)
        if not slots or slots[0].starts_at != parse_datetime(
            text, ZoneInfo(slots[0].timezone), field="slotTime"
        ):
            raise NotFound(f"{d.name} is not free at {text}; call get_available_slots", field="slotTime")
        chosen = slots[0]
    else:
        slots = await app.availability.find(p, provider_uid=d.uid, days=SLOT_DAYS, limit=200)
        found = next(
            (x for x in slots if x.starts_at.astimezone(ZoneInfo(x.timezone)).time() == wanted), None
        )
        if found is None:
            raise NotFound(
                f"{d.name} has no free slot at {text} in the next {SLOT_DAYS} days; call get_available_slots",
                field="slotTime",
            )
        chosen = found
    return BookingRequest(
        provider_id=d.id,
        datebook_id=chosen.datebook_id,
        starts_at=chosen.starts_at,
        ends_at=chosen.ends_at,
        **common,  # type: ignore[arg-type]
    )
