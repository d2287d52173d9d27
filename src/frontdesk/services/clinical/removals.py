"""Removing a chart record (withdrawing it as entered in error, discarding a draft, merging a duplicate):
which changes remove, and the words of the question put to the person first. (That they agreed is
checked by the write skeleton, services/usecase.py: `destroys=`.)"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.storage.repositories import patients as patient_repo
from frontdesk.storage.repositories import staff as staff_repo

WITHDRAWN = "entered_in_error"


def withdraws(status: str | None) -> bool:
    """Whether a requested status withdraws the record (spelled as the status parser accepts it)."""
    return status is not None and status.strip().lower().replace("-", "_").replace(" ", "_") == WITHDRAWN


async def author(s: AsyncSession, practice_id: int, actor: str) -> str:
    """Who wrote a record, for a question: the staff member's name, else the actor as recorded."""
    kind, _, ident = actor.partition(":")
    if kind == "user" and ident.isdigit():
        user = await staff_repo.get(s, practice_id, int(ident))
        if user is not None:
            return user.name
    return actor


async def patient_name(s: AsyncSession, practice_id: int, patient_id: int) -> str:
    row = await patient_repo.get(s, practice_id, patient_id)
    return f"{row.first_name} {row.last_name}".strip() if row is not None else f"patient {patient_id}"


def day(moment: datetime | date) -> str:
    """3 March 2026 (the practice-local date of a moment already in the practice's zone)."""
    return f"{moment.day} {moment:%B %Y}"
