"""The setup feature's tools on /mcp, /mcp/coordinalo and /mcp/medcor.

/mcp groups the setup operations into six tools (manage_locations, manage_providers, manage_services,
manage_availability, practice_settings, report_organization_summary). Coordinalo serves each
operation under its seed name with camelCase parameters; MedCor under its own names, snake_case,
with its doctor/treatment words (doctor_id, treatment_id) and tenant_id where the seed has it."""

from __future__ import annotations

from dataclasses import replace

from frontdesk.mcp.registry import Binding
from frontdesk.services.operations import Operation
from frontdesk.services.setup import operations as ops


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def coordinalo(
    op: Operation, name: str | None = None, title: str | None = None, description: str | None = None
) -> Binding:
    """The operation with camelCase arguments and Coordinalo's tool names in its texts; MedCor's
    tenant_id is not Coordinalo's (its key names the organization)."""
    omit = frozenset({"tenant_id"} & set(op.input.model_fields))
    rename = {camel(f): f for f in op.input.model_fields if "_" in f and f not in omit}
    return Binding(
        op, name=name, title=title, description=description, omit=omit, rename=rename, words=COORDINALO_WORDS
    )


# How the texts' Frontdesk names read on Coordinalo.
COORDINALO_WORDS = {
    "manage_services": "service_update",
    "manage_availability": "admin_set_availability",
    "list_doctors": "admin_list_providers",
}
MEDCOR_WORDS = {
    "admin_list_providers": "list_doctors",
    "service_list": "list_treatments",
    "service_assign_provider": "update_treatment",
    "admin_set_availability": "create_appointment_slot",
    "availability_get_provider_schedule": "list_appointment_slots",
}
NO_TENANT = frozenset({"tenant_id"})
# The services' messages point to the seed's tools ("call admin_list_providers"): /mcp's jobs for them.
FRONTDESK_WORDS = {"admin_list_providers": "manage_providers", "service_list": "manage_services"}

FRONTDESK: tuple[Binding, ...] = (
    Binding(ops.MANAGE_LOCATIONS),
    Binding(ops.MANAGE_PROVIDERS),
    Binding(ops.MANAGE_SERVICES),
    Binding(ops.MANAGE_AVAILABILITY),
    Binding(ops.PRACTICE_SETTINGS),
    Binding(ops.ORGANIZATION_SUMMARY, name="organization_summary"),
)

COORDINALO: tuple[Binding, ...] = (
    coordinalo(ops.SERVICE_CREATE),
    coordinalo(ops.SERVICE_LIST),
    coordinalo(ops.SERVICE_UPDATE),
    coordinalo(ops.SERVICE_ASSIGN_PROVIDER),
    coordinalo(ops.PROVIDER_GET),
    coordinalo(ops.PROVIDER_CREATE),
    coordinalo(ops.PROVIDER_UPDATE),
    coordinalo(ops.PROVIDER_LIST),
    coordinalo(
        ops.SERVICE_CREATE,
        name="admin_create_service",
        title="Create Service (Admin)",
        description="Owners and admins, for the initial setup: add a bookable service (discoverable by "
        "default). With exactly one active provider it is assigned to them; with several, use "
        "service_assign_provider (a service without providers cannot be booked). Next step: "
        "admin_set_availability for the provider's weekly schedule.",
    ),
    coordinalo(ops.SET_AVAILABILITY),
    coordinalo(ops.GET_SCHEDULE),
    coordinalo(ops.ORGANIZATION_SUMMARY),
    coordinalo(ops.ORGANIZATION_UPDATE),
    coordinalo(ops.SETTINGS_GET),
    coordinalo(ops.SETTINGS_UPDATE),
)

_MEDCOR = (
    Binding(ops.PROVIDER_LIST, name="list_doctors", omit=frozenset({"include_inactive", "search"})),
    Binding(ops.PROVIDER_GET, name="get_doctor_details", omit=NO_TENANT, rename={"doctor_id": "provider_id"}),
    Binding(ops.CREATE_DOCTOR),
    Binding(ops.LIST_NURSES),
    Binding(ops.LIST_SLOTS, rename={"doctor_id": "provider_id", "date": "day"}),
    Binding(
        ops.ADD_BLOCK,
        omit=frozenset({"location_id", "idempotency_key"}),
        rename={"doctor_id": "provider_id", "day_of_week": "day", "start_time": "start", "end_time": "end"},
    ),
    Binding(ops.SERVICE_LIST, name="list_treatments", omit=frozenset({"active", "discoverable", "category"})),
    Binding(
        ops.SERVICE_GET, name="get_treatment_details", omit=NO_TENANT, rename={"treatment_id": "service_id"}
    ),
    Binding(ops.CREATE_TREATMENT),
    Binding(ops.UPDATE_TREATMENT),
)
MEDCOR: tuple[Binding, ...] = tuple(replace(b, words=MEDCOR_WORDS) for b in _MEDCOR)
