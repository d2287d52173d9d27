"""The agendas feature's tools (issue 13): the Coordinalo seed's agenda tools and its staff-side
scheduling_cancel / scheduling_reschedule (Servicialo names for booking_cancel / booking_reschedule,
with confirm: true). Nothing on /mcp: staff manage agendas on /mcp/coordinalo, and reach public
bookings through the existing booking tools."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.booking.operations import agendas
from frontdesk.services.scheduling.operations import coordinalo

FRONTDESK: tuple[Binding, ...] = ()

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
