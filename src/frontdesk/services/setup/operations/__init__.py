"""The setup operations: locations, providers, services, availability, the organization."""

from frontdesk.services.setup.operations.availability import (
    ADD_BLOCK,
    GET_SCHEDULE,
    LIST_SLOTS,
    MANAGE_AVAILABILITY,
    SET_AVAILABILITY,
)
from frontdesk.services.setup.operations.catalogue import (
    MANAGE_SERVICES,
    SERVICE_ASSIGN_PROVIDER,
    SERVICE_CREATE,
    SERVICE_GET,
    SERVICE_LIST,
    SERVICE_UPDATE,
)
from frontdesk.services.setup.operations.locations import MANAGE_LOCATIONS
from frontdesk.services.setup.operations.medcor import CREATE_DOCTOR, CREATE_TREATMENT, UPDATE_TREATMENT
from frontdesk.services.setup.operations.practice import (
    ORGANIZATION_SUMMARY,
    ORGANIZATION_UPDATE,
    PRACTICE_SETTINGS,
    SETTINGS_GET,
    SETTINGS_UPDATE,
)
from frontdesk.services.setup.operations.providers import (
    LIST_NURSES,
    MANAGE_PROVIDERS,
    PROVIDER_CREATE,
    PROVIDER_GET,
    PROVIDER_LIST,
    PROVIDER_UPDATE,
)

__all__ = [
    "ADD_BLOCK",
    "CREATE_DOCTOR",
    "CREATE_TREATMENT",
    "GET_SCHEDULE",
    "LIST_NURSES",
    "LIST_SLOTS",
    "MANAGE_AVAILABILITY",
    "MANAGE_LOCATIONS",
    "MANAGE_PROVIDERS",
    "MANAGE_SERVICES",
    "ORGANIZATION_SUMMARY",
    "ORGANIZATION_UPDATE",
    "PRACTICE_SETTINGS",
    "PROVIDER_CREATE",
    "PROVIDER_GET",
    "PROVIDER_LIST",
    "PROVIDER_UPDATE",
    "SERVICE_ASSIGN_PROVIDER",
    "SERVICE_CREATE",
    "SERVICE_GET",
    "SERVICE_LIST",
    "SERVICE_UPDATE",
    "SETTINGS_GET",
    "SETTINGS_UPDATE",
    "SET_AVAILABILITY",
    "UPDATE_TREATMENT",
]
