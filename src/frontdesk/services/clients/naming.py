"""Errors in a seed surface's own words: the services name Frontdesk's fields (first_name,
patient_id); a seed operation names its own (firstName, clientId). And MedCor's tenant_id, which
only the caller's own practice passes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from frontdesk.domain.errors import FrontdeskError, NotFound
from frontdesk.services.context import Principal


@asynccontextmanager
async def fields_as(names: Mapping[str, str]) -> AsyncIterator[None]:
    """Inside: a refusal's field and the field names in its message renamed (Frontdesk's -> the seed's)."""
    try:
        yield
    except FrontdeskError as exc:
        if exc.field is not None:
            exc.field = names.get(exc.field, exc.field)
        # Identifiers (first_name) anywhere; a plain word (phone) only where it leads, as the field.
        ids = [n for n in names if "_" in n]
        if ids:
            pattern = r"(?<!\w)(" + "|".join(map(re.escape, ids)) + r")(?!\w)"
            exc.message = re.sub(pattern, lambda m: names[m.group(1)], exc.message)
        lead = exc.message.split(" ", 1)[0]
        if lead in names:
            exc.message = names[lead] + exc.message[len(lead) :]
        raise


def tenant(p: Principal, tenant_id: int | None) -> None:
    """MedCor's tenant is the practice: the caller's own id, or none, is accepted; any other is not
    found (whether it exists is not the caller's business)."""
    if tenant_id is not None and tenant_id != p.practice_id:
        raise NotFound(f"no tenant with id {tenant_id}; leave tenant_id out for your own", field="tenant_id")
