"""The authorize step as a person sees it: sign in (practice, email, password, one-time code), then
approve or deny the client's request. /authorize (the SDK's handler) validates the request and sends
the browser here; every form post re-validates it, so nothing in a hidden field is trusted."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from mcp.server.auth.handlers.authorize import AuthorizationRequest
from mcp.server.auth.provider import construct_redirect_uri
from mcp.shared.auth import InvalidRedirectUriError
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from frontdesk.domain import access
from frontdesk.domain.errors import Forbidden
from frontdesk.http.provider import FrontdeskClient, FrontdeskProvider
from frontdesk.http.settings import HttpSettings
from frontdesk.services.oauth import AuthRequest
from frontdesk.services.staff import SignInRefused

SIGNIN_PATH = "/oauth/signin"
CONSENT_PATH = "/oauth/consent"
CSRF_COOKIE = "fd_csrf"
REQUEST_FIELDS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "code_challenge",
    "code_challenge_method",
    "state",
    "scope",
    "resource",
)
SCOPE_TEXT = {
    access.APPOINTMENTS_READ: "see datebooks, doctors, services, free times and appointments",
    access.APPOINTMENTS_WRITE: "book, hold, move, confirm and cancel appointments",
    access.PATIENTS_READ: "look up patients by name or id",
    access.PATIENTS_WRITE: "add patients and change their contact details",
    access.CLINICAL_READ: "read clinical notes",
    access.CLINICAL_WRITE: "write clinical notes",
    access.BILLING_READ: "see invoices and payments",
    access.BILLING_WRITE: "create invoices and record payments",
    access.ADMIN: "administer the practice (audit trail, settings)",
}
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make Chrome post `Origin: null`
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
    "base-uri 'none'",
}

_templates = Environment(
    loader=PackageLoader("frontdesk.http", "templates"), autoescape=select_autoescape(["html"])
)


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Pages:
    def __init__(self, provider: FrontdeskProvider, settings: HttpSettings) -> None:
        self.provider = provider
        self.settings = settings
        self.app = provider.app

    def routes(self) -> list[Route]:
        return [
            Route(SIGNIN_PATH, self.signin, methods=["GET", "POST"]),
            Route(CONSENT_PATH, self.consent, methods=["POST"]),
        ]

    # --- handlers ---------------------------------------------------------------------------------

    async def signin(self, request: Request) -> Response:
        try:
            if request.method == "GET":
                client, req, fields = await self._request(request.query_params)
                return self._signin_page(client, fields, status=200)
            form = await request.form()
            self._check_csrf(request, form)
            client, req, fields = await self._request(form)
        except BadRequest as exc:
            return self._render("error.html", 400, message=exc.message)
        try:
            who = await self.app.staff.authenticate(
                _text(form, "practice"), _text(form, "email"), _text(form, "password"), _text(form, "totp")
            )
        except SignInRefused as refusal:
            return self._signin_page(
                client,
                fields,
                status=401,
                error=refusal.message,
                practice=_text(form, "practice"),
                email=_text(form, "email"),
            )
        try:
            consent = await self.app.oauth.begin_consent(who, req, _client_name(client))
        except Forbidden as exc:
            return self._back_to_client(
                req.redirect_uri, req.state, error="invalid_scope", description=exc.message
            )
        scopes = [(s, SCOPE_TEXT.get(s, "")) for s in consent.scopes]
        host = urlsplit(req.redirect_uri).netloc or req.redirect_uri
        return self._render(
            "consent.html", 200, consent=consent, scopes=scopes, redirect_host=host, action=CONSENT_PATH
        )

    async def consent(self, request: Request) -> Response:
        form = await request.form()
        try:
            self._check_csrf(request, form)
        except BadRequest as exc:
            return self._render("error.html", 400, message=exc.message)
        approve = _text(form, "decision") == "approve"
        try:
            decision = await self.app.oauth.decide(_text(form, "consent"), approve)
        except Forbidden as exc:
            return self._render("error.html", 400, message=exc.message)
        if decision.code is None:
            return self._back_to_client(
                decision.redirect_uri,
                decision.state,
                error="access_denied",
                description="the user denied access",
            )
        return self._back_to_client(decision.redirect_uri, decision.state, code=decision.code)

    # --- helpers ----------------------------------------------------------------------------------

    async def _request(
        self, params: Mapping[str, Any]
    ) -> tuple[FrontdeskClient, AuthRequest, list[tuple[str, str]]]:
        """Validate an authorization request again, exactly as /authorize did."""
        fields = [(k, v) for k in REQUEST_FIELDS if isinstance(v := params.get(k), str)]
        try:
            parsed = AuthorizationRequest.model_validate(dict(fields))
        except ValidationError:
            raise BadRequest("the authorization request is incomplete or malformed") from None
        client = await self.provider.get_client(parsed.client_id)
        if client is None:
            raise BadRequest("this application is not registered (or was removed)")
        try:
            redirect = client.validate_redirect_uri(parsed.redirect_uri)
        except InvalidRedirectUriError:
            raise BadRequest("the return address is not one this application registered") from None
        resource = self.settings.known_resource(parsed.resource or self.settings.resource_url)
        if resource is None:
            raise BadRequest("the request is for another server")
        scopes = client.validate_scope(parsed.scope)
        req = AuthRequest(
            client_id=parsed.client_id,
            redirect_uri=str(redirect),
            redirect_uri_explicit=parsed.redirect_uri is not None,
            scopes=tuple(scopes) if scopes else None,
            code_challenge=parsed.code_challenge,
            state=parsed.state,
            resource=resource,
        )
        return client, req, fields

    def _signin_page(
        self,
        client: FrontdeskClient,
        fields: list[tuple[str, str]],
        *,
        status: int,
        error: str | None = None,
        practice: str = "",
        email: str = "",
    ) -> Response:
        return self._render(
            "signin.html",
            status,
            client_name=_client_name(client),
            request_fields=fields,
            error=error,
            practice=practice,
            email=email,
            action=SIGNIN_PATH,
        )

    def _render(self, template: str, status: int, **values: Any) -> Response:
        csrf = secrets.token_urlsafe(32)
        html = _templates.get_template(template).render(csrf=csrf, **values)
        response = HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            path="/oauth",
            httponly=True,
            samesite="strict",
            secure=self.settings.secure_cookies,
        )
        return response

    def _check_csrf(self, request: Request, form: Mapping[str, Any]) -> None:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        field = form.get("csrf")
        if not cookie or not isinstance(field, str) or not hmac.compare_digest(cookie, field):
            raise BadRequest("this form has expired; go back to the application and start again")

    def _back_to_client(
        self,
        redirect_uri: str,
        state: str | None,
        *,
        code: str | None = None,
        error: str | None = None,
        description: str | None = None,
    ) -> Response:
        # RFC 9207: the issuer rides along, so the client can tell which server answered.
        url = construct_redirect_uri(
            redirect_uri,
            code=code,
            state=state,
            error=error,
            error_description=description,
            iss=self.settings.issuer,
        )
        return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _client_name(client: FrontdeskClient) -> str:
    return client.client_name or client.client_id or "An application"
