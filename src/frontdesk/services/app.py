"""Moved to frontdesk.composition (the composition root); kept until the MCP tools import it there."""

from frontdesk.composition import Frontdesk

__all__ = ["Frontdesk"]
