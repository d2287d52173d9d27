"""Who is calling, and what time it is: passed to every use case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from frontdesk.domain.access import ALL_SCOPES
from frontdesk.domain.errors import Forbidden

__all__ = ["ALL_SCOPES", "Clock", "Principal", "system_clock"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a use case. `actor` is the person or key (e.g. "user:12", "key:3", "stdio:demo");
    `client` the OAuth client acting for them, if any; `scopes` what the credential allows."""

    practice_id: int
    actor: str
    scopes: frozenset[str] = field(default=ALL_SCOPES)
    client: str | None = None

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"insufficient_scope: this credential lacks the {scope} scope")

    def require_any(self, *scopes: str) -> None:
        """One of `scopes` (the refusal names the first)."""
        if not any(s in self.scopes for s in scopes):
            raise Forbidden(f"insufficient_scope: this credential lacks the {scopes[0]} scope")


Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)
