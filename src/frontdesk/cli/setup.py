"""`frontdesk setup location|provider|service|hours|closure|summary` and `frontdesk import
providers|services|patients FILE.csv [--dry-run]`: setting a practice up from the shell, or moving a
clinic off its spreadsheet. Everything goes through the same services as the MCP tools (audited as
the CLI's actor). The parser is here; the steps (cli/setup_steps.py) load only when a command runs,
so other commands (`frontdesk stdio`) do not import the services to build their parser."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.domain.imports import KINDS

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

COMMANDS = {"setup", "import"}


def add_parser(sub: Any) -> None:
    st = sub.add_parser("setup", help="set a practice up: locations, providers, services, hours")
    steps = st.add_subparsers(dest="setup_command", required=True)
    loc = steps.add_parser("location", help="add a location, or change one (--id)")
    _common(loc)
    loc.add_argument("--name")
    loc.add_argument("--timezone", help="IANA zone, e.g. America/New_York")
    for name in ("address", "city", "state"):
        loc.add_argument(f"--{name}")
    prov = steps.add_parser("provider", help="add a provider, or change one (--id)")
    _common(prov)
    for name in ("name", "specialty", "email", "phone", "uid", "city", "state", "image-url"):
        prov.add_argument(f"--{name}")
    prov.add_argument("--commission", type=int, help="percent, 0-100")
    prov.add_argument("--area", action="append", help="a coverage area (repeat for several)")
    svc = steps.add_parser("service", help="add a service, or change one (--id)")
    _common(svc)
    for name in ("name", "category", "description", "currency"):
        svc.add_argument(f"--{name}")
    for name in ("minutes", "price-cents", "buffer-before", "buffer-after"):
        svc.add_argument(f"--{name}", type=int)
    svc.add_argument("--provider", type=int, action="append", help="provider id who delivers it (repeat)")
    hours = steps.add_parser("hours", help="replace a provider's weekly hours at a location")
    hours.add_argument("--practice", required=True)
    hours.add_argument("--provider", type=int, required=True)
    hours.add_argument("--location", type=int)
    hours.add_argument("--day", action="append", default=[], help="e.g. monday=09:00-12:00,13:00-17:00")
    hours.add_argument("--break", dest="breaks", action="append", default=[], help="e.g. monday=12:00-13:00")
    closure = steps.add_parser("closure", help="a practice-wide holiday, closed window or open-only day")
    closure.add_argument("--practice", required=True)
    closure.add_argument("--day", required=True, help="YYYY-MM-DD")
    closure.add_argument("--last-day")
    closure.add_argument("--location", type=int)
    closure.add_argument("--start")
    closure.add_argument("--end")
    closure.add_argument("--open-only", action="store_true")
    closure.add_argument("--reason")
    summary = steps.add_parser("summary", help="what is set up and what is missing before booking")
    summary.add_argument("--practice", required=True)

    imp = sub.add_parser("import", help="import providers, services or patients from a CSV file")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--practice", required=True)
    imp.add_argument("--dry-run", action="store_true", help="check every row and write nothing")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--practice", required=True)
    p.add_argument("--id", type=int, help="change this record instead of adding one")
    p.add_argument("--inactive", action="store_true", help="mark it inactive")
    p.add_argument("--active", action="store_true", help="mark it active again")


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    from frontdesk.cli import setup_steps

    return await setup_steps.run(app, args)
