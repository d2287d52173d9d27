"""reviewPatientHistory, getPracticeInfo and manageAppointments (over the scheduling services)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Invalid
from frontdesk.mcp import shapes as sched
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
from frontdesk.services.context import Principal
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest

APPOINTMENTS = Actions(
    list=Action(
        "a facility's schedule for [start, end) (facility_id, start, end), or a patient's appointments "
        "(patient_id, optionally start and end)",
        (),
        ("facility_id", "patient_id", "provider_id", "start", "end"),
    ),
    find_slots=Action(
        "free times (default: the next 7 days)",
        (),
        ("facility_id", "provider_id", "service_id", "start", "end", "duration_minutes", "limit"),
    ),
    add=Action(
        "book inside working hours without overlap",
        ("patient_id", "provider_id", "facility_id", "starts_at"),
        ("ends_at", "service_id", "notes", "allow_overlap"),
    ),
    update=Action(
        "reschedule, reassign, change notes, or confirm",
        ("appointment_id",),
        ("provider_id", "starts_at", "ends_at", "notes", "status", "allow_overlap"),
    ),
    cancel=Action("cancel (destructive: confirm must be true)", ("appointment_id", "confirm")),
)


class AppointmentsOut(BaseModel):
    action: str
    appointments: list[sched.AppointmentOut] = Field(default_factory=list)
    slots: list[sched.SlotOut] = Field(default_factory=list)
    count: int
    truncated: bool = False


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        name="reviewPatientHistory",
        title="Review patient history",
        annotations=READ,
        description="Clinicians: the patient's picture in one call: demographics, active problems "
        "(ICD-10-CM), current medications, allergies, the last encounters, the latest vital signs with "
        "each sign's trend, abnormal lab results, open recalls and pinned notes. Use it before a visit "
        "or a decision.",
    )
    async def reviewPatientHistory(
        ctx: Context,
        patient_id: Annotated[int, Field(description="The patient's id (from findPatients)")],
        units: Annotated[
            Literal["metric", "us"] | None, Field(description="Vital signs' unit system")
        ] = None,
        encounters: Annotated[int, Field(ge=1, le=20, description="How many recent encounters")] = 5,
    ) -> Annotated[CallToolResult, shapes.HistoryOut]:
        async def act(p: Principal) -> Reply:
            h = await app.history.review(p, patient_id, units=units, encounters=encounters)
            data = shapes.HistoryOut(**plain(h))
            lines = [f"{h.patient.full_name}, {h.patient.age if h.patient.age is not None else '?'} years"]
            lines.append(
                "Problems: " + (", ".join(f"{d.code} {d.description}" for d in h.problems) or "none")
            )
            lines.append("Medications: " + (", ".join(m.drug_name for m in h.medications) or "none"))
            lines.append("Allergies: " + (", ".join(a.allergen for a in h.allergies) or "none recorded"))
            if h.latest_vitals:
                lines.append(
                    "Latest vitals: "
                    + ", ".join(f"{m.kind} {m.value:g} {m.unit}" for m in h.latest_vitals.measurements)
                )
            if h.abnormal_labs:
                lines.append(
                    "Abnormal labs: " + ", ".join(f"{x.test_name} {x.value}" for x in h.abnormal_labs)
                )
            if h.open_recalls:
                lines.append(
                    "Open recalls: " + ", ".join(f"{r.reason} due {r.due_date}" for r in h.open_recalls)
                )
            return Reply(data, "\n".join(lines))

        return await run(ctx, resolve, act)

    @server.tool(
        name="getPracticeInfo",
        title="Get practice info",
        annotations=READ,
        description="The practice's facilities (locations, with time zones), active providers and vital-sign "
        "templates. Use the ids as facility_id and provider_id in the other tools.",
    )
    async def getPracticeInfo(ctx: Context) -> Annotated[CallToolResult, shapes.PracticeInfoOut]:
        async def act(p: Principal) -> Reply:
            o = await app.practice_info.overview(p)
            data = shapes.PracticeInfoOut(
                practice_name=o.practice.name,
                timezone=o.practice.timezone,
                facilities=[shapes.Facility(**plain(f)) for f in o.facilities],
                providers=[
                    shapes.Provider(id=x.id, uid=x.uid, name=x.name, specialty=x.specialty)
                    for x in o.providers
                ],
                vital_templates=[shapes.Template(**plain(t)) for t in o.templates],
            )
            text = "\n".join(
                [f"{o.practice.name} ({o.practice.timezone})"]
                + [f"facility {f.id}: {f.name} ({f.timezone})" for f in o.facilities]
                + [f"provider {x.id}: {x.name} — {x.specialty}" for x in o.providers]
                + [f"template {t.key}: {t.name}" for t in o.templates]
            )
            return Reply(data, text)

        return await run(ctx, resolve, act)

    @server.tool(
        name="manageAppointments",
        title="Manage appointments",
        annotations=MANAGE,
        description="The appointment lifecycle over Frontdesk's scheduler: list a facility's schedule or a "
        "patient's appointments, find free slots, book (inside working hours, never double-booked), "
        "reschedule or reassign, confirm, and cancel (confirm: true after the person agreed). Times are ISO "
        "8601; without an offset they are read in the facility's time zone.",
    )
    async def manageAppointments(
        ctx: Context,
        action: Annotated[
            Literal["list", "find_slots", "add", "update", "cancel"],
            Field(description=APPOINTMENTS.describe(), json_schema_extra=APPOINTMENTS.schema_extra()),
        ],
        patient_id: PatientId = None,
        appointment_id: Annotated[int | None, Field(description="The appointment's id")] = None,
        facility_id: Annotated[
            int | None, Field(description="Facility (datebook) from getPracticeInfo")
        ] = None,
        provider_id: Annotated[int | None, Field(description="Provider from getPracticeInfo")] = None,
        service_id: Annotated[int | None, Field(description="Visit type (sets the length)")] = None,
        start: Annotated[str | None, Field(description="(list, find_slots) range start, ISO 8601")] = None,
        end: Annotated[str | None, Field(description="(list, find_slots) range end, exclusive")] = None,
        starts_at: Annotated[str | None, Field(description="(add, update) ISO 8601")] = None,
        ends_at: Annotated[str | None, Field(description="(add, update) optional end")] = None,
        duration_minutes: Annotated[int | None, Field(ge=5, le=720)] = None,
        notes: Annotated[str | None, Field(max_length=255, description="Reason for visit (max 255)")] = None,
        status: Annotated[Literal["confirmed"] | None, Field(description="(update) confirm it")] = None,
        allow_overlap: Annotated[
            bool | None, Field(description="Staff only: book over another (recorded)")
        ] = None,
        confirm: Annotated[bool | None, Field(description="(cancel) true once the person agreed")] = None,
        limit: Annotated[int | None, Field(ge=1, le=200)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, AppointmentsOut]:
        args = args_of(locals())

        async def act(p: Principal) -> Reply:
            APPOINTMENTS.check(action, args)
            key = idem("manageAppointments", idempotency_key, args)
            truncated = False
            if action == "find_slots":
                found = await app.availability.find(
                    p,
                    start=start,
                    end=end,
                    datebook_id=facility_id,
                    provider_id=provider_id,
                    service_id=service_id,
                    duration_minutes=duration_minutes,
                    limit=limit or 50,
                )
                slots = [sched.slot(x) for x in found]
                text = "\n".join(f"{x.start} {x.doctor_name} at {x.datebook_name}" for x in slots)
                return Reply(
                    AppointmentsOut(action=action, slots=slots, count=len(slots)), text or "No free slots."
                )
            if action == "list":
                if patient_id is not None:
                    rows = await app.patient_schedule.for_patient(p, patient_id, start=start, end=end)
                    rows = [r for r in rows if provider_id is None or r.provider_id == provider_id]
                elif facility_id is not None and start and end:
                    rows, truncated = await app.appointments.in_range(
                        p, start=start, end=end, datebook_id=facility_id, provider_id=provider_id
                    )
                else:
                    raise Invalid(
                        "list needs patient_id, or facility_id with start and end", field="patient_id"
                    )
            elif action == "add":
                request = BookingRequest(
                    provider_id=provider_id or 0,
                    starts_at=starts_at or "",
                    ends_at=ends_at,
                    datebook_id=facility_id,
                    patient_id=patient_id,
                    service_id=service_id,
                    notes=notes,
                    allow_overlap=bool(allow_overlap),
                    idempotency=key,
                )
                rows = [await app.appointments.book(p, request)]
            else:
                if action == "cancel" and confirm is not True:
                    raise Invalid(
                        "cancelling is destructive: ask the person, then call with confirm: true",
                        field="confirm",
                    )
                change = AppointmentChange(
                    appointment_id=appointment_id or 0,
                    provider_id=provider_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    notes=notes,
                    status="cancelled" if action == "cancel" else status,
                    allow_overlap=bool(allow_overlap),
                    idempotency=key,
                )
                rows = [await app.appointments.update(p, change)]
            out = [sched.appointment(a) for a in rows]
            data = AppointmentsOut(action=action, appointments=out, count=len(out), truncated=truncated)
            return Reply(data, "\n".join(sched.line(a) for a in rows) or "No appointments.")

        return await run(ctx, resolve, act)
