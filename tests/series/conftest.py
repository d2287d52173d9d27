"""The MCP tests' client factory (`connect`), for the series and waitlist tool tests."""

from tests.mcp.conftest import connect

__all__ = ["connect"]
