"""The messaging feature's tools (issue 14). None yet: the job queue, email, templates and reminders
run underneath (bookings enqueue their messages); manage_messages / manage_reminders on /mcp and the
seed's reminders_get_config, reminders_update_config, comms_* on /mcp/coordinalo are still to come."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding

FRONTDESK: tuple[Binding, ...] = ()
COORDINALO: tuple[Binding, ...] = ()
MEDCOR: tuple[Binding, ...] = ()
