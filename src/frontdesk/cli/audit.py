"""`frontdesk audit ...`."""

from __future__ import annotations

import argparse
from typing import Any

from frontdesk.services.app import Frontdesk

COMMANDS = {"audit"}


def add_parser(sub: Any) -> None:
    sub.add_parser("audit", help="(not yet available)")


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    print("not yet available")
    return 1
