"""The steps of `frontdesk setup ...` and `frontdesk import ...` (cli/setup.py has the parser)."""

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
from frontdesk.services.setup.importer import ROWS_MAX
from frontdesk.services.setup.locations import LocationFields
from frontdesk.services.setup.operations.practice import summary_text
from frontdesk.services.setup.providers import ProviderFields
from frontdesk.services.setup.schedules import Block

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk
    from frontdesk.services.setup import Setup

ACTOR = "cli:setup"


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
