"""The error calls tests/e2e/test_ts_client.py makes through the TypeScript SDK client: for every tool
of every surface, one or more calls that fail with a message Frontdesk writes (demo practice data),
and a fragment of that message. A case changes nothing: it fails before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.e2e import flows


@dataclass(frozen=True)
class Case:
    """One error call: the arguments, and a fragment of the message Frontdesk itself writes for it."""

    arguments: dict[str, Any]
    expect: str
    label: str = ""


MISSING = 999999  # no record in the demo practice has this id
# A weekday, three in the morning in the datebook's own zone: outside every demo doctor's hours.
OFF_HOURS = f"{flows.next_weekday(flows.local_today(flows.NY) + timedelta(days=1)).isoformat()}T03:00:00"
# Tools without arguments have no other error to make than an argument they do not take.
UNKNOWN_ARGUMENT = Case({"no_such_argument": 1}, "no_such_argument", "unknown argument")

# tool name -> its error calls, for every surface serving a tool of that name (demo practice data).
ERROR_CASES: dict[str, list[Case]] = {
    # scheduling (Odonto.me names)
    "list_datebooks": [UNKNOWN_ARGUMENT],
    "list_doctors": [UNKNOWN_ARGUMENT],
    "list_services": [UNKNOWN_ARGUMENT],
    "list_appointments": [
        Case(
            {"datebook_id": MISSING, "start": OFF_HOURS[:10], "end": OFF_HOURS[:10] + "T23:00:00"},
            f"no datebook with id {MISSING}",
            "missing datebook",
        )
    ],
    "create_appointment": [
        Case(
            {"doctor_id": 1, "datebook_id": 1, "patient_id": 1, "starts_at": OFF_HOURS},
            "outside Dr. Ana Garcia's working hours",
            "outside working hours",
        )
    ],
    "update_appointment": [
        Case({"appointment_id": MISSING, "notes": "x"}, f"no appointment with id {MISSING}", "missing")
    ],
    "search_patients": [Case({"query": "x" * 121}, "query: String should have at most 120", "too long")],
    "find_available_slots": [
        Case({"datebook_id": MISSING}, f"no datebook with id {MISSING}", "missing datebook")
    ],
    "hold_slot": [
        Case(
            {"doctor_id": 1, "datebook_id": 1, "patient_id": 1, "starts_at": OFF_HOURS},
            "outside Dr. Ana Garcia's working hours",
            "outside working hours",
        )
    ],
    "confirm_appointment": [
        Case({"appointment_id": MISSING}, f"no appointment with id {MISSING}", "missing")
    ],
    # the ChatGPT-app tools (Medical Appointment seed)
    "search_doctors": [Case({"name": 5}, "name: Input should be a valid string", "wrong type")],
    "get_available_slots": [
        Case({"doctorName": "Nobody Here"}, "no active doctor matches 'Nobody Here'", "unknown doctor")
    ],
    "schedule_appointment": [
        Case(
            {
                "patientName": "Probe Person",
                "patientPhone": "+1 212 555 0100",
                "doctorName": "Nobody Here",
                "slotTime": "09:00",
            },
            "no active doctor matches 'Nobody Here'",
            "unknown doctor",
        )
    ],
    # administration
    "list_audit_events": [Case({"start": "not a date"}, "start must be an ISO 8601 date-time", "bad time")],
    # the chart (CharmHealth names)
    "findPatients": [
        Case({"date_of_birth": "not-a-date"}, "date_of_birth must be an ISO 8601 date", "bad date")
    ],
    "managePatient": [
        Case({"action": "get", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing"),
        Case(
            {"action": "get", "patient_id": 1, "first_name": "X"},
            "first_name is not used by action get",
            "field of another action",
        ),
    ],
    "export_patient_fhir": [Case({"patient_id": MISSING}, f"no patient with id {MISSING}", "missing")],
    "reviewPatientHistory": [Case({"patient_id": MISSING}, f"no patient with id {MISSING}", "missing")],
    "getPracticeInfo": [UNKNOWN_ARGUMENT],
    "manageAppointments": [
        Case(
            {"action": "update", "appointment_id": MISSING, "notes": "x"},
            f"no appointment with id {MISSING}",
            "missing",
        )
    ],
    "documentEncounter": [
        Case({"action": "get", "encounter_id": MISSING}, f"no record with id {MISSING}", "missing")
    ],
    "managePatientDrugs": [
        Case({"action": "list", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing patient")
    ],
    "managePatientAllergies": [
        Case({"action": "list", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing patient")
    ],
    "managePatientDiagnoses": [
        Case(
            {"action": "add", "patient_id": 1, "code": "ZZZ.999"},
            "code must be an ICD-10-CM code",
            "bad code",
        )
    ],
    "managePatientNotes": [
        Case({"action": "update", "note_id": MISSING, "text": "x"}, f"no record with id {MISSING}", "missing")
    ],
    "managePatientRecalls": [
        Case(
            {"action": "add", "patient_id": MISSING, "due_date": "2030-01-15", "reason": "probe"},
            f"no patient with id {MISSING}",
            "missing patient",
        )
    ],
    "managePatientVitals": [
        Case({"action": "list", "patient_id": MISSING}, f"no patient with id {MISSING}", "missing patient")
    ],
    "managePatientLabs": [
        Case({"action": "get", "lab_id": MISSING}, f"no record with id {MISSING}", "missing")
    ],
    "managePatientFiles": [
        Case({"action": "get", "file_id": MISSING}, f"no record with id {MISSING}", "missing")
    ],
}
# Frontdesk's own names for the chart tools: the same operations, the same errors.
CHART_NAMES = {
    "find_patients": "findPatients",
    "manage_patient": "managePatient",
    "review_patient_history": "reviewPatientHistory",
    "document_encounter": "documentEncounter",
    "manage_patient_drugs": "managePatientDrugs",
    "manage_patient_allergies": "managePatientAllergies",
    "manage_patient_diagnoses": "managePatientDiagnoses",
    "manage_patient_notes": "managePatientNotes",
    "manage_patient_recalls": "managePatientRecalls",
    "manage_patient_vitals": "managePatientVitals",
    "manage_patient_labs": "managePatientLabs",
    "manage_patient_files": "managePatientFiles",
}
ERROR_CASES |= {ours: ERROR_CASES[seed] for ours, seed in CHART_NAMES.items()}
# surface name -> tool name -> cases, where a surface's tool of the same name answers differently.
SURFACE_CASES: dict[str, dict[str, list[Case]]] = {}

# Issue 12, bookings (mcp/bindings/bookings.py): /mcp, /mcp/coordinalo and /mcp/medcor.
NO_APPOINTMENT = f"no appointment with id {MISSING}"
ERROR_CASES |= {
    "get_appointment": [Case({"appointment_id": MISSING}, NO_APPOINTMENT, "missing")],
    "appointment_lifecycle": [
        Case({"action": "state", "appointment_id": MISSING}, NO_APPOINTMENT, "missing")
    ],
    "booking_stats": [
        Case(
            {"by": "service", "start": "not a date", "end": "2030-01-01"},
            "start must be an ISO 8601",
            "bad time",
        )
    ],
    "booking_create": [
        Case(
            {"serviceId": MISSING, "clientId": 1, "scheduledAt": OFF_HOURS},
            f"no active service with id {MISSING}",
            "missing service",
        )
    ],
    "booking_get": [Case({"sessionId": MISSING}, NO_APPOINTMENT, "missing")],
    "booking_list": [
        Case({"cursor": "nonsense"}, "cursor is not one a previous page returned", "bad cursor")
    ],
    "booking_cancel": [Case({"sessionId": MISSING, "confirm": True}, NO_APPOINTMENT, "missing")],
    "booking_reschedule": [
        Case({"sessionId": MISSING, "scheduledAt": OFF_HOURS, "confirm": True}, NO_APPOINTMENT, "missing")
    ],
    "booking_update_status": [Case({"sessionId": MISSING, "action": "confirm"}, NO_APPOINTMENT, "missing")],
    "lifecycle_get_state": [Case({"sessionId": MISSING}, NO_APPOINTMENT, "missing")],
    "lifecycle_get_history": [Case({"sessionId": MISSING}, NO_APPOINTMENT, "missing")],
    "lifecycle_transition": [Case({"sessionId": MISSING, "action": "confirm"}, NO_APPOINTMENT, "missing")],
    "availability_get_slots": [Case({"locationId": MISSING}, f"no datebook with id {MISSING}", "missing")],
    "provider_get_stats": [Case({"providerId": MISSING}, f"no active doctor with id {MISSING}", "missing")],
    "get_appointment_details": [Case({"appointment_id": MISSING}, NO_APPOINTMENT, "missing")],
    "update_appointment_status": [
        Case({"appointment_id": MISSING, "status": "confirmed"}, NO_APPOINTMENT, "missing")
    ],
    "get_treatment_stats": [Case({"tenant_id": MISSING}, f"no tenant with id {MISSING}", "other tenant")],
}
SURFACE_CASES["medcor"] = {
    "list_appointments": [Case({"tenant_id": MISSING}, f"no tenant with id {MISSING}", "other tenant")],
    "create_appointment": [
        Case(
            {
                "patient_id": 1,
                "doctor_id": 1,
                "treatment_id": 1,
                "appointment_date": OFF_HOURS[:10],
                "appointment_time": "03:00",
            },
            "nobody who can do this works then",
            "outside working hours",
        )
    ],
}


# Issue 12, setup (mcp/bindings/setup.py), clients (clients.py), series and waitlist (series.py). Each
# call fails before anything is written: a missing id, a value a rule refuses, an unknown argument.
NO_LOCATION = f"no location with id {MISSING}"
NO_PROVIDER = f"no provider with id {MISSING}"
NO_SERVICE = f"no service with id {MISSING}"
NO_PATIENT = f"no patient with id {MISSING}"
NO_CLIENT = f"no client with id {MISSING}"
NO_SERIES = f"no series with id {MISSING}"
NO_ENTRY = f"no waitlist entry with id {MISSING}"
NO_TENANT = f"no tenant with id {MISSING}"
UNKNOWN_SETTING = "no.such: unknown setting"
TOO_LONG_SEARCH = Case({"search": "x" * 121}, "search: String should have at most 120", "too long")
WEEK = [{"day": "monday", "start": "09:00", "end": "17:00"}]
ERROR_CASES |= {
    # /mcp: one action tool per job
    "manage_locations": [
        Case({"action": "update", "location_id": MISSING, "name": "x"}, NO_LOCATION, "missing")
    ],
    "manage_providers": [Case({"action": "get", "provider_id": MISSING}, NO_PROVIDER, "missing")],
    "manage_services": [Case({"action": "get", "service_id": MISSING}, NO_SERVICE, "missing")],
    "manage_availability": [
        Case({"action": "get_schedule", "provider_id": MISSING}, NO_PROVIDER, "missing provider")
    ],
    "practice_settings": [Case({"action": "get", "keys": "no.such"}, UNKNOWN_SETTING, "unknown key")],
    "organization_summary": [UNKNOWN_ARGUMENT],
    "manage_recurring_appointments": [Case({"action": "get", "series_id": MISSING}, NO_SERIES, "missing")],
    "manage_waitlist": [Case({"action": "leave", "entry_id": MISSING}, NO_ENTRY, "missing")],
    # Coordinalo (Servicialo names, camelCase)
    "service_create": [
        Case({"name": " ", "durationMinutes": 30}, "name must not be empty", "blank name"),
        Case(
            {"name": "Probe", "durationMinutes": 30, "providerIds": [MISSING]},
            NO_PROVIDER,
            "missing provider",
        ),
    ],
    "service_list": [TOO_LONG_SEARCH],
    "service_update": [Case({"serviceId": MISSING, "name": "x"}, NO_SERVICE, "missing")],
    "service_assign_provider": [Case({"serviceId": MISSING, "providerId": 1}, NO_SERVICE, "missing service")],
    "provider_get": [Case({"providerId": MISSING}, NO_PROVIDER, "missing")],
    "provider_create": [
        Case({"name": "Probe", "email": "not an email"}, "email must be an email address", "bad email")
    ],
    "provider_update": [Case({"providerId": MISSING, "name": "x"}, NO_PROVIDER, "missing")],
    "admin_list_providers": [TOO_LONG_SEARCH],
    "admin_create_service": [
        Case({"name": " ", "durationMinutes": 30}, "name must not be empty", "blank name")
    ],
    "admin_set_availability": [
        Case({"providerId": MISSING, "schedule": WEEK}, NO_PROVIDER, "missing provider")
    ],
    "availability_get_provider_schedule": [Case({"providerId": MISSING}, NO_PROVIDER, "missing")],
    "report_organization_summary": [UNKNOWN_ARGUMENT],
    "organization_update": [
        Case({"vertical": "nonsense"}, "vertical must be one of: health, dental", "bad vertical")
    ],
    "settings_get": [Case({"keys": "no.such"}, UNKNOWN_SETTING, "unknown key")],
    "settings_update": [Case({"settings": {"no.such": 1}}, UNKNOWN_SETTING, "unknown key")],
    "client_list": [Case({"cursor": "nonsense"}, "cursor is not one a previous page returned", "bad cursor")],
    "client_get": [Case({"clientId": MISSING}, NO_PATIENT, "missing")],
    "client_create": [
        Case({"firstName": "Probe", "titularProviderId": MISSING}, NO_PROVIDER, "missing provider")
    ],
    "client_update": [Case({"clientId": MISSING, "firstName": "x"}, NO_PATIENT, "missing")],
    "booking_create_recurring": [
        Case(
            {"clientId": MISSING, "providerId": 1, "scheduledAt": OFF_HOURS},
            NO_CLIENT,
            "missing client",
        )
    ],
    "waitlist_join": [Case({"clientId": MISSING, "serviceId": 1}, NO_CLIENT, "missing client")],
    "waitlist_list": [Case({"status": "nonsense"}, "status: Input should be 'waiting'", "bad status")],
    "waitlist_leave": [Case({"entryId": MISSING}, NO_ENTRY, "missing")],
    # MedCor (snake_case; tenant_id other than the caller's practice is "not found")
    "get_doctor_details": [Case({"doctor_id": MISSING}, NO_PROVIDER, "missing")],
    "create_doctor": [
        Case(
            {
                "email": "probe@example.com",
                "first_name": "Probe",
                "last_name": "Person",
                "specialization": "Probing",
                "tenant_id": MISSING,
            },
            NO_TENANT,
            "other tenant",
        ),
        Case(
            {"email": "nope", "first_name": "Probe", "last_name": "Person", "specialization": "Probing"},
            "email must be an email address",
            "bad email",
        ),
    ],
    "list_nurses": [Case({"tenant_id": MISSING}, NO_TENANT, "other tenant")],
    "list_appointment_slots": [
        Case({"doctor_id": MISSING}, NO_PROVIDER, "missing doctor"),
        Case({"date": "not-a-date"}, "date must be an ISO 8601 date", "bad date"),
    ],
    "create_appointment_slot": [
        Case(
            {"doctor_id": MISSING, "day_of_week": "monday", "start_time": "09:00", "end_time": "10:00"},
            NO_PROVIDER,
            "missing doctor",
        )
    ],
    "list_treatments": [Case({"tenant_id": MISSING}, NO_TENANT, "other tenant")],
    "get_treatment_details": [Case({"treatment_id": MISSING}, NO_SERVICE, "missing")],
    "create_treatment": [
        Case(
            {"name": "Probe", "description": "probe", "cost": 10, "tenant_id": MISSING},
            NO_TENANT,
            "other tenant",
        )
    ],
    "update_treatment": [Case({"treatment_id": MISSING, "name": "x"}, NO_SERVICE, "missing")],
    "list_patients": [Case({"tenant_id": MISSING}, NO_TENANT, "other tenant")],
    "get_patient_details": [Case({"patient_id": MISSING}, NO_PATIENT, "missing")],
    "create_patient": [
        Case(
            {
                "email": "probe@example.com",
                "first_name": "Probe",
                "last_name": "Person",
                "tenant_id": MISSING,
            },
            NO_TENANT,
            "other tenant",
        )
    ],
}


# Issue 13, agendas and the public booking surface (mcp/bindings/agendas.py, public.py).
NO_AGENDA = f"no agenda with id {MISSING}"
NO_TOKEN = "no booking matches this token"
NO_PRACTICE = "no practice with this orgSlug"
INTENT = "authorization.humanIntentConfirmed must be true"


def _public_booking(**kw: Any) -> dict[str, Any]:
    return {
        "orgSlug": "demo",
        "serviceId": 1,
        "scheduledAt": OFF_HOURS,
        "requester": {"fullName": "Probe Person", "email": "probe@example.org"},
        "authorization": {"humanIntentConfirmed": False},
        **kw,
    }


ERROR_CASES |= {
    "agendas_list": [UNKNOWN_ARGUMENT],
    "agendas_create": [Case({"slug": "Not A Slug!", "title": "X"}, "slug must be 1 to 63", "bad slug")],
    "agendas_get": [Case({"agendaId": MISSING}, NO_AGENDA, "missing")],
    "agendas_update": [Case({"agendaId": MISSING, "title": "X"}, NO_AGENDA, "missing")],
    "agendas_delete": [Case({"agendaId": MISSING, "confirm": True}, NO_AGENDA, "missing")],
    "admin_toggle_discoverable": [Case({"discoverable": True, "agendaId": MISSING}, NO_AGENDA, "missing")],
    "scheduling_cancel": [Case({"sessionId": MISSING, "confirm": True}, NO_APPOINTMENT, "missing")],
    "scheduling_reschedule": [
        Case({"sessionId": MISSING, "scheduledAt": OFF_HOURS, "confirm": True}, NO_APPOINTMENT, "missing")
    ],
    "public_service_list": [Case({"orgSlug": "no-such-practice"}, NO_PRACTICE, "unknown practice")],
    "public_availability_get_slots": [Case({"orgSlug": "no-such-practice"}, NO_PRACTICE, "unknown practice")],
    "public_booking_create": [
        Case(
            _public_booking(submission={"channel": "web", "agentAssisted": True}),
            INTENT,
            "no human intent",
        )
    ],
    "public_booking_confirm": [
        Case({"orgSlug": "demo", "confirmationToken": "pbc_guess"}, NO_TOKEN, "wrong token")
    ],
    "public_booking_get": [Case({"orgSlug": "demo", "bookingToken": "pbk_guess"}, NO_TOKEN, "wrong token")],
    "public_booking_cancel": [
        Case({"orgSlug": "demo", "bookingToken": "pbk_guess"}, NO_TOKEN, "wrong token")
    ],
    "public_booking_reschedule": [
        Case(
            {"orgSlug": "demo", "bookingToken": "pbk_guess", "scheduledAt": OFF_HOURS},
            NO_TOKEN,
            "wrong token",
        )
    ],
    "scheduling_book": [Case(_public_booking(), INTENT, "no human intent")],
    "scheduling_confirm": [Case({"orgSlug": "demo", "credential": "pbc_guess"}, NO_TOKEN, "wrong token")],
}


# Issue 14, messaging (mcp/bindings/messaging.py): /mcp and /mcp/coordinalo. The e2e server has no SMTP.
NO_CLIENT_14 = f"no client with id {MISSING}"
BAD_QUIET = "reminders.quietStart must be a time of day"
ERROR_CASES |= {
    "reminders_get_config": [UNKNOWN_ARGUMENT],
    "reminders_update_config": [Case({"quietHours": {"start": "25:00"}}, BAD_QUIET, "bad time")],
    "comms_get_preferences": [Case({"clientId": MISSING}, NO_CLIENT_14, "missing")],
    "comms_update_preferences": [Case({"clientId": MISSING, "email": False}, NO_CLIENT_14, "missing")],
    "comms_send_message": [
        Case(
            {"clientId": MISSING, "channel": "email", "customMessage": "Hola {nombre}", "confirm": True},
            "the email channel is not configured on this server",
            "no channel",
        )
    ],
    "manage_reminders": [
        Case({"action": "update", "quiet_hours": {"start": "25:00"}}, BAD_QUIET, "bad time")
    ],
    "manage_messages": [Case({"action": "get_preferences", "client_id": MISSING}, NO_CLIENT_14, "missing")],
}


def _feature_cases() -> dict[str, list[Case]]:
    """The CASES of every module in tests/e2e/cases (a name defined twice is a mistake, not a merge)."""
    import importlib
    import pkgutil

    from tests.e2e import cases

    found: dict[str, list[Case]] = {}
    for info in sorted(pkgutil.iter_modules(cases.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{cases.__name__}.{info.name}")
        extra: dict[str, list[Case]] = module.CASES
        twice = (set(found) | set(ERROR_CASES)) & set(extra)
        assert not twice, f"tests/e2e/cases/{info.name}.py defines cases again for {sorted(twice)}"
        found |= extra
    return found


ERROR_CASES |= _feature_cases()
