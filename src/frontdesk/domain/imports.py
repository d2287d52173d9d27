"""What a spreadsheet import can bring in (the CLI's parser and the import service share it)."""

from __future__ import annotations

KINDS = ("providers", "services", "patients")
