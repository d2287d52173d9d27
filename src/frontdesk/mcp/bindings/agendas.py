"""The agendas feature's tools (issue 13): the Coordinalo seed's agenda tools and its staff-side
scheduling_cancel / scheduling_reschedule (Servicialo names for booking_cancel / booking_reschedule,
with confirm: true). /mcp: the same agenda operations as one manage_agendas tool, snake_case
arguments (staff reach public bookings through the existing booking tools)."""

from __future__ import annotations

import re

from frontdesk.mcp.registry import Binding
from frontdesk.services.booking.operations import agendas
from frontdesk.services.booking.operations.agendas_manage import MANAGE_AGENDAS
from frontdesk.services.scheduling.operations import coordinalo


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()  # minAdvanceMinutes -> min_advance_minutes


# /mcp argument -> the operation's (camelCase) field; the services' messages name both the fields
# and the Coordinalo tools, which read as /mcp's.
_RENAME = {_snake(f): f for f in MANAGE_AGENDAS.input.model_fields if _snake(f) != f}
_WORDS = {
    **{f: a for a, f in _RENAME.items()},
    **dict.fromkeys(("agendas_list", "agendas_get", "agendas_create", "agendas_update"), "manage_agendas"),
}
FRONTDESK: tuple[Binding, ...] = (Binding(MANAGE_AGENDAS, rename=_RENAME, words=_WORDS),)

COORDINALO: tuple[Binding, ...] = (
    *(Binding(op) for op in agendas.OPERATIONS),
    Binding(
        coordinalo.BOOKING_CANCEL,
        name="scheduling_cancel",
        title="Cancel Session",
        description="Cancel a session (Servicialo spec), applying the cancellation policy by the time "
        "left before it (the agenda's policy for a session booked through one, else the practice's): "
        "late, the penalty is recorded or the cancel refused. Requires confirm: true.",
        rename={"idempotencyKey": "idempotency_key"},
    ),
    Binding(
        coordinalo.BOOKING_RESCHEDULE,
        name="scheduling_reschedule",
        title="Reschedule Session",
        description="Reschedule a session to a new time (Servicialo spec): the original is cancelled "
        "and a new session is created at scheduledAt, each pointing at the other. Requires confirm: "
        "true.",
        rename={"idempotencyKey": "idempotency_key"},
    ),
)

MEDCOR: tuple[Binding, ...] = ()
