"""`frontdesk clients ...`."""

from __future__ import annotations

import argparse
from typing import Any

from frontdesk.services.app import Frontdesk

COMMANDS = {"clients"}


def add_parser(sub: Any) -> None:
    sub.add_parser("clients", help="(not yet available)")


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    print("not yet available")
    return 1
