"""The clients feature's tools on /mcp, /mcp/coordinalo and /mcp/medcor.

On /mcp the jobs are find_patients' (search, provider_id filter, pages) and manage_patient's (get,
add with linking by email, update, the titular provider), and list_appointments' (patient_id) for
recent sessions: no tool of its own here, none doing their job twice."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.clients import coordinalo, medcor

FRONTDESK: tuple[Binding, ...] = ()
COORDINALO: tuple[Binding, ...] = tuple(Binding(op, words=coordinalo.WORDS) for op in coordinalo.OPERATIONS)
MEDCOR: tuple[Binding, ...] = tuple(Binding(op, words=medcor.WORDS) for op in medcor.OPERATIONS)
