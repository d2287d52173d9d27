"""GET /calendar/{token}.ics: a provider's private calendar feed (services/scheduling/feeds.py), for
Google, Apple and Outlook calendars to subscribe to. Conditional requests are answered 304 (ETag,
Last-Modified); any token that reaches no feed is a bare 404 (nothing tells a revoked one from a wrong
one). The token is the whole credential: no cookie, no Referer sent on, no caching by intermediaries."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Declined, NotFound
from frontdesk.services.scheduling.feeds import FeedDocument

HEADERS = {
    "Cache-Control": "private, no-cache",  # calendars revalidate (304); shared caches keep nothing
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
RETRY_SECONDS = 60


def _not_modified(request: Request, doc: FeedDocument) -> bool:
    tags = request.headers.get("if-none-match")
    if tags is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        given = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in given or doc.etag in given
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when: datetime = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return when.tzinfo is not None and doc.last_modified.replace(microsecond=0) <= when


class CalendarFeedRoute:
    def __init__(self, app: Frontdesk) -> None:
        self.feeds = app.calendar_feeds

    def routes(self) -> list[Route]:
        return [Route("/calendar/{token}.ics", self.feed, methods=["GET"])]

    async def feed(self, request: Request) -> Response:
        token = request.path_params["token"]
        ip = request.client.host if request.client else "unknown"
        try:
            doc = await self.feeds.fetch(token, ip)
        except NotFound:
            return PlainTextResponse("Not Found", status_code=404, headers=HEADERS)
        except Declined:
            headers = HEADERS | {"Retry-After": str(RETRY_SECONDS)}
            return PlainTextResponse("Too Many Requests", status_code=429, headers=headers)
        headers = HEADERS | {
            "ETag": doc.etag,
            "Last-Modified": format_datetime(doc.last_modified.replace(microsecond=0), usegmt=True),
        }
        if _not_modified(request, doc):
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
        return Response(doc.body, media_type="text/calendar; charset=utf-8", headers=headers)
