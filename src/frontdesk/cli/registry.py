"""Subcommand areas. Each module has `add_parser(subparsers)` and `async run(app, args) -> int`,
and claims the top-level command name(s) in `COMMANDS`."""

from __future__ import annotations

from frontdesk.cli import audit, clients, keys, practices, setup, users

AREAS = [keys, practices, users, clients, audit, setup]


def area_for(command: str):  # type: ignore[no-untyped-def]
    for area in AREAS:
        if command in area.COMMANDS:
            return area
    return None
