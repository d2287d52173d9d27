"""The bookings feature's tools on /mcp, /mcp/coordinalo and /mcp/medcor."""

from __future__ import annotations

from dataclasses import replace

from frontdesk.mcp.registry import Binding
from frontdesk.services.scheduling.operations import coordinalo, lifecycle, medcor, servicialo

FRONTDESK: tuple[Binding, ...] = tuple(Binding(op) for op in lifecycle.OPERATIONS)

# How the texts' tool names read on Coordinalo (its slot search and booking list).
COORDINALO_WORDS = {
    "find_available_slots": "availability_get_slots",
    "list_appointments": "booking_list",
    "create_appointment": "booking_create",
}
COORDINALO: tuple[Binding, ...] = tuple(
    replace(
        Binding(op, words=COORDINALO_WORDS),
        rename={"idempotencyKey": "idempotency_key"} if "idempotency_key" in op.input.model_fields else {},
    )
    for op in (*coordinalo.OPERATIONS, *servicialo.OPERATIONS)
)

MEDCOR_WORDS = {"find_available_slots": "list_appointment_slots", "list_doctors": "list_doctors"}
MEDCOR: tuple[Binding, ...] = tuple(
    Binding(
        op,
        words=MEDCOR_WORDS,
        # MedCor's update has no confirm parameter: its client confirms a destructive call (annotations).
        client_confirms=op is medcor.UPDATE_APPOINTMENT_STATUS,
    )
    for op in medcor.OPERATIONS
)
