"""The one error hierarchy. Adapters map these to MCP tool errors and HTTP statuses in one module each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FrontdeskError(Exception):
    """A business failure the caller can understand and act on.

    `message` is shown to the caller as is, so it must never carry internals or
    another patient's data. `field` names the input at fault, when there is one.
    """

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details: dict[str, Any] = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.details:
            out["details"] = self.details
        return out


class Invalid(FrontdeskError):
    """Input breaks a rule (format, range, limit). Nothing was changed."""

    code = "invalid"


class NotFound(FrontdeskError):
    """No such record in the caller's practice (records of other practices are never revealed)."""

    code = "not_found"


class Conflict(FrontdeskError):
    """The request collides with the current state (slot taken, hold expired, bad transition)."""

    code = "conflict"


class Ambiguous(FrontdeskError):
    """A name matched several records; `details["matches"]` lists them so the caller can choose."""

    code = "ambiguous"


class Declined(FrontdeskError):
    """The person was asked to agree to a destructive change and did not; nothing was changed."""

    code = "declined"


class Internal(FrontdeskError):
    """Something failed on our side. The message carries only an incident id, which the log also has."""

    code = "internal"


class Forbidden(FrontdeskError):
    """The caller's role or scopes do not allow this action."""

    code = "forbidden"


class Unauthenticated(FrontdeskError):
    """No valid credentials."""

    code = "unauthenticated"


class Unavailable(FrontdeskError):
    """A dependency (the database) is not answering; the request changed nothing and may be retried."""

    code = "unavailable"
