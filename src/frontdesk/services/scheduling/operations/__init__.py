"""The scheduling operations: datebooks, doctors, services, the schedule, free slots, booking,
hold-then-confirm; plus the Odonto.me seed's name-only patient search."""

from frontdesk.services.scheduling.operations.booking import (
    CONFIRM_APPOINTMENT,
    CREATE_APPOINTMENT,
    HOLD_SLOT,
    UPDATE_APPOINTMENT,
)
from frontdesk.services.scheduling.operations.directory import (
    LIST_DATEBOOKS,
    LIST_DOCTORS,
    LIST_SERVICES,
    SEARCH_PATIENTS,
)
from frontdesk.services.scheduling.operations.schedule import FIND_AVAILABLE_SLOTS, LIST_APPOINTMENTS

__all__ = [
    "CONFIRM_APPOINTMENT",
    "CREATE_APPOINTMENT",
    "FIND_AVAILABLE_SLOTS",
    "HOLD_SLOT",
    "LIST_APPOINTMENTS",
    "LIST_DATEBOOKS",
    "LIST_DOCTORS",
    "LIST_SERVICES",
    "OPERATIONS",
    "SEARCH_PATIENTS",
    "UPDATE_APPOINTMENT",
]

OPERATIONS = (
    LIST_DATEBOOKS,
    LIST_DOCTORS,
    LIST_SERVICES,
    LIST_APPOINTMENTS,
    FIND_AVAILABLE_SLOTS,
    CREATE_APPOINTMENT,
    UPDATE_APPOINTMENT,
    HOLD_SLOT,
    CONFIRM_APPOINTMENT,
    SEARCH_PATIENTS,
)
