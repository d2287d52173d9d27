"""Importing providers, services or patients from a spreadsheet (CSV rows, read by the CLI): every
row is checked first and every bad one reported with its line and field; a dry run writes nothing,
and a real run writes every row or, if any row is bad, none."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access, validation
from frontdesk.domain.errors import FrontdeskError, Invalid
from frontdesk.domain.imports import KINDS
from frontdesk.domain.text import fold
from frontdesk.domain.timeparse import parse_date
from frontdesk.services import audit, currencies
from frontdesk.services.admin.settings import values
from frontdesk.services.context import Principal
from frontdesk.services.patients import create_patient
from frontdesk.services.setup import catalogue, providers, rules
from frontdesk.services.setup.shapes import ImportReport, RowError
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import setup as repo

ROWS_MAX = 5000
Row = tuple[int, Mapping[str, str]]  # (line in the file, column -> text)


@dataclass
class Checked:
    """A row's values ready to write, or the errors found in it."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def take(self, name: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """`check(*args, **kwargs)` kept under `name`, or its refusal kept as this row's error."""
        try:
            self.values[name] = check(*args, **kwargs)
        except FrontdeskError as exc:
            self.errors.append(RowError(line=self.line, field=exc.field or name, message=exc.message))

    def fail(self, name: str, message: str) -> None:
        self.errors.append(RowError(line=self.line, field=name, message=message))


def _get(row: Mapping[str, str], name: str) -> str:
    return (row.get(name) or "").strip()


def _int(text: str, name: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"{name} must be a whole number", field=name) from None


def _bool(text: str, name: str) -> bool | None:
    if not text:
        return None
    low = text.lower()
    if low in ("1", "true", "yes", "y", "si", "sí"):
        return True
    if low in ("0", "false", "no", "n"):
        return False
    raise Invalid(f"{name} must be true or false", field=name)


def _cents(row: Mapping[str, str], default_currency: str) -> int | None:
    """price_cents as given, or `price` in the currency's own units ("95.50" USD -> 9550, "25000" CLP ->
    25000), in the row's currency or else the practice's."""
    if _get(row, "price_cents"):
        return _int(_get(row, "price_cents"), "price_cents")
    text = _get(row, "price").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid("price must be a number such as 95.50", field="price") from None
    if value < 0:
        raise Invalid("price must be a positive amount", field="price")
    code = rules.currency(_get(row, "currency") or default_currency)
    return currencies.to_minor(value, code, field="price")


def _commission(text: str) -> int | None:
    return rules.percent(_int(text, "commission_percent"))


def _optional_name(text: str) -> str:
    return validation.required_text(text, field="last_name") if text else ""


def _day(text: str) -> Any:
    return parse_date(text, field="date_of_birth") if text else None


def _list(text: str) -> list[str]:
    return [t.strip() for t in text.split(";") if t.strip()]


# --- checking each kind ------------------------------------------------------------------------


async def _check_providers(s: AsyncSession, p: Principal, rows: Sequence[Row]) -> list[Checked]:
    seen: set[str] = set()
    out = []
    for line, row in rows:
        c = Checked(line)
        f = providers.ProviderFields(
            name=_get(row, "name"),
            uid=_get(row, "uid") or None,
            email=_get(row, "email") or None,
            phone=_get(row, "phone") or None,
            specialty=_get(row, "specialty") or "General",
            city=_get(row, "city") or None,
            state=_get(row, "state") or None,
            image_url=_get(row, "image_url") or None,
            coverage_areas=_list(_get(row, "coverage_areas")) or None,
        )
        c.take("commission_percent", _commission, _get(row, "commission_percent"))
        c.take("active", _bool, _get(row, "active"), "active")
        # Each field alone, so a row reports every bad field it has.
        for name in (
            "name",
            "uid",
            "email",
            "phone",
            "specialty",
            "city",
            "state",
            "image_url",
            "coverage_areas",
        ):
            only = providers.ProviderFields(**{name: getattr(f, name)})
            c.take("_", providers.apply_fields, m.Provider(), only)
        if f.name and fold(f.name) in seen:
            c.fail("name", f"{f.name!r} appears twice in the file")
        seen.add(fold(f.name or ""))
        if f.uid and await dir_repo.provider_by_uid(s, p.practice_id, f.uid) is not None:
            c.fail("uid", "another provider already has that uid")
        c.values["fields"] = f
        out.append(c)
    return out


async def _check_services(s: AsyncSession, p: Principal, rows: Sequence[Row]) -> list[Checked]:
    staff = await dir_repo.providers(s, p.practice_id, active_only=False)
    by_key = {fold(x.name): x.id for x in staff} | {x.uid.lower(): x.id for x in staff}
    seen: set[str] = set()
    out = []
    default_currency = str((await values(s, p.practice_id))["basics.currency"])
    for line, row in rows:
        c = Checked(line)
        for name in ("duration_minutes", "buffer_before_minutes", "buffer_after_minutes"):
            c.take(name, _int, _get(row, name), name)
        for name in ("active", "discoverable"):
            c.take(name, _bool, _get(row, name), name)
        c.take("price_cents", _cents, row, default_currency)
        name = _get(row, "name")
        if not name:
            c.fail("name", "name must not be empty")
        elif fold(name) in seen:
            c.fail("name", f"{name!r} appears twice in the file")
        elif await repo.service_by_name(s, p.practice_id, name) is not None:
            c.fail("name", f"a service named {name!r} already exists")
        seen.add(fold(name))
        if c.values.get("duration_minutes") is None and not any(
            e.field == "duration_minutes" for e in c.errors
        ):
            c.fail("duration_minutes", "duration_minutes is required")
        ids = []
        for ref in _list(_get(row, "providers")):
            pid = by_key.get(fold(ref)) or by_key.get(ref.lower())
            if pid is None:
                c.fail("providers", f"no provider named {ref!r} (or with that uid)")
            else:
                ids.append(pid)
        f = catalogue.ServiceFields(
            name=name,
            category=_get(row, "category") or None,
            description=_get(row, "description") or None,
            currency=_get(row, "currency") or None,
            **{
                k: c.values.get(k)
                for k in (
                    "duration_minutes",
                    "price_cents",
                    "buffer_before_minutes",
                    "buffer_after_minutes",
                    "active",
                    "discoverable",
                )
            },
        )
        if not c.errors:
            c.take("_", catalogue.apply_fields, m.Service(), f)
        c.values["fields"], c.values["providers"] = f, ids
        out.append(c)
    return out


async def _check_patients(s: AsyncSession, p: Principal, rows: Sequence[Row]) -> list[Checked]:
    out = []
    for line, row in rows:
        c = Checked(line)
        first, last = _get(row, "first_name"), _get(row, "last_name")
        if not first and _get(row, "name"):
            c.take("name", validation.split_name, _get(row, "name"), field="name")
            first, last = c.values.pop("name", ("", ""))
        c.take("first_name", validation.required_text, first, field="first_name")
        c.take("last_name", _optional_name, last)
        c.take("phone", validation.phone, _get(row, "phone"), field="phone")
        c.take("email", validation.email, _get(row, "email"), field="email")
        dob = _get(row, "date_of_birth")
        c.take("date_of_birth", _day, dob)
        out.append(c)
    return out


Checker = Callable[[AsyncSession, Principal, Sequence[Row]], Awaitable[list[Checked]]]
CHECKS: dict[str, Checker] = {
    "providers": _check_providers,
    "services": _check_services,
    "patients": _check_patients,
}


async def _write(s: AsyncSession, p: Principal, now: datetime, kind: str, rows: list[Checked]) -> None:
    for c in rows:
        v = c.values
        if kind == "providers":
            f = v["fields"]
            extra = {k: v[k] for k in ("commission_percent", "active") if v.get(k) is not None}
            await providers.add_provider(s, p, now, replace(f, **extra))
        elif kind == "services":
            await catalogue.add_service(s, p, now, v["fields"], v["providers"] or None)
        else:
            row = await create_patient(
                s,
                p,
                now,
                first_name=v["first_name"],
                last_name=v["last_name"],
                phone=v["phone"],
                email=v["email"],
            )
            row.date_of_birth = v["date_of_birth"]


class ImportService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=(access.ADMIN,), write=access.ADMIN)

    async def run(self, p: Principal, kind: str, rows: Sequence[Row], *, dry_run: bool) -> ImportReport:
        if kind not in KINDS:
            raise Invalid(f"kind must be one of: {', '.join(KINDS)}", field="kind")
        if len(rows) > ROWS_MAX:
            raise Invalid(f"at most {ROWS_MAX} rows per import", field="rows")
        check = CHECKS[kind]

        def report(checked: list[Checked], created: int) -> ImportReport:
            errors = [e for c in checked for e in c.errors]
            return ImportReport(kind=kind, dry_run=dry_run, rows=len(rows), created=created, errors=errors)

        if dry_run:

            async def look(s: AsyncSession, now: datetime) -> ImportReport:
                return report(await check(s, p, rows), 0)

            return await self.uc.read(p, f"import.{kind}.check", kind, None, look)

        async def body(s: AsyncSession, now: datetime) -> ImportReport:
            checked = await check(s, p, rows)
            if any(c.errors for c in checked):
                return report(checked, 0)  # all or nothing: nothing was written
            await _write(s, p, now, kind, checked)
            await audit.record(s, p, now, f"import.{kind}", kind, None, detail=f"{len(checked)} rows")
            return report(checked, len(checked))

        return await self.uc.write(p, f"import.{kind}", kind, None, body, ImportReport)
