"""The fields the setup operations share, each with its rule, declared once; and MedCor's tenant_id."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.domain.errors import NotFound
from frontdesk.domain.validation import NAME_MAX
from frontdesk.services.operations import Call, OptionalId

Name = Annotated[str | None, Field(max_length=NAME_MAX)]
Place = Annotated[str | None, Field(max_length=100)]
Url = Annotated[str | None, Field(max_length=500, description="http(s) address")]
Minutes = Annotated[int | None, Field(ge=0, le=720)]
Flag = Annotated[bool | None, Field()]
Time = Annotated[str, Field(min_length=4, max_length=5, description="HH:MM")]
OptionalTime = Annotated[str | None, Field(min_length=4, max_length=5, description="HH:MM")]
Day = Annotated[str | None, Field(max_length=10, description="YYYY-MM-DD")]
Moment = Annotated[str | None, Field(max_length=40, description="ISO 8601")]

ProviderId = Annotated[OptionalId, Field(description="Provider id (from admin_list_providers)")]
ServiceId = Annotated[OptionalId, Field(description="Service id (from service_list)")]
LocationId = Annotated[
    OptionalId, Field(description="Location (datebook) id; optional when the practice has one location")
]
ProviderIds = Annotated[
    list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None,
    Field(max_length=100, description="Providers who deliver it"),
]
Areas = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
    Field(max_length=50, description="Coverage areas (neighbourhoods, towns) the provider serves"),
]
PriceCents = Annotated[
    int | None, Field(ge=0, le=100_000_000, description="Price in minor units (cents) of currency")
]
Currency = Annotated[str | None, Field(min_length=3, max_length=3, description="ISO 4217, e.g. USD")]
Search = Annotated[str | None, Field(max_length=NAME_MAX, description="Words to look for")]
TenantId = Annotated[
    OptionalId, Field(description="Your tenant id (the practice); another tenant's is not found")
]


class BlockIn(BaseModel):
    """A weekly block: a day name and HH:MM times in the location's time zone."""

    model_config = ConfigDict(extra="forbid")
    day: Annotated[str, Field(min_length=3, max_length=9, description="monday .. sunday")]
    start: Time
    end: Time


Blocks = Annotated[list[BlockIn] | None, Field(max_length=50)]


def own_tenant(call: Call[Any]) -> None:
    """MedCor's tenant_id names the practice: anything but the caller's own is not found."""
    tenant = getattr(call.args, "tenant_id", None)
    if tenant is not None and tenant != call.p.practice_id:
        raise NotFound(f"no tenant with id {tenant}", field="tenant_id")
