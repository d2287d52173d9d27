"""`frontdesk keys ...`: practice secret keys."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

COMMANDS = {"keys"}


def add_parser(sub: Any) -> None:
    keys = sub.add_parser("keys", help="practice secret keys").add_subparsers(
        dest="keys_command", required=True
    )
    kc = keys.add_parser("create", help="create a key; it is shown once")
    kc.add_argument("--practice", required=True)
    kc.add_argument("--name", required=True)
    kc.add_argument("--quiet", action="store_true", help="print the key alone")
    kc.add_argument("--json", action="store_true", help='print {"client_id": ..., "client_secret": ...}')
    kl = keys.add_parser("list", help="list a practice's keys (never the secrets)")
    kl.add_argument("--practice", required=True)
    kr = keys.add_parser("revoke", help="revoke a key at once (and every token issued for it)")
    kr.add_argument("--practice", required=True)
    kr.add_argument("key_id", type=int)
    ko = keys.add_parser(
        "rotate", help="replace a key: the old one stops working now, the new one is shown once"
    )
    ko.add_argument("--practice", required=True)
    ko.add_argument("key_id", type=int)
    ko.add_argument("--json", action="store_true", help='print {"client_id": ..., "client_secret": ...}')


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    if args.keys_command == "create":
        new = await app.practices.create_key(args.practice, args.name)
        if args.json:
            print(json.dumps({"client_id": new.info.prefix, "client_secret": new.secret}))
        elif args.quiet:
            print(new.secret)
        else:
            print(f"key {new.info.id} ({new.info.name}) created. Copy it now, it is not shown again:")
            print(new.secret)
    elif args.keys_command == "list":
        for k in await app.practices.list_keys(args.practice):
            state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
            print(f"{k.id}\t{k.prefix}…\t{k.name}\t{state}")
    elif args.keys_command == "revoke":
        k = await app.practices.revoke_key(args.practice, args.key_id)
        print(f"key {k.id} revoked")
    elif args.keys_command == "rotate":
        new = await app.practices.rotate_key(args.practice, args.key_id)
        if args.json:
            print(json.dumps({"client_id": new.info.prefix, "client_secret": new.secret}))
        else:
            print(f"key {args.key_id} revoked; its replacement is key {new.info.id}. Copy it now:")
            print(new.secret)
    return 0
