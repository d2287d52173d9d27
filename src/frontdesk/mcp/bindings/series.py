"""The recurring-series and waitlist feature's tools on /mcp, /mcp/coordinalo and /mcp/medcor.

/mcp: two manage tools. Coordinalo: the seed's booking_create_recurring ("Create Recurring Booking",
no parameter list in the seed: camelCase names derived from its booking tools), a cancel for the
series, and the waitlist tools."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.scheduling.operations import series, waitlist

FRONTDESK: tuple[Binding, ...] = (Binding(series.MANAGE_RECURRING), Binding(waitlist.MANAGE_WAITLIST))

# Coordinalo's words for our fields (surface argument -> operation field).
_PEOPLE = {
    "clientId": "patient_id",
    "providerId": "doctor_id",
    "serviceId": "service_id",
    "locationId": "datebook_id",
}
_KEY = {"idempotencyKey": "idempotency_key"}
# How the texts' field and tool names read there.
WORDS = {
    **{field: arg for arg, field in {**_PEOPLE, **_KEY}.items()},
    "starts_at": "scheduledAt",
    "on_conflict": "onConflict",
    "appointment_id": "bookingId",
    "series_id": "seriesId",
    "entry_id": "entryId",
    "from_date": "fromDate",
    "to_date": "toDate",
    "from_time": "fromTime",
    "to_time": "toTime",
    "time_of_day": "timeOfDay",
    "find_patients": "client_list",
    "list_services": "service_list",
    "list_doctors": "admin_list_providers",
    "list_datebooks": "report_organization_summary",  # it lists the locations with their ids
    "create_appointment": "booking_create",
}

# The seed's own description of the tool, then ours (what the seed leaves unsaid).
SEED_RECURRING = (
    "Create recurring sessions (e.g. weekly therapy). Generates multiple individual sessions linked by a "
    "recurrence series ID. Max 52 occurrences."
)

# The seed's booking_create_recurring, and the waitlist tools issue 12 names. Cancelling a whole
# series and accepting an offer are Frontdesk's own (manage_recurring_appointments, manage_waitlist on
# /mcp): a seed surface serves the seed's tools and no others. There a held offer is booked with
# booking_update_status (confirm), which the waitlist counts as accepted.
COORDINALO: tuple[Binding, ...] = (
    Binding(
        series.CREATE_RECURRING,
        name="booking_create_recurring",
        title="Create Recurring Booking",
        description=SEED_RECURRING + " " + series.CREATE_DETAILS,
        rename={
            **_PEOPLE,
            **_KEY,
            "scheduledAt": "starts_at",
            "onConflict": "on_conflict",
        },
        words=WORDS,
    ),
    Binding(
        waitlist.WAITLIST_JOIN,
        title="Join Waitlist",
        rename={
            **_PEOPLE,
            **_KEY,
            "fromDate": "from_date",
            "toDate": "to_date",
            "timeOfDay": "time_of_day",
            "fromTime": "from_time",
            "toTime": "to_time",
        },
        words=WORDS,
    ),
    Binding(
        waitlist.WAITLIST_LIST,
        title="List Waitlist",
        rename={"clientId": "patient_id", "serviceId": "service_id"},
        words=WORDS,
    ),
    Binding(
        waitlist.WAITLIST_LEAVE, title="Leave Waitlist", rename={"entryId": "entry_id", **_KEY}, words=WORDS
    ),
)
MEDCOR: tuple[Binding, ...] = ()
