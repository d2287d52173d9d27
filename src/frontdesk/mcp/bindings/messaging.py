"""The messaging feature's tools (issue 14).

/mcp: manage_reminders (get, update), manage_messages (get_preferences, update_preferences, send) and
render_visual_message (preview, send: a card as a PNG image; its own tool, as its many data fields are
no other action's).
Coordinalo: the seed's reminders_get_config, reminders_update_config, comms_get_preferences,
comms_update_preferences, comms_send_message, comms_render_visual_message, with camelCase parameters
(the seed gives no lists: clientId, sessionId, channel, templateKey, customMessage, subject, confirm,
clientName, providerName ...; the reminder sections bookingReminder ... pendingConfirmation plus
quietHours). MedCor has no messaging tools."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.messaging import operations as ops
from frontdesk.services.messaging.visual_operations import RENDER_VISUAL_MESSAGE
from frontdesk.services.operations import Operation


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)  # session_reminder24h -> sessionReminder24h


def _coordinalo(op: Operation) -> Binding:
    rename = {_camel(f): f for f in op.input.model_fields if "_" in f}
    return Binding(op, rename=rename, words={f: a for a, f in rename.items()})


FRONTDESK: tuple[Binding, ...] = (
    Binding(ops.MANAGE_REMINDERS),
    Binding(ops.MANAGE_MESSAGES),
    Binding(RENDER_VISUAL_MESSAGE, name="render_visual_message"),
)
COORDINALO: tuple[Binding, ...] = tuple(
    _coordinalo(op) for op in (*ops.COORDINALO_OPERATIONS, RENDER_VISUAL_MESSAGE)
)
MEDCOR: tuple[Binding, ...] = ()
