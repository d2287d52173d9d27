"""The setup feature's tools on /mcp, /mcp/coordinalo and /mcp/medcor."""

from __future__ import annotations

from frontdesk.mcp.registry import Binding

FRONTDESK: tuple[Binding, ...] = ()
COORDINALO: tuple[Binding, ...] = ()
MEDCOR: tuple[Binding, ...] = ()
