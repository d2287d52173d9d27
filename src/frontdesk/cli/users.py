"""`frontdesk users create|list|disable`: staff accounts that sign in on the authorize page."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from frontdesk.domain.access import Role
from frontdesk.domain.errors import Invalid

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

COMMANDS = {"users"}


def add_parser(sub: Any) -> None:
    users = sub.add_parser("users", help="staff accounts").add_subparsers(dest="users_command", required=True)
    uc = users.add_parser("create", help="add a staff account to a practice")
    uc.add_argument("--practice", required=True)
    uc.add_argument("--email", required=True)
    uc.add_argument("--name", required=True)
    uc.add_argument("--role", required=True, choices=[r.value for r in Role])
    uc.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    uc.add_argument(
        "--totp", action="store_true", help="require a one-time code (prints the enrolment URI once)"
    )
    ul = users.add_parser("list", help="list a practice's staff accounts")
    ul.add_argument("--practice", required=True)
    ud = users.add_parser("disable", help="disable an account; its tokens stop working at once")
    ud.add_argument("--practice", required=True)
    ud.add_argument("user", help="account id or email")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise Invalid("no terminal to ask for the password; use --password-stdin", field="password")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise Invalid("the two passwords differ", field="password")
    return first


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    if args.users_command == "create":
        password = _password(args.password_stdin)
        new = await app.staff.create(
            args.practice, args.email, args.name, args.role, password, totp=args.totp
        )
        print(f"user {new.info.id} ({new.info.email}, {new.info.role}) created in {args.practice}")
        if new.totp_uri:
            print("Add this to an authenticator app now; it is not shown again:")
            print(new.totp_uri)
    elif args.users_command == "list":
        for u in await app.staff.list_all(args.practice):
            state = f"disabled {u.disabled_at:%Y-%m-%d %H:%M}" if u.disabled_at else "active"
            totp = "totp" if u.totp else "-"
            print(f"{u.id}\t{u.email}\t{u.name}\t{u.role}\t{totp}\t{state}")
    elif args.users_command == "disable":
        u = await app.staff.disable(args.practice, args.user)
        print(f"user {u.id} ({u.email}) disabled; its tokens were revoked")
    return 0
