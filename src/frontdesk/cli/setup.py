"""`frontdesk setup location|provider|service|hours|closure|summary` and `frontdesk import
providers|services|patients FILE.csv [--dry-run]`: setting a practice up from the shell, or moving a
clinic off its spreadsheet. Everything goes through the same services as the MCP tools (audited as
the CLI's actor)."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.domain.errors import Invalid
from frontdesk.services.context import Principal
from frontdesk.services.setup.catalogue import ServiceFields
from frontdesk.services.setup.exceptions import Closure
from frontdesk.services.setup.importer import KINDS, ROWS_MAX
from frontdesk.services.setup.locations import LocationFields
from frontdesk.services.setup.operations.practice import summary_text
from frontdesk.services.setup.providers import ProviderFields
from frontdesk.services.setup.schedules import Block

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk
    from frontdesk.services.setup import Setup

COMMANDS = {"setup", "import"}
ACTOR = "cli:setup"


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


def _active(args: argparse.Namespace) -> bool | None:
    return False if args.inactive else True if args.active else None


def _blocks(specs: list[str], flag: str) -> list[Block]:
    out = []
    for spec in specs:
        day, sep, windows = spec.partition("=")
        if not sep:
            raise Invalid(f"{flag} must look like monday=09:00-17:00", field=flag)
        for w in windows.split(","):
            start, dash, end = w.strip().partition("-")
            if not dash:
                raise Invalid(f"{flag} must look like monday=09:00-17:00", field=flag)
            out.append(Block(day=day, start=start, end=end))
    return out


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers (the header is line 1); headers lower-cased with
    spaces as underscores; a comma, semicolon or tab separates the columns (as spreadsheets export)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read {path}: {exc}", field="file") from exc
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(keepends=True), dialect=dialect)
    if reader.fieldnames is None:
        raise Invalid(f"{path} is empty", field="file")
    reader.fieldnames = [h.strip().lower().replace(" ", "_") for h in reader.fieldnames]
    rows = []
    for row in reader:
        values = {k: (v or "") for k, v in row.items() if k is not None}
        if any(v.strip() for v in values.values()):
            rows.append((reader.line_num, values))
        if len(rows) > ROWS_MAX:
            raise Invalid(f"at most {ROWS_MAX} rows per import", field="file")
    return rows


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    practice = await app.practices.get(args.practice)
    p = Principal(practice.id, ACTOR)
    if args.command == "import":
        return await _import(app, p, args)
    await STEPS[args.setup_command](app.setup, p, args)
    return 0


async def _location(s: Setup, p: Principal, args: argparse.Namespace) -> None:
    f = LocationFields(args.name, args.timezone, args.address, args.city, args.state, _active(args))
    loc = await (s.locations.update(p, args.id, f) if args.id else s.locations.create(p, f))
    print(f"location {loc.id}: {loc.name} ({loc.timezone})")


async def _provider(s: Setup, p: Principal, args: argparse.Namespace) -> None:
    f = ProviderFields(
        name=args.name,
        uid=args.uid,
        email=args.email,
        phone=args.phone,
        specialty=args.specialty,
        active=_active(args),
        commission_percent=args.commission,
        image_url=args.image_url,
        city=args.city,
        state=args.state,
        coverage_areas=args.area,
    )
    prov = await (s.providers.update(p, args.id, f) if args.id else s.providers.create(p, f))
    print(f"provider {prov.id}: {prov.name} ({prov.specialty})")


async def _service(s: Setup, p: Principal, args: argparse.Namespace) -> None:
    f = ServiceFields(
        name=args.name,
        category=args.category,
        description=args.description,
        duration_minutes=args.minutes,
        price_cents=args.price_cents,
        currency=args.currency,
        buffer_before_minutes=args.buffer_before,
        buffer_after_minutes=args.buffer_after,
        active=_active(args),
    )
    if args.id:
        svc = await s.catalogue.update(p, args.id, f)
        for pid in args.provider or []:
            svc = await s.catalogue.assign(p, args.id, pid)
    else:
        svc = await s.catalogue.create(p, f, args.provider)
    who = ", ".join(map(str, svc.provider_ids)) or "none (cannot be booked yet)"
    print(f"service {svc.id}: {svc.name}, {svc.duration_minutes} min; providers {who}")


async def _hours(s: Setup, p: Principal, args: argparse.Namespace) -> None:
    week = await s.schedules.set_weekly(
        p, args.provider, _blocks(args.day, "--day"), _blocks(args.breaks, "--break"), args.location
    )
    for loc_week in week.locations:
        blocks = ", ".join(f"{b.day[:3]} {b.start}-{b.end}" for b in loc_week.blocks) or "no hours"
        print(f"{week.provider_name} at {loc_week.location_name}: {blocks}")


async def _closure(s: Setup, p: Principal, args: argparse.Namespace) -> None:
    c = Closure(
        day=args.day,
        last_day=args.last_day,
        location_id=args.location,
        start=args.start,
        end=args.end,
        open_only=args.open_only,
        reason=args.reason,
    )
    done = await s.exceptions.add_closure(p, c)
    print(f"{len(done.exceptions)} day(s) recorded")


async def _summary(s: Setup, p: Principal, args: argparse.Namespace) -> None:
    print(summary_text(await s.organization.summary(p)))


STEPS: dict[str, Callable[[Setup, Principal, argparse.Namespace], Awaitable[None]]] = {
    "location": _location,
    "provider": _provider,
    "service": _service,
    "hours": _hours,
    "closure": _closure,
    "summary": _summary,
}


async def _import(app: Frontdesk, p: Principal, args: argparse.Namespace) -> int:
    rows = read_rows(args.file)
    report = await app.setup.importer.run(p, args.kind, rows, dry_run=args.dry_run)
    for e in report.errors:
        print(f"{args.file}:{e.line}: {e.field}: {e.message}", file=sys.stderr)
    if report.errors:
        verb = "checked" if report.dry_run else "nothing imported"
        print(f"{len(report.errors)} problem(s) in {report.rows} row(s); {verb}", file=sys.stderr)
        return 1
    if report.dry_run:
        print(f"{report.rows} {args.kind} row(s) are fine; nothing written (dry run)")
    else:
        print(f"imported {report.created} {args.kind}")
    return 0
