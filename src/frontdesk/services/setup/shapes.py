"""What the setup use cases return (also the tools' outputs): locations, providers, services,
weekly schedules and their exceptions, the organization summary, an import's report."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LocationOut(BaseModel):
    id: int
    name: str
    timezone: str
    address: str | None = None
    city: str | None = None
    state: str | None = None
    active: bool


class ProviderOut(BaseModel):
    id: int
    uid: str
    name: str
    specialty: str
    email: str | None = None
    phone: str | None = None
    active: bool
    commission_percent: int | None = None
    image_url: str | None = None
    city: str | None = None
    state: str | None = None
    coverage_areas: list[str] = Field(default_factory=list)
    service_ids: list[int] = Field(default_factory=list, description="Services this provider delivers")
    has_hours: bool = Field(default=False, description="Whether a weekly schedule is set")


class PriceOut(BaseModel):
    price_cents: int
    currency: str
    previous_cents: int | None = None
    previous_currency: str | None = None
    changed_at: str = Field(description="ISO 8601, UTC")
    changed_by: str


class ServiceOut(BaseModel):
    id: int
    name: str
    category: str | None = None
    description: str | None = None
    duration_minutes: int
    price_cents: int = Field(description="Price in minor units (cents) of `currency`")
    currency: str = Field(description="ISO 4217")
    buffer_before_minutes: int
    buffer_after_minutes: int
    active: bool
    discoverable: bool
    provider_ids: list[int] = Field(default_factory=list, description="Providers who deliver it")
    bookable: bool = Field(description="Active and delivered by at least one provider")
    price_history: list[PriceOut] | None = None


class BlockOut(BaseModel):
    day: str = Field(description="monday .. sunday")
    start: str = Field(description="HH:MM in the location's time zone")
    end: str


class LocationWeek(BaseModel):
    location_id: int
    location_name: str
    timezone: str
    blocks: list[BlockOut]
    breaks: list[BlockOut]


class ExceptionOut(BaseModel):
    id: str = Field(description="e.g. timeoff:3, override:5, closure:7 (for remove_exception)")
    kind: str = Field(description="time_off, override (one provider) or closure (practice-wide)")
    provider_id: int | None = None
    location_id: int | None = None
    day: str | None = Field(default=None, description="YYYY-MM-DD (override, closure)")
    start: str | None = Field(default=None, description="ISO 8601 (time off) or HH:MM (override, closure)")
    end: str | None = None
    closed: bool = Field(description="True: closed then; False: open only between start and end")
    reason: str | None = None


class ScheduleOut(BaseModel):
    provider_id: int | None = None
    provider_name: str | None = None
    locations: list[LocationWeek] = Field(default_factory=list)
    exceptions: list[ExceptionOut] = Field(default_factory=list)


class Step(BaseModel):
    step: str
    done: bool
    detail: str | None = None


class Onboarding(BaseModel):
    ready: bool = Field(description="True when a booking can be made")
    steps: list[Step]
    missing: list[str] = Field(description="What to do before anyone can book")


class SummaryProvider(BaseModel):
    id: int
    name: str
    specialty: str
    active: bool
    services: int
    hours: str = Field(description="Weekly hours in brief, e.g. 'Mon-Fri 09:00-17:00'")


class SummaryService(BaseModel):
    id: int
    name: str
    minutes: int
    price: str
    providers: list[int]
    active: bool


class SummaryLocation(BaseModel):
    id: int
    name: str
    timezone: str


class OrganizationSummary(BaseModel):
    name: str
    timezone: str
    vertical: str
    currency: str
    description: str | None = None
    logo_url: str | None = None
    locations: list[SummaryLocation]
    providers: list[SummaryProvider]
    services: list[SummaryService]
    counts: dict[str, int]
    truncated: bool = Field(description="True when a list was cut (the counts are complete)")
    onboarding_status: Onboarding


class OrganizationOut(BaseModel):
    name: str
    description: str
    logo_url: str
    vertical: str
    timezone: str


class StaffOut(BaseModel):
    id: int
    name: str
    email: str
    role: str


class RowError(BaseModel):
    line: int = Field(description="Line of the file (the header is line 1)")
    field: str
    message: str


class ImportReport(BaseModel):
    kind: str
    dry_run: bool
    rows: int
    created: int
    errors: list[RowError]
