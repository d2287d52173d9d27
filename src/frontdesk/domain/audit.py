"""The audit chain's hash: each entry covers its own fields and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

GENESIS = "0" * 64

# The fields an entry's hash covers, in a fixed order; adding one is a new chain version.
FIELDS = ("seq", "at", "actor", "client", "tool", "action", "record_type", "record_id", "outcome", "detail")


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = json.dumps([entry.get(f) for f in FIELDS], separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def first_break(entries: Sequence[Mapping[str, Any]]) -> int | None:
    """The seq of the first entry whose link or hash does not hold, or None if the chain is whole.
    `entries` are one practice's entries ordered by seq, each with `prev_hash` and `hash`."""
    prev = GENESIS
    expected_seq = 1
    for e in entries:
        if e.get("seq") != expected_seq or e.get("prev_hash") != prev or e.get("hash") != entry_hash(prev, e):
            seq = e.get("seq")
            return seq if isinstance(seq, int) else expected_seq
        prev = str(e["hash"])
        expected_seq += 1
    return None
