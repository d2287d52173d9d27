"""The post-session question's page: /{slug}/feedback/{token}, linked from the follow-up email
(services/messaging/nps.py). GET shows the 0-10 question and a comment box (a plain form, no
JavaScript, no third-party assets); POST stores the answer once (services/messaging/feedback.py). A
second answer changes nothing and says it was answered already. CSRF as on the booking page (double
submit: a cookie matched against the form's field); the token lives only in the path, and no page
sends a Referer."""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import Declined, FrontdeskError, Invalid, NotFound
from frontdesk.http.booking_text import LANGS, NAMES, choose
from frontdesk.http.feedback_text import CATALOGUES
from frontdesk.http.pages import PAGE_HEADERS
from frontdesk.http.settings import HttpSettings
from frontdesk.services.messaging.feedback import COMMENT_MAX, FeedbackView

CSRF_COOKIE = "fd_feedback_csrf"
LANG_COOKIE = "fd_lang"  # the booking page's: one language choice per browser
HEADERS = PAGE_HEADERS | {"Referrer-Policy": "no-referrer"}
TOKEN_MAX = 200
_SANE_CSRF = re.compile(r"[A-Za-z0-9_-]{43}")

_templates = Environment(
    loader=PackageLoader("frontdesk.http", "templates"), autoescape=select_autoescape(["html"])
)


class FeedbackPages:
    def __init__(self, app: Frontdesk, settings: HttpSettings) -> None:
        self.feedback = app.feedback
        self.settings = settings

    def routes(self) -> list[Route]:
        return [Route("/{slug}/feedback/{token}", self.page, methods=["GET", "POST"])]

    async def page(self, request: Request) -> Response:
        page = _Page(self.settings, request)
        slug, token = request.path_params["slug"], request.path_params["token"][:TOKEN_MAX]
        ip = request.client.host if request.client else "unknown"
        try:
            if request.method == "GET":
                view = await self.feedback.view(slug, token, ip)
                return page.show(view)
            form = await request.form()
            if not page.csrf_ok(form.get("csrf")):
                return page.render("feedback_error.html", 400, message=page.t["expired_form"])
            score, comment = _field(form.get("score"), 2), _field(form.get("comment"), COMMENT_MAX + 1)
            try:
                done = await self.feedback.answer(slug, token, ip, score, comment)
            except Invalid as exc:
                view = await self.feedback.view(slug, token, ip)
                key = "comment_long" if exc.field == "comment" else "score_required"
                error = page.t[key].format(n=COMMENT_MAX)
                return page.show(view, 422, error=error, chosen=score, comment=comment)
            return page.show(done)
        except NotFound:
            return page.render("feedback_error.html", 404, message=page.t["not_found"])
        except Declined:
            return page.render("feedback_error.html", 429, message=page.t["too_many"])
        except FrontdeskError as exc:
            return page.render("feedback_error.html", 422, message=exc.message)


def _field(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


class _Page:
    """One request's language and rendering."""

    def __init__(self, settings: HttpSettings, request: Request) -> None:
        self.settings = settings
        self.request = request
        asked = request.query_params.get("lang")
        self.lang = choose(asked, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
        self.remember = asked in LANGS
        self.t = CATALOGUES[self.lang]

    def csrf_ok(self, field: Any) -> bool:
        cookie = self.request.cookies.get(CSRF_COOKIE, "")
        return bool(cookie) and isinstance(field, str) and hmac.compare_digest(cookie, field)

    def show(self, view: FeedbackView, status: int = 200, **values: Any) -> Response:
        local = view.starts_at.astimezone(ZoneInfo(view.timezone))
        when = (
            f"{format_date(local, 'long', locale=self.lang)}, {format_time(local, 'short', locale=self.lang)}"
        )
        values = {"chosen": "", "comment": ""} | values
        return self.render(
            "feedback.html",
            status,
            done=view.answered,
            again=view.answered and not view.just_answered,
            score=view.score,
            service=view.service,
            practice=view.practice,
            when=when,
            comment_max=COMMENT_MAX,
            **values,
        )

    def render(self, template: str, status: int, **values: Any) -> Response:
        kept = self.request.cookies.get(CSRF_COOKIE, "")
        csrf = kept if _SANE_CSRF.fullmatch(kept) else secrets.token_urlsafe(32)
        urls = {code: self.request.url.include_query_params(lang=code) for code in LANGS}
        langs = [(code, NAMES[code], f"{u.path}?{u.query}") for code, u in urls.items()]
        html = _templates.get_template(template).render(
            csrf=csrf, t=self.t, lang=self.lang, langs=langs, action=self.request.url.path, **values
        )
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        secure = self.settings.secure_cookies
        if csrf != kept:
            path = self.request.url.path
            response.set_cookie(CSRF_COOKIE, csrf, path=path, httponly=True, samesite="strict", secure=secure)
        if self.remember:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=31536000, samesite="lax", secure=secure)
        return response
