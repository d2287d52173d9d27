"""The booking page patients book on: /{slug}/book (the practice's default agenda) and
/{slug}/agenda/{agenda}, a flow of plain GET/POST forms that works without JavaScript (service, day and
time, details, review, confirm), and /{slug}/booking/{bookingToken}, the manage-my-booking page (see,
cancel, move). Every step calls the public booking service, the one /mcp/public uses: the same limits,
the same decision-coded audit (via="page").

The flow keeps no session: each step's choices ride in the form. Every POST carries a CSRF token
matched against its cookie (double submit). The booking token lives only in the manage link's path;
the server writes no access log (uvicorn's is off) and the pages send no Referer."""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Declined, FrontdeskError, NotFound
from frontdesk.http.booking_text import CATALOGUES, LANGS, NAMES, choose, refusal, refusal_key
from frontdesk.http.pages import PAGE_HEADERS
from frontdesk.http.settings import HttpSettings
from frontdesk.services.booking.choices import PROVIDER_FIRST, PublicChoices, PublicProvider
from frontdesk.services.booking.views import Identity, PublicContext, PublicRequest, PublicSlot

CHANGEABLE = ("pending_confirmation", "scheduled", "confirmed")  # as book_manage.html offers a move
CSRF_COOKIE = "fd_book_csrf"
LANG_COOKIE = "fd_lang"
DAYS_SHOWN = 14
ONE_DAY = timedelta(days=1)
FIELD_MAX = 200  # each text field; the service checks the rules, this only bounds the input
TOKEN_FIELDS = ("requester.", "authorization.")
# The manage link carries the booking token in its path: no page of the flow sends a Referer at all
# (these paths are not Origin-checked, so Chrome's `Origin: null` under no-referrer does no harm).
HEADERS = PAGE_HEADERS | {"Referrer-Policy": "no-referrer"}
_SANE_CSRF = re.compile(r"[A-Za-z0-9_-]{43}")

_templates = Environment(
    loader=PackageLoader("frontdesk.http", "templates"), autoescape=select_autoescape(["html"])
)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value[:FIELD_MAX].strip() if isinstance(value, str) else ""


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


class BookingPages:
    def __init__(self, app: Frontdesk, settings: HttpSettings) -> None:
        self.public = app.public_booking
        self.choices = PublicChoices(app.public_booking)
        self.clock = app.clock
        self.settings = settings

    def routes(self) -> list[Route]:
        return [
            Route("/{slug}/book", self.book, methods=["GET", "POST"]),
            Route("/{slug}/agenda/{agenda}", self.book, methods=["GET", "POST"]),
            Route("/{slug}/booking/{token}", self.manage, methods=["GET", "POST"]),
            Route("/{slug}/confirm/{token}", self.confirm_link, methods=["GET", "POST"]),
        ]

    # --- the booking flow -------------------------------------------------------------------------

    async def book(self, request: Request) -> Response:
        page = _Page(self, request)
        slug, agenda = request.path_params["slug"], request.path_params.get("agenda")
        try:
            if request.method == "GET":
                return await self._choose(page, slug, agenda)
            form = await request.form()
            if not page.csrf_ok(form):
                return page.render("book_error.html", 400, message=page.t["expired_form"])
            step = _text(form, "step")
            if step == "confirm":
                return await self._confirm(page, slug, form)
            if step == "create":
                return await self._create(page, slug, agenda, form)
            return page.review(_chosen(form), 200)
        except FrontdeskError as exc:
            return page.refused(exc, "no_practice")

    async def _choose(self, page: _Page, slug: str, agenda: str | None) -> Response:
        """The GET steps, in the agenda's order: provider (where picked first), service, day and time,
        details. Each step's choices so far ride in its query."""
        q = page.request.query_params
        flow = await self.choices.flow(page.ctx, slug, agenda)
        provider = next((x for x in flow.providers if str(x.id) == q.get("provider")), None)
        anyone = q.get("provider") == "any" and not flow.provider_required
        first = flow.order == PROVIDER_FIRST
        if first and provider is None and not anyone:
            return page.render(
                "book_provider.html", 200, providers=flow.providers, optional=not flow.provider_required
            )
        keep = {"provider": str(provider.id) if provider else "any"} if first else {}
        services = [x for x in flow.services if provider is None or x.id in provider.service_ids]
        asked = flow.asks_service(len(services))
        chosen = next((x for x in services if x.id == _int(q.get("service", ""))), None)
        if chosen is None and not asked and services:
            chosen = services[0]
        if chosen is None:
            back = page.request.url.path if first else None
            return page.render("book_service.html", 200, services=services, keep=keep, back=back)
        shown = {"service": chosen, "show_service": flow.names_service, "keep": keep}
        slot = q.get("slot", "")[:FIELD_MAX]
        if slot:
            back = _url(page, keep | {"service": str(chosen.id)})
            when = page.slot_when(slot)
            return page.render("book_identity.html", 200, slot=slot, when=when, back=back, **shown)
        return await self._times(page, slug, agenda, provider, shown, _url(page, keep) if asked else None)

    async def _times(
        self,
        page: _Page,
        slug: str,
        agenda: str | None,
        provider: PublicProvider | None,
        shown: dict[str, Any],
        back: str | None,
    ) -> Response:
        q = page.request.query_params
        day = _day(q.get("day", ""))
        # A day without offset is in each location's own zone (the service's rule for times).
        start = f"{day.isoformat()}T00:00" if day else None
        end = f"{(day + ONE_DAY).isoformat()}T00:00" if day else None
        found = await self.public.slots(
            page.ctx,
            slug,
            agenda,
            service_id=shown["service"].id,
            provider_id=provider.id if provider else None,  # that provider's own earliest times
            start=start,
            end=end,
            limit=60,
        )
        zone = ZoneInfo(found[0].timezone) if found else UTC
        today = self.clock().astimezone(zone).date()
        picks = [(d.isoformat(), format_date(d, "full", locale=page.lang)) for d in _week(today)]
        return page.render(
            "book_time.html",
            200,
            days=page.days(found),
            picks=picks,
            day=q.get("day", ""),
            back=back or page.request.url.path,
            **shown,
        )

    async def _create(self, page: _Page, slug: str, agenda: str | None, form: Mapping[str, Any]) -> Response:
        chosen = _chosen(form)
        service_id = _int(chosen["service"])
        start, provider = _slot(chosen["slot"])
        req = PublicRequest(
            service_id=service_id or 0,
            starts_at=start,
            identity=Identity(chosen["full_name"], chosen["email"] or None, chosen["phone"] or None),
            channel="web",
            agent_assisted=False,
            human_intent=form.get("intent") == "yes",
            provider_id=_int(provider),
            language=page.lang,  # a confirmation link is sent in the page's language
        )
        try:
            made = await self.public.create(page.ctx, slug, req, agenda_slug=agenda)
        except FrontdeskError as exc:
            if isinstance(exc, Declined) and exc.details.get("decision") == "rate_limited":
                raise
            if (exc.field or "").startswith(TOKEN_FIELDS) or exc.field == "requester":
                return page.review(chosen, 422, error=refusal(exc, page.lang, chosen))
            if refusal_key(exc) == "slot_taken":  # back to the same service's times
                back = _url(page, _trail(chosen) | {"service": chosen["service"]})
                return page.render("book_error.html", 409, message=refusal(exc, page.lang), back=back)
            raise
        return page.render(
            "book_pending.html",
            201,
            made=made,
            b=page.view(made.booking),
            confirm_action=page.request.url.path,
            manage_link=f"/{slug}/booking/{made.booking_token}",
        )

    async def _confirm(self, page: _Page, slug: str, form: Mapping[str, Any]) -> Response:
        try:
            booked = await self.public.confirm(page.ctx, slug, _text(form, "confirmation"))
        except NotFound:
            return page.render("book_error.html", 404, message=page.t["not_found"])
        link = f"/{slug}/booking/{_text(form, 'booking')}"
        return page.render("book_confirmed.html", 200, b=page.view(booked), link=link)

    async def confirm_link(self, request: Request) -> Response:
        """The link a confirmation message carries: GET shows a button (a mail scanner following the
        link confirms nothing), its POST confirms."""
        page = _Page(self, request)
        slug, token = request.path_params["slug"], request.path_params["token"][:FIELD_MAX]
        if request.method == "GET":
            return page.render("book_link.html", 200)
        form = await request.form()
        if not page.csrf_ok(form):
            return page.render("book_error.html", 400, message=page.t["expired_form"])
        try:
            booked = await self.public.confirm(page.ctx, slug, token)
        except FrontdeskError as exc:
            return page.refused(exc, "no_practice")
        return page.render("book_confirmed.html", 200, b=page.view(booked), link=None)

    # --- manage my booking ------------------------------------------------------------------------

    async def manage(self, request: Request) -> Response:
        page = _Page(self, request)
        slug, token = request.path_params["slug"], request.path_params["token"][:FIELD_MAX]
        link = f"/{slug}/booking/{token}"
        try:
            if request.method == "POST":
                form = await request.form()
                if not page.csrf_ok(form):
                    return page.render("book_error.html", 400, message=page.t["expired_form"])
                if _text(form, "action") == "cancel":
                    gone = await self.public.cancel(page.ctx, slug, token)
                    return page.render("book_manage.html", 200, b=page.view(gone), link=link, done=True)
                start, _ = _slot(_text(form, "slot"))
                moved = await self.public.reschedule(page.ctx, slug, token, start)
                return page.render(
                    "book_pending.html",
                    201,
                    made=moved,
                    b=page.view(moved.booking),
                    confirm_action=f"/{slug}/book",
                    manage_link=f"/{slug}/booking/{moved.booking_token}",
                )
            booking = await self.public.get(page.ctx, slug, token)
            days = None
            if request.query_params.get("move") and booking.status in CHANGEABLE:
                # Through the booking's own agenda: its service's times, its provider's where shown.
                days = page.days(await self.public.move_slots(page.ctx, slug, token, limit=60))
            return page.render("book_manage.html", 200, b=page.view(booking), link=link, days=days)
        except FrontdeskError as exc:
            return page.refused(exc, "not_found")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _week(today: date) -> list[date]:
    """The days offered in the day picker: today and the DAYS_SHOWN - 1 after it."""
    return [today + timedelta(days=n) for n in range(DAYS_SHOWN)]


def _slot(value: str) -> tuple[str, str]:
    """A time's radio value: its UTC start, its provider (where shown) and its zone, "|"-joined."""
    start, _, rest = value.partition("|")
    return start, rest.partition("|")[0]


def _chosen(form: Mapping[str, Any]) -> dict[str, str]:
    return {k: _text(form, k) for k in ("service", "provider", "slot", "full_name", "email", "phone")}


def _trail(chosen: Mapping[str, str]) -> dict[str, str]:
    """The provider picked first (or "any"), where the flow picked one, to lead back with."""
    return {"provider": chosen["provider"]} if chosen.get("provider") else {}


def _url(page: _Page, query: Mapping[str, str]) -> str:
    path = page.request.url.path
    return f"{path}?{urlencode(query)}" if query else path


class _Page:
    """One request's language, context and rendering."""

    def __init__(self, pages: BookingPages, request: Request) -> None:
        self.request = request
        self.settings = pages.settings
        asked = request.query_params.get("lang")
        self.lang = choose(asked, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
        self.remember = asked in LANGS
        self.t = CATALOGUES[self.lang]
        self.ctx = PublicContext(request.client.host if request.client else "unknown", via="page")

    def review(self, chosen: dict[str, str], status: int, error: str | None = None) -> Response:
        when = self.slot_when(chosen["slot"])
        back = _url(self, _trail(chosen) | {"service": chosen["service"]})  # back to the times
        return self.render(
            "book_review.html", status, error=error, when=when, values=chosen, back=back, **chosen
        )

    def csrf_ok(self, form: Mapping[str, Any]) -> bool:
        cookie = self.request.cookies.get(CSRF_COOKIE, "")
        field = form.get("csrf")
        return bool(cookie) and isinstance(field, str) and hmac.compare_digest(cookie, field)

    def slot_when(self, slot: str) -> str:
        start, _, rest = slot.partition("|")
        try:
            return self.when(datetime.fromisoformat(start), rest.partition("|")[2])
        except (ValueError, KeyError):  # a hand-made value: the service refuses it at booking
            return start

    def when(self, start: datetime, tz: str) -> str:
        local = start.astimezone(ZoneInfo(tz)) if tz else start
        day = format_date(local, "full", locale=self.lang)
        return f"{day}, {format_time(local, 'short', locale=self.lang)}"

    def days(self, slots: list[PublicSlot]) -> list[tuple[str, list[dict[str, Any]]]]:
        """The free times grouped by local day, each with its radio value, label and zone."""
        out: dict[str, list[dict[str, Any]]] = {}
        for x in slots:
            local = x.start.astimezone(ZoneInfo(x.timezone))
            label = format_time(local, "short", locale=self.lang)
            if x.provider_name:
                label += " " + self.t["with"].format(name=x.provider_name)
            value = f"{x.start.isoformat()}|{x.provider_id or ''}|{x.timezone}"
            out.setdefault(format_date(local, "full", locale=self.lang), []).append(
                {"value": value, "label": label, "tz": x.timezone, "where": x.location_name}
            )
        return list(out.items())

    def view(self, b: Any) -> dict[str, Any]:
        return {
            "status": self.t.get(f"status_{b.status}", b.status),
            "raw_status": b.status,
            "when": self.when(b.starts_at, b.timezone),
            "timezone": b.timezone,
            "service": b.service_name,
            "where": b.location_name,
            "provider": b.provider_name,
            "name": b.full_name,
            "confirm_by": self.when(b.confirm_by, b.timezone) if b.confirm_by else None,
            "penalty": b.penalty_cents,
            "penalty_currency": b.penalty_currency,
        }

    def refused(self, exc: FrontdeskError, missing: str) -> Response:
        """The refusal in the visitor's language (never the service's own words)."""
        if isinstance(exc, Declined) and exc.details.get("decision") == "rate_limited":
            response = self.render("book_error.html", 429, message=refusal(exc, self.lang))
            response.headers["Retry-After"] = str(int(exc.details.get("retryAfterSeconds") or 60))
            return response
        if isinstance(exc, NotFound) and exc.field in ("bookingToken", "confirmationToken"):
            return self.render("book_error.html", 404, message=self.t["not_found"])
        if isinstance(exc, NotFound) and exc.field in ("orgSlug", "agendaSlug"):
            return self.render("book_error.html", 404, message=self.t[missing])
        return self.render("book_error.html", 422, message=refusal(exc, self.lang))

    def render(self, template: str, status: int, **values: Any) -> Response:
        # One CSRF value per browser, kept while its cookie lives: the back button and a second tab
        # still post forms that work.
        kept = self.request.cookies.get(CSRF_COOKIE, "")
        csrf = kept if _SANE_CSRF.fullmatch(kept) else secrets.token_urlsafe(32)
        path = self.request.url.path
        # The switch keeps the step the visitor is on (its query), only the language changes.
        urls = {code: self.request.url.include_query_params(lang=code) for code in LANGS}
        langs = [(code, NAMES[code], f"{u.path}?{u.query}") for code, u in urls.items()]
        html = _templates.get_template(template).render(
            csrf=csrf, t=self.t, lang=self.lang, langs=langs, action=path, **values
        )
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        secure = self.settings.secure_cookies
        if csrf != kept:
            response.set_cookie(CSRF_COOKIE, csrf, path="/", httponly=True, samesite="strict", secure=secure)
        if self.remember:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=31536000, samesite="lax", secure=secure)
        return response
