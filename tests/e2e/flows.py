"""The seeds' conversations, replayed through a real MCP client (HTTP or stdio, either protocol mode).

Dates come from the wall clock, like the server's: the demo practice is seeded around "now"
(appointments on weekdays from a week ago to two weeks ahead)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
from mcp import Client
from mcp_types import CallToolResult, Tool

NY = ZoneInfo("America/New_York")
LISBON = ZoneInfo("Europe/Lisbon")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")

# The Odonto.me seed's "Safety annotations" table: (readOnly, destructive, idempotent, openWorld).
ODONTO_ANNOTATIONS = {
    "list_datebooks": (True, False, True, False),
    "list_doctors": (True, False, True, False),
    "list_appointments": (True, False, True, False),
    "create_appointment": (False, False, False, False),
    "update_appointment": (False, True, True, False),
    "search_patients": (True, False, True, False),
}
MEDAPP_TOOLS = {
    "search_doctors": ("Search Doctors", "doctors-list"),
    "get_available_slots": ("View Available Slots", "slots-list"),
    "schedule_appointment": ("Schedule Appointment", "confirmation"),
}
WIDGET_URI = "ui://widget/medical-app.html"


def text_of(r: CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in r.content)


class Session:
    """A connected client plus the tool list, so every successful answer is checked against its
    tool's outputSchema."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.tools: dict[str, Tool] = {}

    async def list_tools(self) -> dict[str, Tool]:
        result = await self.client.list_tools()
        self.tools = {t.name: t for t in result.tools}
        return self.tools

    async def call(self, name: str, args: dict[str, Any]) -> CallToolResult:
        return await self.client.call_tool(name, args)

    async def ok(self, name: str, args: dict[str, Any]) -> CallToolResult:
        r = await self.call(name, args)
        assert not r.is_error, f"{name}({args}) failed: {text_of(r)}"
        assert isinstance(r.structured_content, dict), f"{name} returned no structuredContent"
        if not self.tools:
            await self.list_tools()
        schema = self.tools[name].output_schema
        assert schema is not None
        jsonschema.validate(r.structured_content, schema)
        return r

    async def error(self, name: str, args: dict[str, Any]) -> CallToolResult:
        r = await self.call(name, args)
        assert r.is_error is True, f"{name}({args}) should have failed but returned {r.structured_content}"
        assert text_of(r).strip(), "an error result must say what went wrong"
        return r


# --- dates -------------------------------------------------------------------------------------


def local_today(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def next_tuesday(tz: ZoneInfo, weeks_later: int = 0) -> date:
    """ "next Tuesday": the first Tuesday strictly after today, plus `weeks_later` weeks."""
    today = local_today(tz)
    days = (1 - today.weekday()) % 7 or 7
    return today + timedelta(days=days + 7 * weeks_later)


def parse_local(value: str, tz: ZoneInfo) -> datetime:
    assert ISO_WITH_OFFSET.match(value), f"{value!r} is not ISO 8601 with an offset"
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == moment.astimezone(tz).utcoffset(), f"{value} does not carry {tz}'s offset"
    return moment


def overlaps(a: dict[str, Any], start: datetime, end: datetime) -> bool:
    return datetime.fromisoformat(a["start"]) < end and datetime.fromisoformat(a["end"]) > start


async def directory(s: Session) -> dict[str, Any]:
    books = (await s.ok("list_datebooks", {})).structured_content["datebooks"]
    doctors = (await s.ok("list_doctors", {})).structured_content["doctors"]
    return {"books": {b["name"]: b for b in books}, "doctors": {d["name"]: d for d in doctors}}


async def patient_id(s: Session, first: str, last: str) -> int:
    """The seed's search_patients on the Odonto.me surface, find_patients on Frontdesk's own."""
    if not s.tools:
        await s.list_tools()
    if "search_patients" not in s.tools:
        found = (await s.ok("find_patients", {"name": f"{first} {last}"})).structured_content["patients"]
        exact = [p for p in found if (p["first_name"], p["last_name"]) == (first, last)]
        assert len(exact) == 1, found
        return int(exact[0]["id"])
    r = await s.ok("search_patients", {"query": f"{first} {last}"})
    sc = r.structured_content
    assert sc is not None and sc["count"] == len(sc["patients"])
    exact = [p for p in sc["patients"] if (p["firstname"], p["lastname"]) == (first, last)]
    assert len(exact) == 1, sc
    assert set(exact[0]) == {"id", "uid", "firstname", "lastname"}, (
        "search_patients must return names and ids only"
    )
    return int(exact[0]["id"])


# --- Odonto.me usage examples ---------------------------------------------------------------------


async def todays_schedule(s: Session) -> int:
    """ "What appointments do I have today?" -> list_datebooks, then list_appointments for today.

    The demo seeds weekdays only, so on a weekend "today" is the next working day."""
    books = (await s.ok("list_datebooks", {})).structured_content["datebooks"]
    assert {b["name"]: b["timezone"] for b in books} == {
        "Downtown Dental": "America/New_York",
        "Lisboa Clinic": "Europe/Lisbon",
    }
    total = 0
    for book in books:
        tz = ZoneInfo(book["timezone"])
        day = next_weekday(local_today(tz))
        r = await s.ok(
            "list_appointments",
            {
                "datebook_id": book["id"],
                "start": day.isoformat(),
                "end": (day + timedelta(days=1)).isoformat(),
            },
        )
        sc = r.structured_content
        assert sc is not None
        items = sc["appointments"]
        assert items, f"no appointments on {day} at {book['name']}"
        assert sc["count"] == len(items) and sc["truncated"] is False
        seen_doctors = set()
        for a in items:
            start, end = parse_local(a["start"], tz), parse_local(a["end"], tz)
            assert start < end
            assert start.astimezone(tz).date() == day, a
            assert a["datebook_id"] == book["id"] and a["datebook_name"] == book["name"]
            assert a["patient_name"] and a["doctor_name"] and a["status"]
            assert f"#{a['id']} " in text_of(r), "the text answer must list every appointment"
            seen_doctors.add(a["doctor_name"])
        assert len(seen_doctors) == 3, seen_doctors  # every doctor of the location works on weekdays
        assert items == sorted(items, key=lambda a: datetime.fromisoformat(a["start"])), "earliest first"
        total += len(items)
    return total


async def book_cleaning(s: Session, weeks_later: int) -> dict[str, Any]:
    """ "Book a cleaning for Juan Perez with Dr. Garcia next Tuesday at 3 PM"."""
    juan = await patient_id(s, "Juan", "Perez")
    d = await directory(s)
    garcias = [doc for name, doc in d["doctors"].items() if "Garcia" in name]
    assert len(garcias) == 1, d["doctors"]
    garcia = garcias[0]
    assert garcia["name"] == "Dr. Ana Garcia" and garcia["speciality"] == "General Dentist"
    book = d["books"]["Downtown Dental"]

    tuesday = next_tuesday(NY, weeks_later)
    three = datetime.combine(tuesday, time(15), tzinfo=NY)
    half_past = three + timedelta(minutes=30)
    day_range = {"start": tuesday.isoformat(), "end": (tuesday + timedelta(days=1)).isoformat()}
    before = (
        await s.ok("list_appointments", {"datebook_id": book["id"], "doctor_id": garcia["id"], **day_range})
    ).structured_content["appointments"]
    assert before, f"Dr. Garcia should have other patients on {tuesday} (the demo seeds two weeks ahead)"
    assert all(a["doctor_id"] == garcia["id"] for a in before)
    assert not [a for a in before if overlaps(a, three, half_past) and a["status"] != "cancelled"], (
        f"15:00 on {tuesday} should be free: {before}"
    )

    args = {
        "datebook_name": "Downtown Dental",
        "doctor_id": garcia["id"],
        "patient_id": juan,
        "starts_at": f"{tuesday.isoformat()}T15:00:00",
        "ends_at": f"{tuesday.isoformat()}T15:30:00",
        "notes": "Routine cleaning",
    }
    r = await s.ok("create_appointment", args)
    made = r.structured_content
    assert made is not None
    assert made["start"] == three.isoformat(), made  # e.g. 2026-12-01T15:00:00-05:00
    assert made["end"] == half_past.isoformat()
    assert made["patient_id"] == juan and made["patient_name"] == "Juan Perez"
    assert made["doctor_id"] == garcia["id"] and made["doctor_name"] == "Dr. Ana Garcia"
    assert made["datebook_id"] == book["id"]
    assert made["status"] == "scheduled" and made["fhir_status"] == "booked"
    assert made["notes"] == "Routine cleaning" and made["hold_expires_at"] is None

    again = await s.error("create_appointment", args)
    assert "already booked" in text_of(again) and "Dr. Ana Garcia" in text_of(again), text_of(again)
    assert again.structured_content is not None
    assert again.structured_content["error"]["code"] == "conflict"
    assert made["id"] in again.structured_content["error"]["details"]["conflicting_appointment_ids"]

    after = (
        await s.ok("list_appointments", {"datebook_id": book["id"], "doctor_id": garcia["id"], **day_range})
    ).structured_content["appointments"]
    at_three = [a for a in after if overlaps(a, three, half_past) and a["status"] != "cancelled"]
    assert [a["id"] for a in at_three] == [made["id"]], "exactly one booking at 15:00, no duplicate"
    assert len(after) == len(before) + 1
    return dict(made)


async def reschedule_and_cancel(s: Session, doctor_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """ "Move my 2 PM appointment tomorrow to 4 PM, and cancel the 10 AM one".

    The two appointments are created first at free times (10:00 and 14:00 when free, otherwise other
    free morning/afternoon times) on the next working day, then moved and cancelled."""
    d = await directory(s)
    doctor = d["doctors"][doctor_name]
    book = d["books"]["Downtown Dental"]
    maria = await patient_id(s, "Maria", "Santos")
    carlos = await patient_id(s, "Carlos", "Lopez")

    async def free(day: date) -> list[datetime]:
        r = await s.ok(
            "find_available_slots",
            {
                "datebook_id": book["id"],
                "doctor_id": doctor["id"],
                "start": day.isoformat(),
                "end": (day + timedelta(days=1)).isoformat(),
                "duration_minutes": 30,
                "limit": 200,
            },
        )
        slots = r.structured_content["slots"]
        for x in slots:
            assert x["doctor_id"] == doctor["id"] and x["datebook_id"] == book["id"]
            assert parse_local(x["end"], NY) - parse_local(x["start"], NY) == timedelta(minutes=30)
        return [parse_local(x["start"], NY) for x in slots]

    def pick(options: list[datetime], preferred: int, lo: int, hi: int) -> datetime | None:
        inside = [t for t in options if lo <= t.hour < hi]
        return next(
            (t for t in inside if (t.hour, t.minute) == (preferred, 0)), inside[0] if inside else None
        )

    day = next_weekday(local_today(NY) + timedelta(days=1))
    for _ in range(10):
        slots = await free(day)
        ten = pick(slots, 10, 9, 12)
        two = pick(slots, 14, 13, 16)
        if ten and two:
            break
        day = next_weekday(day + timedelta(days=1))
    else:
        raise AssertionError(f"{doctor_name} has no free morning and afternoon in the next two weeks")
    assert ten is not None and two is not None

    async def create(patient: int, start: datetime) -> dict[str, Any]:
        r = await s.ok(
            "create_appointment",
            {
                "datebook_id": book["id"],
                "doctor_id": doctor["id"],
                "patient_id": patient,
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(minutes=30)).isoformat(),
            },
        )
        made = r.structured_content
        assert made is not None and made["start"] == start.isoformat()
        return dict(made)

    morning = await create(maria, ten)
    afternoon = await create(carlos, two)

    # The assistant finds "the 2 PM one" and "the 10 AM one" in that day's schedule.
    day_range = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
    listed = (
        await s.ok("list_appointments", {"datebook_id": book["id"], "doctor_id": doctor["id"], **day_range})
    ).structured_content["appointments"]
    by_start = {a["start"]: a for a in listed if a["status"] != "cancelled"}
    assert by_start[two.isoformat()]["id"] == afternoon["id"]
    assert by_start[ten.isoformat()]["id"] == morning["id"]

    later = [t for t in await free(day) if t.hour >= 13 and t != two]
    assert later, f"no free afternoon time left on {day}"
    target = next((t for t in later if (t.hour, t.minute) == (16, 0)), later[-1])
    moved = (
        await s.ok(
            "update_appointment",
            {"appointment_id": afternoon["id"], "starts_at": target.replace(tzinfo=None).isoformat()},
        )
    ).structured_content
    assert moved is not None
    assert moved["id"] == afternoon["id"]
    assert moved["start"] == target.isoformat(), moved
    assert moved["end"] == (target + timedelta(minutes=30)).isoformat(), "the length is kept"
    assert moved["patient_name"] == "Carlos Lopez" and moved["status"] == afternoon["status"]

    cancel: dict[str, Any] = {"appointment_id": morning["id"], "status": "cancelled"}
    if "confirm" in s.tools["update_appointment"].input_schema["properties"]:
        cancel["confirm"] = True  # Frontdesk's own surface; the Odonto.me client confirms by itself
    cancelled = (await s.ok("update_appointment", cancel)).structured_content
    assert cancelled is not None
    assert cancelled["id"] == morning["id"] and cancelled["status"] == "cancelled"
    assert cancelled["fhir_status"] == "cancelled"
    assert cancelled["start"] == ten.isoformat(), "cancelling does not move it"

    listed = (
        await s.ok("list_appointments", {"datebook_id": book["id"], "doctor_id": doctor["id"], **day_range})
    ).structured_content["appointments"]
    mine = {a["id"]: a for a in listed if a["id"] in (morning["id"], afternoon["id"])}
    assert mine[afternoon["id"]]["start"] == target.isoformat()
    assert mine[morning["id"]]["status"] == "cancelled", "a cancelled visit stays in the schedule, marked"
    assert mine[morning["id"]]["start"] == ten.isoformat()

    now_free = await free(day)
    assert ten in now_free, "the cancelled 10 AM time is free again"
    assert two in now_free, "the old 2 PM time is free again after the move"
    assert target not in now_free, "the new time is taken"
    return moved, cancelled


# --- Medical Appointment (ChatGPT app) flow -------------------------------------------------------


async def medical_flow(s: Session, patient: str, phone: str) -> dict[str, Any]:
    r = await s.ok("search_doctors", {"specialty": "Cardiologist"})
    sc = r.structured_content
    assert sc is not None
    assert sc["success"] is True and sc["count"] == len(sc["doctors"]) == 1
    assert sc["doctors"][0] == {
        "name": "Dr. João Silva",
        "specialty": "Cardiologist",
        "city": "Lisboa",
        "state": "Lisboa",
    }
    assert r.meta is not None and r.meta["view"] == "doctors-list"
    widget_doc = r.meta["doctors"][0]
    assert widget_doc["name"] == "Dr. João Silva" and re.fullmatch(r"[0-9a-f-]{36}", widget_doc["id"])
    assert {"address", "imageUrl", "coordinates", "city", "state", "specialty"} <= set(widget_doc)
    assert "id" not in sc["doctors"][0], "the widget-only data stays in _meta"

    dentists = (await s.ok("search_doctors", {"specialty": "dentist"})).structured_content
    assert dentists is not None
    assert sorted(x["name"] for x in dentists["doctors"]) == ["Dr. Ana Garcia", "Dr. Emily Chen"]
    lisbon = (await s.ok("search_doctors", {"city": "lisboa", "name": "joao"})).structured_content
    assert lisbon is not None and [x["name"] for x in lisbon["doctors"]] == ["Dr. João Silva"], (
        "accents ignored"
    )

    amb = await s.call("get_available_slots", {"doctorName": "Silva"})
    assert not amb.is_error, text_of(amb)
    sc = amb.structured_content
    assert sc is not None and sc["success"] is False and sc["ambiguous"] is True
    assert sorted((m["name"], m["specialty"]) for m in sc["matches"]) == [
        ("Dr. Ana Silva", "Dermatologist"),
        ("Dr. João Silva", "Cardiologist"),
    ]
    assert amb.meta is not None and amb.meta["view"] == "disambiguation"
    assert sorted(m["id"] for m in amb.meta["matches"]) == sorted(m["id"] for m in sc["matches"])
    assert "slots" not in sc

    r = await s.ok("get_available_slots", {"doctorName": "Silva", "specialty": "Cardio"})
    sc = r.structured_content
    assert sc is not None and sc["success"] is True
    assert sc["doctor"]["name"] == "Dr. João Silva" and sc["doctor"]["specialty"] == "Cardiologist"
    assert sc["count"] == len(sc["slots"]) > 0
    assert r.meta is not None and r.meta["view"] == "slots-list"
    assert r.meta["doctor"]["id"] == widget_doc["id"]
    meta_slots = r.meta["slots"]
    assert len(meta_slots) == len(sc["slots"])
    for ms, ss in zip(meta_slots, sc["slots"], strict=True):
        assert set(ms) >= {"id", "time", "formattedTime"}
        assert ms["id"] == ss["slotId"]
        assert ms["time"].endswith("Z")
        start = parse_local(ss["start"], LISBON)
        assert datetime.fromisoformat(ms["time"].replace("Z", "+00:00")) == start
        assert (
            ms["formattedTime"].endswith(start.strftime("%H:%M")) and str(start.year) in ms["formattedTime"]
        )
    starts = [datetime.fromisoformat(x["start"]) for x in sc["slots"]]
    assert starts == sorted(starts) and starts[0] > datetime.now(LISBON)

    chosen = sc["slots"][0]
    booking = {
        "doctorName": "Silva",
        "specialty": "Cardio",
        "slotId": chosen["slotId"],
        "patientName": patient,
        "patientPhone": phone,
    }
    r = await s.ok("schedule_appointment", booking)
    sc = r.structured_content
    assert sc is not None and sc["success"] is True
    appt = sc["appointment"]
    assert appt["doctorName"] == "Dr. João Silva" and appt["specialty"] == "Cardiologist"
    assert appt["patientName"] == patient and appt["start"] == chosen["start"]
    assert r.meta is not None and r.meta["view"] == "confirmation"
    wa = r.meta["appointment"]
    assert (
        wa["scheduledAt"] == meta_slots[0]["time"] and wa["formattedDate"] == meta_slots[0]["formattedTime"]
    )
    assert wa["patient"] == {"name": patient, "phone": phone}
    assert wa["doctor"]["id"] == widget_doc["id"] and wa["id"]

    twice = await s.error("schedule_appointment", booking)
    assert twice.structured_content is not None
    assert twice.structured_content["success"] is False and twice.structured_content["error"]

    left = (
        await s.ok("get_available_slots", {"doctorName": "Silva", "specialty": "Cardio"})
    ).structured_content
    assert left is not None
    assert chosen["slotId"] not in [x["slotId"] for x in left["slots"]], "a booked slot is no longer offered"
    return dict(appt)


# --- tools/list -----------------------------------------------------------------------------------


ODONTO_PARAMETERS = {
    "list_datebooks": set(),
    "list_doctors": set(),
    "list_appointments": {"datebook_id", "datebook_name", "start", "end", "doctor_id"},
    "create_appointment": {
        "datebook_id",
        "datebook_name",
        "doctor_id",
        "patient_id",
        "patient_name",
        "starts_at",
        "ends_at",
        "notes",
    },
    "update_appointment": {"appointment_id", "doctor_id", "starts_at", "ends_at", "notes", "status"},
    "search_patients": {"query"},
}
# The CharmHealth seed's fourteen tools.
CHARM_TOOLS = {
    "documentEncounter",
    "findPatients",
    "managePatient",
    "reviewPatientHistory",
    "managePatientDrugs",
    "managePatientAllergies",
    "managePatientDiagnoses",
    "managePatientNotes",
    "managePatientRecalls",
    "managePatientVitals",
    "managePatientFiles",
    "managePatientLabs",
    "getPracticeInfo",
    "manageAppointments",
}
SCHEDULING = {"list_datebooks", "list_doctors", "list_services", "list_appointments", "find_available_slots"}


def check_tool_list(tools: dict[str, Tool], surface: str) -> None:
    """Every tool fully described; a seed surface has exactly the seed's tools and parameters."""
    if surface == "odonto":
        assert set(tools) == set(ODONTO_ANNOTATIONS), sorted(tools)
        for name, params in ODONTO_PARAMETERS.items():
            assert set(tools[name].input_schema["properties"]) == params, name
    elif surface == "medapp":
        assert set(tools) == set(MEDAPP_TOOLS), sorted(tools)
    elif surface == "charm":
        assert set(tools) == CHARM_TOOLS, sorted(tools)
    else:
        assert SCHEDULING <= set(tools) and not set(tools) & set(MEDAPP_TOOLS), sorted(tools)
    for name, tool in tools.items():
        assert tool.title, f"{name} has no title"
        assert tool.description, f"{name} has no description"
        a = tool.annotations
        assert a is not None, f"{name} has no annotations"
        hints = (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
        assert None not in hints, f"{name} leaves an annotation unset: {a}"
        assert tool.output_schema is not None and tool.output_schema.get("type") == "object", name
        assert tool.input_schema.get("type") == "object", name
        if a.read_only_hint:
            assert a.destructive_hint is False, f"{name}: read-only yet destructive"
    for name, expected in ODONTO_ANNOTATIONS.items():
        if name not in tools:
            continue
        a = tools[name].annotations
        assert a is not None
        got = (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
        assert got == expected, f"{name}: {got} != seed table {expected}"
    for name, (title, _view) in MEDAPP_TOOLS.items():
        if name not in tools:
            continue
        assert tools[name].title == title
        meta = tools[name].meta or {}
        assert meta.get("openai/outputTemplate") == WIDGET_URI, name
        assert meta.get("openai/widgetAccessible") is True, name
        assert meta.get("openai/toolInvocation/invoking") and meta.get("openai/toolInvocation/invoked"), name
    required = {
        "list_appointments": {"start", "end"},
        "create_appointment": {"doctor_id", "starts_at"},
        "update_appointment": {"appointment_id"},
        "search_patients": {"query"},
        "schedule_appointment": {"patientName", "patientPhone"},
    }
    for name, fields in required.items():
        if name in tools:
            assert set(tools[name].input_schema.get("required", [])) == fields, name
