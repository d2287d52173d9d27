"""Webhooks providers call: /webhooks/whatsapp/{slug}, the practice's WhatsApp Cloud API callback.
GET answers the subscription handshake (hub.mode, hub.verify_token, hub.challenge: the challenge echoed
as text); POST takes signed delivery-status callbacks. The service checks the token and the signature
(services/messaging/whatsapp_webhook.py); this module only reads the request and maps the outcome:
401 without a signature, 403 with a wrong one (or a wrong verify token), 404 for a practice with no
webhook configured, 200 once applied (a callback sent again is applied again, changing nothing)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import FrontdeskError
from frontdesk.http.errors import error_response

PARAM_MAX = 500  # hub.* values: a token and a challenge, never long
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}  # the echo stays text


class Webhooks:
    def __init__(self, app: Frontdesk) -> None:
        self.app = app

    def routes(self) -> list[Route]:
        return [
            Route("/webhooks/whatsapp/{slug}", self.whatsapp_verify, methods=["GET"]),
            Route("/webhooks/whatsapp/{slug}", self.whatsapp_status, methods=["POST"]),
        ]

    async def whatsapp_verify(self, request: Request) -> Response:
        q = request.query_params
        try:
            challenge = await self.app.whatsapp_webhook.verify(
                request.path_params["slug"],
                q.get("hub.mode", "")[:PARAM_MAX],
                q.get("hub.verify_token", "")[:PARAM_MAX],
                q.get("hub.challenge", "")[:PARAM_MAX],
            )
        except FrontdeskError as exc:
            return error_response(exc)
        return PlainTextResponse(challenge, headers=NO_STORE)

    async def whatsapp_status(self, request: Request) -> Response:
        body = await request.body()  # raw: the signature is over these exact bytes
        try:
            applied = await self.app.whatsapp_webhook.receive(
                request.path_params["slug"], body, request.headers.get("x-hub-signature-256")
            )
        except FrontdeskError as exc:
            return error_response(exc)
        return JSONResponse({"applied": applied}, headers=NO_STORE)
