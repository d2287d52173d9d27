"""The one place domain errors become HTTP statuses."""

from __future__ import annotations

from starlette.responses import JSONResponse

from frontdesk.domain.errors import (
    Ambiguous,
    Conflict,
    Forbidden,
    FrontdeskError,
    Invalid,
    NotFound,
    Unauthenticated,
    Unavailable,
)

STATUS: dict[type[FrontdeskError], int] = {
    Invalid: 400,
    Ambiguous: 409,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
}


def status_for(exc: FrontdeskError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_response(exc: FrontdeskError) -> JSONResponse:
    return JSONResponse({"error": exc.to_dict()}, status_code=status_for(exc))
