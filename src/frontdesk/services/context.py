"""Who is calling, and what time it is: passed to every use case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from frontdesk.domain.errors import Forbidden

# The scopes a practice secret key carries. The security issue narrows these per staff role and token.
ALL_SCOPES: frozenset[str] = frozenset(
    {"appointments:read", "appointments:write", "patients:read", "patients:write", "admin"}
)


@dataclass(frozen=True, slots=True)
class Principal:
    practice_id: int
    actor: str
    scopes: frozenset[str] = field(default=ALL_SCOPES)

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"this credential lacks the {scope} scope")


Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)
