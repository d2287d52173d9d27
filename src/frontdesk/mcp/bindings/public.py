"""The public booking surface (/mcp/public, HTTP, no token): its nine tools and nothing else."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding
from frontdesk.services.booking.operations import public

FRONTDESK: tuple[Binding, ...] = ()
COORDINALO: tuple[Binding, ...] = ()
MEDCOR: tuple[Binding, ...] = ()

PUBLIC: tuple[Binding, ...] = tuple(Binding(op) for op in public.OPERATIONS)
