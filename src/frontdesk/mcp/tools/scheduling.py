"""The Odonto.me scheduling tools, plus free-slot search and hold-then-confirm booking."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Invalid
from frontdesk.mcp import shapes
from frontdesk.mcp.guard import fingerprint
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.respond import Reply, run
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency, check_key
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest

READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
CREATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
UPDATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)
CONFIRM = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

DatebookId = Annotated[int | None, Field(description="Datebook ID (from list_datebooks)")]
DatebookName = Annotated[str | None, Field(description="Datebook name, alternative to datebook_id")]
Notes = Annotated[str | None, Field(max_length=255, description="Reason for visit (max 255 characters)")]
When = Annotated[str, Field(description="ISO 8601; without an offset it is read in the datebook's time zone")]
IdempotencyKey = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Optional: retrying with the same key and arguments returns the first result instead "
        "of writing twice; the same key with other arguments is an error",
    ),
]
AllowOverlap = Annotated[
    bool,
    Field(description="Staff only: book even though the doctor already has an appointment then (recorded)"),
]


def idempotency(tool: str, key: str | None, arguments: dict[str, Any]) -> Idempotency | None:
    key = check_key(key)
    return None if key is None else Idempotency(key, fingerprint(tool, arguments))


def booking_request(tool: str, args: dict[str, Any], **extra: Any) -> BookingRequest:
    """The booking both create_appointment and hold_slot describe, from the tool's arguments."""
    return BookingRequest(
        provider_id=args["doctor_id"],
        starts_at=args["starts_at"],
        ends_at=args.get("ends_at"),
        datebook_id=args.get("datebook_id"),
        datebook_name=args.get("datebook_name"),
        patient_id=args.get("patient_id"),
        patient_name=args.get("patient_name"),
        service_id=args.get("service_id"),
        notes=args.get("notes"),
        idempotency=idempotency(tool, args.get("idempotency_key"), args),
        **extra,
    )


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    @server.tool(
        title="List datebooks",
        annotations=READ,
        description="List the practice's datebooks (appointment calendars, usually one per clinic location) "
        "with their time zones. Call this first: list_appointments, create_appointment and "
        "find_available_slots need a datebook_id or datebook_name.",
    )
    async def list_datebooks(ctx: Context) -> Annotated[CallToolResult, shapes.DatebookList]:
        async def act(p: Principal) -> Reply:
            rows = await app.directory.list_datebooks(p)
            data = shapes.DatebookList(
                datebooks=[shapes.DatebookOut(id=d.id, name=d.name, timezone=d.timezone) for d in rows]
            )
            text = "\n".join(f"{d.id}: {d.name} ({d.timezone})" for d in rows) or "No datebooks."
            return Reply(data, text)

        return await run(ctx, resolve, act)

    @server.tool(
        title="List doctors",
        annotations=READ,
        description="List all active dentists and specialists with their ID, UID and specialty. Use the "
        "id as doctor_id when listing, searching slots or booking.",
    )
    async def list_doctors(ctx: Context) -> Annotated[CallToolResult, shapes.DoctorList]:
        async def act(p: Principal) -> Reply:
            rows = await app.directory.list_providers(p)
            data = shapes.DoctorList(
                doctors=[
                    shapes.DoctorOut(id=r.id, uid=r.uid, name=r.name, speciality=r.specialty) for r in rows
                ]
            )
            return Reply(data, "\n".join(f"{r.id}: {r.name} — {r.specialty}" for r in rows) or "No doctors.")

        return await run(ctx, resolve, act)

    @server.tool(
        title="List services",
        annotations=READ,
        description="List the services (visit types) with duration, price and buffers. Pass a service_id "
        "to find_available_slots or create_appointment so the right length is booked.",
    )
    async def list_services(ctx: Context) -> Annotated[CallToolResult, shapes.ServiceList]:
        async def act(p: Principal) -> Reply:
            rows = await app.directory.list_services(p)
            data = shapes.ServiceList(
                services=[
                    shapes.ServiceOut(
                        id=r.id,
                        name=r.name,
                        duration_minutes=r.duration_minutes,
                        price=f"{r.price_cents / 100:.2f} {r.currency}",
                        buffer_before_minutes=r.buffer_before_minutes,
                        buffer_after_minutes=r.buffer_after_minutes,
                    )
                    for r in rows
                ]
            )
            text = "\n".join(f"{r.id}: {r.name} ({r.duration_minutes} min)" for r in rows) or "No services."
            return Reply(data, text)

        return await run(ctx, resolve, act)

    @server.tool(
        title="List appointments",
        annotations=READ,
        description="Query a datebook's schedule for a date range: who is coming in today, what is booked "
        "next week. Times are ISO 8601 in the datebook's time zone unless they carry an offset. Limits: "
        "the range may span at most 90 days and at most 500 appointments are returned (truncated=true "
        "says there were more). To find free time, use find_available_slots instead.",
    )
    async def list_appointments(
        ctx: Context,
        start: Annotated[str, Field(description="Range start, ISO 8601 (a date alone means midnight)")],
        end: Annotated[str, Field(description="Range end (exclusive), ISO 8601")],
        datebook_id: DatebookId = None,
        datebook_name: DatebookName = None,
        doctor_id: Annotated[int | None, Field(description="Only this doctor's appointments")] = None,
    ) -> Annotated[CallToolResult, shapes.AppointmentList]:
        async def act(p: Principal) -> Reply:
            rows, truncated = await app.appointments.in_range(
                p,
                start=start,
                end=end,
                datebook_id=datebook_id,
                datebook_name=datebook_name,
                provider_id=doctor_id,
            )
            data = shapes.appointment_list(rows, truncated)
            text = "\n".join(shapes.line(a) for a in rows) or "No appointments in that range."
            if truncated:
                text += "\n(only the first 500 shown; narrow the range)"
            return Reply(data, text)

        return await run(ctx, resolve, act)

    @server.tool(
        title="Create appointment",
        annotations=CREATE,
        description="Book a patient appointment. Reference an existing patient by patient_id (call "
        "search_patients first) or give patient_name to create a new patient record. If ends_at is "
        "omitted it defaults to the service's duration, or 60 minutes. The time must fall within the "
        "doctor's working hours at that datebook and must be free: Frontdesk refuses double bookings "
        "(check with find_available_slots). Not idempotent: calling it twice books twice.",
    )
    async def create_appointment(
        ctx: Context,
        doctor_id: Annotated[int, Field(description="Doctor who will see the patient (from list_doctors)")],
        starts_at: When,
        datebook_id: DatebookId = None,
        datebook_name: DatebookName = None,
        patient_id: Annotated[
            int | None, Field(description="Existing patient ID (from search_patients)")
        ] = None,
        patient_name: Annotated[str | None, Field(description="Full name, creates a new patient")] = None,
        ends_at: Annotated[str | None, Field(description="End time, ISO 8601 (optional)")] = None,
        service_id: Annotated[int | None, Field(description="Service (from list_services)")] = None,
        notes: Notes = None,
        allow_overlap: AllowOverlap = False,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.AppointmentOut]:
        args = dict(locals())

        async def act(p: Principal) -> Reply:
            request = booking_request("create_appointment", args, allow_overlap=allow_overlap)
            a = await app.appointments.book(p, request)
            return Reply(shapes.appointment(a), "Booked " + shapes.line(a))

        return await run(ctx, resolve, act)

    @server.tool(
        title="Update appointment",
        annotations=UPDATE,
        description="Modify an existing appointment: reschedule (starts_at/ends_at; ends_at keeps the "
        "length when omitted), reassign to another doctor, update notes, or set status to confirmed or "
        "cancelled. Call list_appointments first to get the appointment_id. A new time is checked "
        "against working hours and other bookings like a new appointment. Destructive: it can cancel.",
    )
    async def update_appointment(
        ctx: Context,
        appointment_id: Annotated[int, Field(description="Appointment ID to update")],
        doctor_id: Annotated[int | None, Field(description="Reassign to this doctor")] = None,
        starts_at: Annotated[str | None, Field(description="New start time, ISO 8601")] = None,
        ends_at: Annotated[str | None, Field(description="New end time, ISO 8601")] = None,
        notes: Notes = None,
        status: Annotated[
            Literal["confirmed", "cancelled"] | None, Field(description="confirmed or cancelled")
        ] = None,
        allow_overlap: AllowOverlap = False,
        confirm: Annotated[
            bool, Field(description="Required (true) to cancel: set it only after the person agreed")
        ] = False,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.AppointmentOut]:
        args = dict(locals())

        async def act(p: Principal) -> Reply:
            if status == "cancelled" and not confirm:
                raise Invalid(
                    "cancelling is destructive: ask the person, then call again with confirm: true",
                    field="confirm",
                )
            a = await app.appointments.update(
                p,
                AppointmentChange(
                    appointment_id=appointment_id,
                    provider_id=doctor_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    notes=notes,
                    status=status,
                    allow_overlap=allow_overlap,
                    idempotency=idempotency("update_appointment", idempotency_key, args),
                ),
            )
            return Reply(shapes.appointment(a), "Updated " + shapes.line(a))

        return await run(ctx, resolve, act)

    @server.tool(
        title="Search patients",
        annotations=READ,
        description="Search the patient directory by name (any part, accents and case ignored) or by "
        "patient UID. Use it to find the patient_id before booking. Returns at most 25 patients and "
        "only names and IDs, never contact or clinical details.",
    )
    async def search_patients(
        ctx: Context,
        query: Annotated[str, Field(description="Patient name or UID to search for", max_length=120)],
    ) -> Annotated[CallToolResult, shapes.PatientList]:
        async def act(p: Principal) -> Reply:
            rows = await app.patients.search(p, query)
            data = shapes.PatientList(
                patients=[
                    shapes.PatientOut(id=r.id, uid=r.uid, firstname=r.first_name, lastname=r.last_name)
                    for r in rows
                ],
                count=len(rows),
            )
            text = "\n".join(f"{r.id}: {r.full_name} ({r.uid})" for r in rows) or "No patient matches."
            return Reply(data, text)

        return await run(ctx, resolve, act)

    @server.tool(
        title="Find available slots",
        annotations=READ,
        description="Find free appointment slots: working hours minus breaks, time off and existing "
        "bookings (with service buffers), on a 15-minute grid, correct across daylight-saving changes. "
        "Filter by datebook, doctor and service (the service sets the length; otherwise "
        "duration_minutes, default 30). Range defaults to the next 7 days, at most 90 days; at most "
        "`limit` slots (max 200), earliest first. Then book with create_appointment, or hold_slot "
        "while the patient decides.",
    )
    async def find_available_slots(
        ctx: Context,
        datebook_id: DatebookId = None,
        datebook_name: DatebookName = None,
        doctor_id: Annotated[int | None, Field(description="Only this doctor")] = None,
        service_id: Annotated[int | None, Field(description="Service (sets duration and buffers)")] = None,
        start: Annotated[
            str | None, Field(description="From (ISO 8601 date or date-time); default now")
        ] = None,
        end: Annotated[str | None, Field(description="Until (ISO 8601); default start + 7 days")] = None,
        duration_minutes: Annotated[
            int | None, Field(ge=5, le=720, description="Length without service")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="Maximum slots returned")] = 50,
    ) -> Annotated[CallToolResult, shapes.SlotList]:
        async def act(p: Principal) -> Reply:
            rows = await app.availability.find(
                p,
                start=start,
                end=end,
                datebook_id=datebook_id,
                datebook_name=datebook_name,
                provider_id=doctor_id,
                service_id=service_id,
                duration_minutes=duration_minutes,
                limit=limit,
            )
            data = shapes.slot_list(rows)
            text = (
                "\n".join(f"{x['start']} {x['doctor_name']} at {x['datebook_name']}" for x in data["slots"])
                or "No free slots in that range."
            )
            return Reply(data, text)

        return await run(ctx, resolve, act)

    @server.tool(
        title="Hold slot",
        annotations=CREATE,
        description="Hold a time for a few minutes (5 by default) while the patient decides: the slot "
        "is busy for everyone else until it is confirmed with confirm_appointment or the hold "
        "expires. Same parameters and checks as create_appointment. Returns the held appointment "
        "with hold_expires_at.",
    )
    async def hold_slot(
        ctx: Context,
        doctor_id: Annotated[int, Field(description="Doctor (from list_doctors)")],
        starts_at: When,
        datebook_id: DatebookId = None,
        datebook_name: DatebookName = None,
        patient_id: Annotated[int | None, Field(description="Existing patient ID")] = None,
        patient_name: Annotated[str | None, Field(description="Full name, creates a new patient")] = None,
        ends_at: Annotated[str | None, Field(description="End time, ISO 8601 (optional)")] = None,
        service_id: Annotated[int | None, Field(description="Service (from list_services)")] = None,
        notes: Notes = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.AppointmentOut]:
        args = dict(locals())

        async def act(p: Principal) -> Reply:
            a = await app.appointments.book(p, booking_request("hold_slot", args, hold=True))
            out = shapes.appointment(a)
            return Reply(out, f"Held {shapes.line(a)} until {out.hold_expires_at}; call confirm_appointment")

        return await run(ctx, resolve, act)

    @server.tool(
        title="Confirm appointment",
        annotations=CONFIRM,
        description="Turn a held slot (from hold_slot) into a booked appointment, or mark a scheduled "
        "appointment as confirmed by the patient. Fails if the hold has already expired.",
    )
    async def confirm_appointment(
        ctx: Context,
        appointment_id: Annotated[int, Field(description="The held or scheduled appointment's ID")],
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.AppointmentOut]:
        args = dict(locals())

        async def act(p: Principal) -> Reply:
            idem = idempotency("confirm_appointment", idempotency_key, args)
            a = await app.appointments.confirm(p, appointment_id, idem)
            return Reply(shapes.appointment(a), "Confirmed " + shapes.line(a))

        return await run(ctx, resolve, act)
