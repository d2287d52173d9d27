"""Frontdesk: practice management over MCP."""

__version__ = "0.1.0"
