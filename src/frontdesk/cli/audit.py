"""`frontdesk audit verify|export`: check the hash chain, or write the trail as JSON lines."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk

COMMANDS = {"audit"}


def add_parser(sub: Any) -> None:
    parent = sub.add_parser("audit", help="the audit trail: verify its hash chain, export it")
    cmds = parent.add_subparsers(dest="audit_command", required=True)
    v = cmds.add_parser("verify", help="recompute every entry's hash; exit 1 at the first broken link")
    v.add_argument("--practice", required=True)
    e = cmds.add_parser("export", help="write the trail as JSON lines, oldest first")
    e.add_argument("--practice", required=True)
    e.add_argument("--output", help="file to write (default: standard output)")


async def run(app: Frontdesk, args: argparse.Namespace) -> int:
    practice = await app.practices.get(args.practice)
    if args.audit_command == "verify":
        checked, broken = await app.audit.verify(practice.id)
        if broken is not None:
            print(f"audit chain BROKEN at entry {broken} ({checked} entries checked)", file=sys.stderr)
            return 1
        print(f"audit chain intact: {checked} entries")
        return 0
    entries = await app.audit.export(practice.id)
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
    if args.output:
        await asyncio.to_thread(Path(args.output).write_text, lines, encoding="utf-8")
        print(f"{len(entries)} entries written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0
