"""A practice's settings (domain/settings.py): read by chapter or key, changed all or nothing.

`basics.name` and `basics.timezone` are the practice record's own name and zone, so they are read
from and written to it; every other key lives in practice_settings. Other services read the
effective values inside their own transaction with `values`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain import settings as catalogue
from frontdesk.domain.errors import NotFound
from frontdesk.domain.timeparse import zone
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.currencies import currency
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import settings as repo

# Any staff credential may read the settings (the front desk needs the policies); changing them is admin.
READ = (access.APPOINTMENTS_READ, access.ADMIN)
ON_PRACTICE = {"basics.name": "name", "basics.timezone": "timezone"}
DEFAULTS = {path: k.default for path, k in catalogue.CATALOGUE.items()}


async def values(s: AsyncSession, practice_id: int) -> catalogue.Values:
    """The practice's effective settings, read in the caller's transaction."""
    stored = await repo.stored(s, practice_id)
    practice = await dir_repo.practice_by_id(s, practice_id)
    if practice is None:
        raise NotFound("no such practice")
    return catalogue.Values({**stored, "basics.name": practice.name, "basics.timezone": practice.timezone})


def _paths(chapter: str | None, keys: list[str] | None) -> list[str]:
    if keys:
        return [catalogue.key(k.strip()).path for k in keys]
    if chapter:
        return [k.path for k in catalogue.chapter(chapter)]
    return list(catalogue.CATALOGUE)


def _by_chapter(v: catalogue.Values, paths: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        chapter, name = path.split(".", 1)
        out.setdefault(chapter, {})[name] = catalogue.CATALOGUE[path].shown(v[path])  # secrets: "set"
    return out


class SettingsService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=READ, write=access.ADMIN)

    async def get(
        self, p: Principal, *, chapter: str | None = None, keys: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """{chapter: {name: value}} for one chapter, some keys, or everything."""
        paths = _paths(chapter, keys)

        async def body(s: AsyncSession, now: datetime) -> dict[str, dict[str, Any]]:
            return _by_chapter(await values(s, p.practice_id), paths)

        return await self.uc.read(p, "settings.read", "practice", p.practice_id, body)

    async def update(self, p: Principal, changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Change some keys; every value is checked first, so one bad key changes nothing. Returns the
        affected chapters whole."""
        checked = catalogue.validate(changes)
        if "basics.timezone" in checked:
            zone(checked["basics.timezone"], field="basics.timezone")
        for path in checked:
            if catalogue.key(path).kind == "currency":
                checked[path] = currency(checked[path], field=path)

        async def body(s: AsyncSession, now: datetime) -> dict[str, dict[str, Any]]:
            practice = await dir_repo.practice_by_id(s, p.practice_id)
            if practice is None:
                raise NotFound("no such practice")
            for path, column in ON_PRACTICE.items():
                if path in checked:
                    setattr(practice, column, checked[path] or getattr(practice, column))
            kept = {k: v for k, v in checked.items() if k not in ON_PRACTICE}
            if kept:
                await repo.put(s, p.practice_id, kept, DEFAULTS, now, p.actor)
            await audit.record(
                s, p, now, "settings.update", "practice", p.practice_id, detail=",".join(checked)
            )
            chapters = sorted({k.split(".", 1)[0] for k in checked}, key=catalogue.CHAPTERS.index)
            return _by_chapter(
                await values(s, p.practice_id), [k.path for c in chapters for k in catalogue.chapter(c)]
            )

        return await self.uc.write(
            p, "settings.update", "practice", p.practice_id, body, dict[str, dict[str, Any]]
        )
