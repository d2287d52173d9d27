"""Staff roles and token scopes: who may do what. One table, used by every adapter."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    PROVIDER = "provider"  # a clinician
    NURSE = "nurse"  # MedCor's nurse: patient care and appointments, reads the chart
    FRONT_DESK = "front_desk"
    BILLING = "billing"
    READ_ONLY = "read_only"


APPOINTMENTS_READ = "appointments:read"
APPOINTMENTS_WRITE = "appointments:write"
PATIENTS_READ = "patients:read"
PATIENTS_WRITE = "patients:write"
CLINICAL_READ = "clinical:read"
CLINICAL_WRITE = "clinical:write"
BILLING_READ = "billing:read"
BILLING_WRITE = "billing:write"
ADMIN = "admin"
# The only scope of a public caller (a patient or their agent, no account): the public booking flow.
# Never granted to staff credentials (not in ALL_SCOPES), so it reaches no staff use case either.
PUBLIC_BOOKING = "public:book"

ALL_SCOPES: frozenset[str] = frozenset(
    {
        APPOINTMENTS_READ,
        APPOINTMENTS_WRITE,
        PATIENTS_READ,
        PATIENTS_WRITE,
        CLINICAL_READ,
        CLINICAL_WRITE,
        BILLING_READ,
        BILLING_WRITE,
        ADMIN,
    }
)

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.OWNER: ALL_SCOPES,
    Role.ADMIN: ALL_SCOPES,
    Role.PROVIDER: frozenset(
        {APPOINTMENTS_READ, APPOINTMENTS_WRITE, PATIENTS_READ, PATIENTS_WRITE, CLINICAL_READ, CLINICAL_WRITE}
    ),
    Role.NURSE: frozenset(
        {APPOINTMENTS_READ, APPOINTMENTS_WRITE, PATIENTS_READ, PATIENTS_WRITE, CLINICAL_READ}
    ),
    Role.FRONT_DESK: frozenset({APPOINTMENTS_READ, APPOINTMENTS_WRITE, PATIENTS_READ, PATIENTS_WRITE}),
    Role.BILLING: frozenset({APPOINTMENTS_READ, PATIENTS_READ, BILLING_READ, BILLING_WRITE}),
    Role.READ_ONLY: frozenset({APPOINTMENTS_READ, PATIENTS_READ}),
}


def expand(scopes: frozenset[str] | set[str]) -> frozenset[str]:
    """`billing:*` style wildcards to the concrete scopes they stand for."""
    out: set[str] = set()
    for scope in scopes:
        if scope.endswith(":*"):
            prefix = scope[:-1]
            out.update(s for s in ALL_SCOPES if s.startswith(prefix))
        elif scope in ALL_SCOPES:
            out.add(scope)
    return frozenset(out)


def granted(role: Role, requested: frozenset[str] | set[str] | None) -> frozenset[str]:
    """A token's scopes: what was asked for (all of the role's when nothing was), never beyond the role."""
    allowed = ROLE_SCOPES[role]
    if not requested:
        return allowed
    return expand(requested) & allowed
