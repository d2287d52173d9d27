"""The organization as operations: its compact summary with the onboarding checklist, its profile,
and the practice settings (read by chapter or keys, changed all or nothing); practice_settings
groups the profile and settings under one tool for /mcp."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from frontdesk.domain import access
from frontdesk.domain import settings as catalogue
from frontdesk.services.operations import MANAGE, READ, UPDATE, Action, Call, Input, Operation, Result
from frontdesk.services.setup.organization import Profile
from frontdesk.services.setup.shapes import OrganizationOut, OrganizationSummary

SETUP_READ = (access.APPOINTMENTS_READ, access.ADMIN)
Chapter = Annotated[
    Literal[catalogue.CHAPTERS] | None,  # type: ignore[valid-type]
    Field(description="One chapter: " + ", ".join(catalogue.CHAPTERS)),
]
Keys = Annotated[
    str | None,
    Field(
        max_length=2000, description='Comma-separated keys, e.g. "policies.noShowMaxStrikes,basics.currency"'
    ),
]
SettingsMap = Annotated[
    dict[Annotated[str, Field(max_length=80)], Any],
    Field(max_length=100, description='Keys and values, e.g. {"policies.noShowMaxStrikes": 3}'),
]
Vertical = Annotated[
    str | None,
    Field(max_length=20, description="One of: " + ", ".join(catalogue.CATALOGUE["basics.vertical"].choices)),
]


def summary_text(s: OrganizationSummary) -> str:
    status = "ready to book" if s.onboarding_status.ready else "NOT ready to book"
    lines = [
        f"{s.name} ({s.timezone}, {s.currency}): {status}.",
        "Counts: " + ", ".join(f"{k} {v}" for k, v in s.counts.items()),
        "Locations: " + (", ".join(f"{x.id} {x.name}" for x in s.locations) or "none"),
        "Providers: " + ("; ".join(f"{x.id} {x.name} ({x.hours})" for x in s.providers) or "none"),
        "Services: "
        + ("; ".join(f"{x.id} {x.name} {x.minutes} min {x.price}" for x in s.services) or "none"),
    ]
    lines += [f"Missing: {m}" for m in s.onboarding_status.missing]
    return "\n".join(lines)


class NoInput(Input):
    pass


async def _summary(call: Call[NoInput]) -> Result:
    out = await call.app.setup.organization.summary(call.p)
    return Result(out, summary_text(out))


ORGANIZATION_SUMMARY = Operation(
    name="report_organization_summary",
    title="Organization Summary",
    description="Compact overview of the practice (about 500 tokens): locations, providers with their "
    "weekly hours, services with price and providers, key counts, and an onboarding_status checklist "
    "of what is configured and what is missing (location, provider, service, a provider for each "
    "service, weekly hours). Use it first to orient yourself; if onboarding_status.ready is false, do "
    "the missing steps before booking.",
    scopes=SETUP_READ,
    hints=READ,
    input=NoInput,
    output=OrganizationSummary,
    run=_summary,
)


class OrganizationIn(Input):
    name: Annotated[str | None, Field(max_length=200)] = None
    description: Annotated[str | None, Field(max_length=500)] = None
    logo_url: Annotated[str | None, Field(max_length=500, description="https address of the logo")] = None
    vertical: Vertical = None


def _profile(a: Any) -> Profile:
    return Profile(name=a.name, description=a.description, logo_url=a.logo_url, vertical=a.vertical)


async def _org_update(call: Call[OrganizationIn]) -> Result:
    out = await call.app.setup.organization.update(call.p, _profile(call.args))
    return Result(out, f"Organization: {out.name} ({out.vertical})")


ORGANIZATION_UPDATE = Operation(
    name="organization_update",
    title="Update Organization",
    description="Owners and admins: the practice's profile: name, description, logo URL or vertical "
    "(kind of practice). Only the fields given change.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=OrganizationIn,
    output=OrganizationOut,
    run=_org_update,
)


class SettingsOut(BaseModel):
    settings: dict[str, dict[str, Any]] = Field(description="{chapter: {key: value}}")


def _settings_text(data: dict[str, dict[str, Any]]) -> str:
    return "\n".join(f"{c}.{k} = {v!r}" for c, keys in data.items() for k, v in keys.items())


def _keys(text: str | None) -> list[str] | None:
    return [k for k in (text or "").split(",") if k.strip()] or None


class SettingsGetIn(Input):
    chapter: Chapter = None
    keys: Keys = None


async def _settings_get(call: Call[SettingsGetIn]) -> Result:
    a = call.args
    data = await call.app.setup.settings.get(call.p, chapter=a.chapter, keys=_keys(a.keys))
    return Result(SettingsOut(settings=data), _settings_text(data))


SETTINGS_GET = Operation(
    name="settings_get",
    title="Get Settings",
    description="The practice's settings by chapter (" + ", ".join(catalogue.CHAPTERS) + ") or by keys "
    '(comma-separated, e.g. "policies.noShowMaxStrikes,finances.clientPaymentTiming"); everything '
    "without either. A secret (the WhatsApp access token, app secret, verify token) shows only as "
    '"set" or "not set".',
    scopes=SETUP_READ,
    hints=READ,
    input=SettingsGetIn,
    output=SettingsOut,
    run=_settings_get,
)


class SettingsUpdateIn(Input):
    settings: SettingsMap


async def _settings_update(call: Call[SettingsUpdateIn]) -> Result:
    data = await call.app.setup.settings.update(call.p, call.args.settings)
    return Result(SettingsOut(settings=data), _settings_text(data))


SETTINGS_UPDATE = Operation(
    name="settings_update",
    title="Update Settings",
    description="Owners and admins: change some settings, given as an object of keys and values "
    '(e.g. {"policies.noShowMaxStrikes": 3, "finances.clientPaymentTiming": "BEFORE"}). Every value '
    "is checked first: if any key fails, nothing changes. Returns the affected chapters whole; see "
    "settings_get for the keys.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=SettingsUpdateIn,
    output=SettingsOut,
    run=_settings_update,
)


# --- practice_settings (/mcp) ---------------------------------------------------------------------


class PracticeSettingsIn(Input):
    action: Literal["get", "update", "update_organization"]
    chapter: Chapter = None
    keys: Keys = None
    settings: Annotated[SettingsMap | None, Field(description="(update) keys and values")] = None
    name: Annotated[str | None, Field(max_length=200)] = None
    description: Annotated[str | None, Field(max_length=500)] = None
    logo_url: Annotated[str | None, Field(max_length=500)] = None
    vertical: Vertical = None


class PracticeSettingsOut(BaseModel):
    action: str
    settings: dict[str, dict[str, Any]] | None = None
    organization: OrganizationOut | None = None


async def _ps_get(call: Call[PracticeSettingsIn]) -> Result:
    a = call.args
    data = await call.app.setup.settings.get(call.p, chapter=a.chapter, keys=_keys(a.keys))
    return Result(PracticeSettingsOut(action=a.action, settings=data), _settings_text(data))


async def _ps_update(call: Call[PracticeSettingsIn]) -> Result:
    data = await call.app.setup.settings.update(call.p, call.args.settings or {})
    return Result(PracticeSettingsOut(action="update", settings=data), _settings_text(data))


async def _ps_org(call: Call[PracticeSettingsIn]) -> Result:
    out = await call.app.setup.organization.update(call.p, _profile(call.args))
    return Result(
        PracticeSettingsOut(action="update_organization", organization=out), f"Organization: {out.name}"
    )


PRACTICE_SETTINGS = Operation(
    name="practice_settings",
    title="Practice settings",
    description="The practice's settings and profile. get: by chapter ("
    + ", ".join(catalogue.CHAPTERS)
    + ") or comma-separated keys (any staff). update (owners and admins): a settings object of keys "
    'and values, all checked first, all or nothing (a secret is written, never shown back: "set" '
    'or "not set"). update_organization: name, description, logo URL or vertical.',
    scopes=SETUP_READ,
    hints=MANAGE,
    input=PracticeSettingsIn,
    output=PracticeSettingsOut,
    actions={
        "get": Action("settings by chapter or keys (all without)", _ps_get, (), ("chapter", "keys")),
        "update": Action("change some settings, all or nothing", _ps_update, ("settings",)),
        "update_organization": Action(
            "the practice's profile", _ps_org, (), ("name", "description", "logo_url", "vertical")
        ),
    },
)
