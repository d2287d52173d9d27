"""Turn driver failures into the domain's error hierarchy, in one place for storage."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from frontdesk.domain.errors import Conflict, FrontdeskError, Invalid, Unavailable

# SQLSTATEs: exclusion violation (the no-overlap constraint), unique violation, foreign key violation.
_EXCLUSION = "23P01"
_UNIQUE = "23505"
_FOREIGN_KEY = "23503"
# Serialization failure and deadlock: the caller may retry the whole transaction.
RETRYABLE = frozenset({"40001", "40P01"})


def sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code is None and orig is not None:
        code = getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return code if isinstance(code, str) else None


def translate(exc: DBAPIError) -> FrontdeskError:
    code = sqlstate(exc)
    if code in RETRYABLE:
        return Unavailable(
            "the database is busy with a conflicting change; nothing was changed, please retry",
            details={"retryable": True},
        )
    if code == _EXCLUSION:
        return Conflict("that time overlaps another appointment of this provider", field="starts_at")
    if isinstance(exc, IntegrityError):
        text = str(exc.orig).lower()
        if "idempotency_keys" in text:
            # A concurrent call claimed the same idempotency key first; the caller replays its result.
            return Conflict(
                "this request is already being processed", details={"idempotency_in_flight": True}
            )
        if "email_key" in text:
            # A concurrent call gave the same email to a new patient first: run again, and that
            # call's record is found (a client created twice at once is linked, not duplicated).
            return Conflict(
                "another patient was given this email address at the same moment; please retry",
                field="email",
                details={"retryable": True},
            )
        if code == _UNIQUE or "unique" in text:
            return Conflict("a record with the same unique value already exists")
        if code == _FOREIGN_KEY or "foreign key" in text:
            return Invalid("a referenced record does not exist in this practice")
        return Invalid("the change breaks a data rule and was not saved")
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        if "locked" in str(exc.orig).lower():
            return Unavailable("the database is busy; nothing was changed, please retry")
        return Unavailable("the database is not reachable right now; nothing was changed, please retry")
    return Unavailable("the database could not complete the request; nothing was changed")
