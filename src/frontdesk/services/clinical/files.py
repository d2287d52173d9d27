"""Patient files (photos, documents): checked by content and size, stored on disk under
<files_dir>/<practice_id>/<generated name>, metadata in the database. The caller's file name is shown,
never used as a path."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path

import filetype
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.clinical import files as rules
from frontdesk.domain.errors import Conflict, Invalid, Unavailable
from frontdesk.services import audit
from frontdesk.services.audit import on_failure
from frontdesk.services.clinical import base, dto, mapping, removals
from frontdesk.services.clinical.settings import ClinicalSettings
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.usecase import UseCases
from frontdesk.storage import clinical_models as c
from frontdesk.storage.repositories.clinical import records

_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
}


def sniff(data: bytes) -> str | None:
    """The type by the file's leading bytes (PNG, JPEG, PDF via `filetype`), or text by its content."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    return "text/plain" if rules.looks_like_text(data) else None


class FileStore:
    """Bytes on local disk. Writes go to a temporary name, are synced, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, practice_id: int, key: str) -> Path:
        return self.root / str(practice_id) / key

    def _write(self, practice_id: int, key: str, data: bytes) -> None:
        folder = self.root / str(practice_id)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = folder / f".{key}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / key)

    async def write(self, practice_id: int, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, practice_id, key, data)

    async def read(self, practice_id: int, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(practice_id, key).read_bytes)
        except OSError as exc:
            raise Unavailable("the file's content cannot be read right now") from exc

    async def delete(self, practice_id: int, key: str) -> None:
        await asyncio.to_thread(self._path(practice_id, key).unlink, True)


class FileService(base.ChartBase):
    def __init__(self, uc: UseCases, settings: ClinicalSettings) -> None:
        super().__init__(uc)
        self.settings = settings
        self.store = FileStore(settings.files_dir)

    async def for_patient(self, p: Principal, patient_id: int) -> list[dto.FileInfo]:
        async def body(s: AsyncSession, now: datetime) -> list[dto.FileInfo]:
            await base.patient(s, p.practice_id, patient_id)
            tz = await base.practice_zone(s, p.practice_id)
            rows = await records.for_patient(s, c.PatientFile, p.practice_id, patient_id, not_removed=True)
            await audit.record(s, p, now, "file.list", "patient", patient_id, detail=f"{len(rows)} files")
            return [mapping.file_info(r, tz) for r in rows]

        return await self.uc.read(p, "file.list", "patient", patient_id, body)

    async def add(
        self,
        p: Principal,
        patient_id: int,
        *,
        filename: str | None,
        content_base64: str | None,
        kind: str | None = None,
        description: str | None = None,
        idem: Idempotency | None = None,
    ) -> dto.FileInfo:
        async with on_failure(self.trail, p, "file.add", "patient", patient_id):
            p.require(access.CLINICAL_WRITE)  # before reading the upload at all
            name = rules.safe_name(filename)
            data = self._decode(content_base64)
            mime = rules.check_type(sniff(data))
            claimed = _EXTENSIONS.get(os.path.splitext(name)[1].lower())
            if claimed is not None and claimed != mime:
                raise Invalid(
                    f"filename says {claimed} but the content is {mime}; rename it or send the right file",
                    field="filename",
                )
            chosen = (kind or ("photo" if mime.startswith("image/") else "document")).strip().lower()
            if chosen not in rules.KINDS:
                raise Invalid(f"kind must be one of: {', '.join(rules.KINDS)}", field="kind")
            note = base.text(description, field="description")
        key = secrets.token_hex(16) + "." + rules.ALLOWED_TYPES[mime]
        written = False

        async def body(s: AsyncSession, now: datetime) -> dto.FileInfo:
            nonlocal written
            await base.patient(s, p.practice_id, patient_id, writable=True)
            row = c.PatientFile(
                practice_id=p.practice_id,
                patient_id=patient_id,
                kind=chosen,
                filename=name,
                mime_type=mime,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_key=key,
                description=note,
                created_at=now,
                created_by=p.actor[:120],
                updated_at=now,
            )
            s.add(row)
            await s.flush()
            # The bytes land before the row commits; a failed commit leaves an orphan file, removed below.
            await self.store.write(p.practice_id, key, data)
            written = True
            await audit.record(
                s, p, now, "file.add", "file", row.id, detail=f"patient {patient_id}, {len(data)} bytes"
            )
            return mapping.file_info(row, await base.practice_zone(s, p.practice_id))

        try:
            return await self.uc.write(p, "file.add", "patient", patient_id, body, dto.FileInfo, idem)
        except BaseException:
            if written:
                await self.store.delete(p.practice_id, key)
            raise

    async def content(self, p: Principal, file_id: int) -> dto.FileContent:
        async def body(s: AsyncSession, now: datetime) -> dto.FileContent:
            row = await base.record(
                s, c.PatientFile, p.practice_id, file_id, field="file_id", hint="list the files"
            )
            if row.removed_at is not None:
                raise Conflict("this file was removed", field="file_id")
            data = await self.store.read(p.practice_id, row.storage_key)
            if hashlib.sha256(data).hexdigest() != row.sha256:
                raise Unavailable("the stored file does not match its checksum; ask an administrator")
            await audit.record(s, p, now, "file.read", "file", row.id)
            return dto.FileContent(mapping.file_info(row, await base.practice_zone(s, p.practice_id)), data)

        return await self.uc.read(p, "file.read", "file", file_id, body)

    async def remove(
        self,
        p: Principal,
        file_id: int,
        idem: Idempotency | None = None,
        consent: Consent = Consent.MISSING,
    ) -> dto.FileInfo:
        """Hide a file from the chart, with the person's consent. The bytes are kept (records retention);
        only the listing changes."""

        async def body(s: AsyncSession, now: datetime) -> dto.FileInfo:
            row = await base.record(
                s, c.PatientFile, p.practice_id, file_id, field="file_id", hint="list the files", lock=True
            )
            await base.patient(s, p.practice_id, row.patient_id, writable=True)
            if row.removed_at is not None:
                raise Conflict("this file was already removed", field="file_id")
            row.removed_at = row.updated_at = now
            await s.flush()
            await audit.record(s, p, now, "file.remove", "file", row.id)
            return mapping.file_info(row, await base.practice_zone(s, p.practice_id))

        return await self.uc.write(
            p,
            "file.remove",
            "file",
            file_id,
            body,
            dto.FileInfo,
            idem,
            destroys="removing a file",
            consent=consent,
        )

    async def question(self, p: Principal, file_id: int) -> str:
        """What to ask before removing a file (reading its details is an audited read)."""

        async def body(s: AsyncSession, now: datetime) -> str:
            row = await base.record(
                s, c.PatientFile, p.practice_id, file_id, field="file_id", hint="list the files"
            )
            if row.removed_at is not None:
                raise Conflict("this file was already removed", field="file_id")
            await audit.record(s, p, now, "file.read", "file", row.id, detail="details")
            name = await removals.patient_name(s, p.practice_id, row.patient_id)
            return f"Remove the file {row.filename} from {name}'s chart?"

        return await self.uc.read(p, "file.read", "file", file_id, body)

    def _decode(self, content: str | None) -> bytes:
        field = "content_base64"
        if content is None or not content.strip():
            raise Invalid(f"{field} is required: the file's bytes, base64-encoded", field=field)
        limit = self.settings.max_file_bytes
        # Refuse an oversized upload before decoding it.
        if len(content) * 3 // 4 > limit + 3:
            rules.check_size(len(content) * 3 // 4, limit, field=field)
        try:
            data = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            raise Invalid(f"{field} must be standard base64", field=field) from None
        rules.check_size(len(data), limit, field=field)
        return data
