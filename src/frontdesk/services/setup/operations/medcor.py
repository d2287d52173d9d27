"""MedCor's own shapes where they differ from Frontdesk's: a doctor given as first and last name
with a specialization, and a treatment's cost as a decimal amount in the practice's currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.currencies import plain
from frontdesk.services.operations import CREATE, UPDATE, Call, Id, Input, Operation, Result
from frontdesk.services.setup.catalogue import ServiceFields
from frontdesk.services.setup.operations.fields import TenantId, own_tenant
from frontdesk.services.setup.operations.providers import line
from frontdesk.services.setup.providers import ProviderFields
from frontdesk.services.setup.shapes import ProviderOut, ServiceOut

DEFAULT_MINUTES = 30  # MedCor's treatments carry no length: a new one books 30 minutes until changed
Cost = Annotated[float, Field(ge=0, le=1_000_000, description="Cost in the practice's currency, e.g. 150.00")]


def _price(cost: float | None) -> Decimal | None:
    """MedCor's cost in the practice's currency; the catalogue turns it into minor units."""
    return None if cost is None else Decimal(str(cost))


class CreateDoctorIn(Input):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    first_name: Annotated[str, Field(min_length=1, max_length=60)]
    last_name: Annotated[str, Field(min_length=1, max_length=59)]
    specialization: Annotated[str, Field(min_length=1, max_length=120)]
    tenant_id: TenantId = None


async def _create_doctor(call: Call[CreateDoctorIn]) -> Result:
    own_tenant(call)
    a = call.args
    f = ProviderFields(
        name=f"{a.first_name.strip()} {a.last_name.strip()}", email=a.email, specialty=a.specialization
    )
    row: ProviderOut = await call.app.setup.providers.create(call.p, f)
    return Result(row, "Created " + line(row))


CREATE_DOCTOR = Operation(
    name="create_doctor",
    title="Create doctor",
    description="Owners and admins: add a doctor (email, first and last name, specialization). Give "
    "them weekly appointment slots (create_appointment_slot) and treatments to make them bookable.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=CreateDoctorIn,
    output=ProviderOut,
    run=_create_doctor,
)


class CreateTreatmentIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=1000)]
    cost: Cost
    tenant_id: Annotated[TenantId, Field(description="Your tenant id (the practice)")]


async def _create_treatment(call: Call[CreateTreatmentIn]) -> Result:
    own_tenant(call)
    a = call.args
    f = ServiceFields(
        name=a.name,
        description=a.description,
        price=_price(a.cost),
        price_field="cost",
        duration_minutes=DEFAULT_MINUTES,
    )
    row: ServiceOut = await call.app.setup.catalogue.create(call.p, f)
    return Result(row, f"Created treatment {row.id}: {row.name}, {plain(row.price_cents, row.currency)}")


CREATE_TREATMENT = Operation(
    name="create_treatment",
    title="Create treatment",
    description=f"Owners and admins: add a treatment (name, description, cost). It lasts "
    f"{DEFAULT_MINUTES} minutes until changed; with exactly one active doctor it is assigned to them.",
    scopes=(access.ADMIN,),
    hints=CREATE,
    input=CreateTreatmentIn,
    output=ServiceOut,
    run=_create_treatment,
)


class UpdateTreatmentIn(Input):
    treatment_id: Annotated[Id, Field(description="Treatment id (from list_treatments)")]
    name: Annotated[str | None, Field(max_length=120)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    cost: Annotated[float | None, Field(ge=0, le=1_000_000, description="Cost, e.g. 150.00")] = None


async def _update_treatment(call: Call[UpdateTreatmentIn]) -> Result:
    a = call.args
    f = ServiceFields(name=a.name, description=a.description, price=_price(a.cost), price_field="cost")
    row: ServiceOut = await call.app.setup.catalogue.update(call.p, a.treatment_id, f, field="treatment_id")
    return Result(row, f"Updated treatment {row.id}: {row.name}, {plain(row.price_cents, row.currency)}")


UPDATE_TREATMENT = Operation(
    name="update_treatment",
    title="Update treatment",
    description="Owners and admins: change a treatment's name, description or cost; only the fields "
    "given change. A cost change is kept in the price history.",
    scopes=(access.ADMIN,),
    hints=UPDATE,
    input=UpdateTreatmentIn,
    output=ServiceOut,
    run=_update_treatment,
)
