"""Bindings per feature for the surfaces that grow by feature (mcp/surfaces.py joins them): each
module lists its operations on /mcp (`FRONTDESK`) and on the Coordinalo and MedCor seed surfaces."""
