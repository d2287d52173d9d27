"""`frontdesk clients list|register|revoke`: OAuth clients (Claude, ChatGPT and other connectors)."""

from __future__ import annotations

import argparse
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from mcp.shared.auth import OAuthClientInformationFull

from frontdesk.domain.errors import Invalid

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

COMMANDS = {"clients"}


def add_parser(sub: Any) -> None:
    clients = sub.add_parser("clients", help="OAuth clients").add_subparsers(
        dest="clients_command", required=True
    )
    cl = clients.add_parser("list", help="registered clients, or with --practice the grants they hold there")
    cl.add_argument("--practice")
    cr = clients.add_parser("register", help="register a client by hand (when dynamic registration is off)")
    cr.add_argument("--name", required=True)
    cr.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
    cr.add_argument("--public", action="store_true", help="no client secret (PKCE only)")
    cv = clients.add_parser("revoke", help="revoke a client everywhere, or with --practice its grants there")
    cv.add_argument("client_id")
    cv.add_argument("--practice")


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    if args.clients_command == "list":
        if args.practice:
            for g in await app.clients.grants(args.practice):
                print(
                    f"{g.client_id}\t{g.actor}\t{' '.join(g.scopes)}\texpires {g.expires_at:%Y-%m-%d %H:%M}"
                )
        else:
            for c in await app.clients.list_clients():
                state = f"revoked {c.revoked_at:%Y-%m-%d %H:%M}" if c.revoked_at else "active"
                kind = "confidential" if c.confidential else "public"
                print(f"{c.client_id}\t{c.name or '-'}\t{kind}\t{state}")
    elif args.clients_command == "register":
        return await _register(app, args)
    elif args.clients_command == "revoke":
        if args.practice:
            n = await app.clients.revoke_client_in(args.practice, args.client_id)
            print(f"{n} grant(s) of {args.client_id} revoked in {args.practice}")
        else:
            n = await app.clients.revoke_client(args.client_id)
            print(f"client {args.client_id} revoked ({n} grant(s) ended)")
    return 0


async def _register(app: Frontdesk, args: argparse.Namespace) -> int:
    from frontdesk.http.provider import check_redirect_uris

    secret = None if args.public else secrets.token_urlsafe(32)
    try:
        info = OAuthClientInformationFull(
            client_id=str(uuid.uuid4()),
            client_secret=secret,
            client_name=args.name,
            redirect_uris=args.redirect_uris,
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none" if args.public else "client_secret_post",
        )
        check_redirect_uris(info)
    except Exception as exc:  # pydantic's or the registration rule's message
        raise Invalid(f"cannot register this client: {exc}", field="redirect_uri") from None
    meta = info.model_dump_json(exclude={"client_secret"})
    await app.clients.register_client(info.client_id or "", secret, args.name, meta)
    print(json.dumps({"client_id": info.client_id, "client_secret": secret}))
    return 0
