"""Credential revocations this process has committed, counted.

A repository that revokes a credential marks its session; `Database.write` counts the mark once the
transaction has committed. The cache of verified credentials (services/credentials.py) forgets all it
holds when the count moves, so a revocation made in this process takes effect on the next request."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

_MARK = "frontdesk.revokes_credentials"
_count = 0


def mark(s: AsyncSession) -> None:
    """This transaction revokes a credential (a key, a grant and its tokens)."""
    s.info[_MARK] = True


def committed(s: AsyncSession) -> None:
    """`s` has just committed: count its revocation, if it made one."""
    global _count
    if s.info.pop(_MARK, False):
        _count += 1


def count() -> int:
    return _count
