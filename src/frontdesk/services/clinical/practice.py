"""getPracticeInfo: facilities (datebooks), providers and vital-sign templates."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain import access
from frontdesk.services import dto as core
from frontdesk.services import mapping as core_mapping
from frontdesk.services.clinical import dto
from frontdesk.services.clinical.vitals import template_info, templates
from frontdesk.services.context import Principal
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import directory as dir_repo


@dataclass(frozen=True, slots=True)
class PracticeOverview:
    practice: core.PracticeInfo
    facilities: list[core.DatebookInfo]
    providers: list[core.ProviderInfo]
    templates: list[dto.TemplateInfo]


class PracticeInfoService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def overview(self, p: Principal) -> PracticeOverview:
        """No patient data: anyone who may see the schedule may see this."""
        p.require(access.APPOINTMENTS_READ)
        async with self.db.read() as s:
            practice = await dir_repo.practice_by_id(s, p.practice_id)
            assert practice is not None
            return PracticeOverview(
                practice=core_mapping.practice(practice),
                facilities=[core_mapping.datebook(r) for r in await dir_repo.datebooks(s, p.practice_id)],
                providers=[core_mapping.provider(r) for r in await dir_repo.providers(s, p.practice_id)],
                templates=[template_info(t, row_id) for t, row_id in await templates(s, p.practice_id)],
            )
