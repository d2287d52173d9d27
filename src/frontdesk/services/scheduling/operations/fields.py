"""The fields the scheduling operations share, each with its rule, declared once."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from frontdesk.domain.validation import NAME_MAX, NOTES_MAX
from frontdesk.services.operations import Input, OptionalId

DatebookId = Annotated[OptionalId, Field(description="Datebook ID (from list_datebooks)")]
DatebookName = Annotated[
    str | None, Field(max_length=NAME_MAX, description="Datebook name, alternative to datebook_id")
]
Notes = Annotated[
    str | None, Field(max_length=NOTES_MAX, description=f"Reason for visit (max {NOTES_MAX} characters)")
]
When = Annotated[
    str,
    Field(max_length=40, description="ISO 8601; without an offset it is read in the datebook's time zone"),
]
OptionalWhen = Annotated[str | None, Field(max_length=40)]
AllowOverlap = Annotated[
    bool,
    Field(description="Staff only: book even though the doctor already has an appointment then (recorded)"),
]
Filter = Annotated[str | None, Field(max_length=NAME_MAX)]


class NoInput(Input):
    pass
