"""`frontdesk practices ...`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

COMMANDS = {"practices"}


def add_parser(sub: Any) -> None:
    pr = sub.add_parser("practices", help="practices").add_subparsers(dest="practices_command", required=True)
    pc = pr.add_parser("create", help="add a practice")
    pc.add_argument("--slug", required=True)
    pc.add_argument("--name", required=True)
    pc.add_argument("--timezone", required=True, help="IANA zone, e.g. Europe/Lisbon")
    pr.add_parser("list")


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    if args.practices_command == "create":
        p = await app.practices.create(args.slug, args.name, args.timezone)
        print(f"created practice {p.slug} (id {p.id}, {p.timezone})")
    else:
        for p in await app.practices.list_all():
            print(f"{p.id}\t{p.slug}\t{p.timezone}\t{p.name}")
    return 0
