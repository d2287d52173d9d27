"""manage_patient_files: photos and documents, each also the resource frontdesk://files/{id} (served by
the adapter); a result links the files it lists, or embeds the one it reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from frontdesk.domain import access
from frontdesk.services.clinical import shapes
from frontdesk.services.clinical.dto import FileContent, FileInfo
from frontdesk.services.clinical.operations.common import PatientId, plain
from frontdesk.services.operations import (
    MANAGE,
    MULTILINE,
    Action,
    Attachment,
    Call,
    ConfirmFlag,
    IdempotencyKey,
    Input,
    Operation,
    OptionalId,
    Result,
)

FILE_URI = "frontdesk://files/{file_id}"
# A sanity bound on the upload's text (about 100 MB of bytes); the practice's own, smaller limit
# (FRONTDESK_MAX_FILE_MB) is checked by the service before decoding.
CONTENT_MAX = 140_000_000


class FilesIn(Input):
    action: Literal["list", "add", "get", "remove"]
    patient_id: PatientId = None
    file_id: Annotated[OptionalId, Field(description="The file's id")] = None
    filename: Annotated[str | None, Field(max_length=200, description="Display name, e.g. referral.pdf")] = (
        None
    )
    content_base64: Annotated[
        str | None, Field(max_length=CONTENT_MAX, description="(add) the file's bytes, base64"), MULTILINE
    ] = None
    kind: Literal["photo", "document", "identity", "other"] | None = None
    description: Annotated[str | None, Field(max_length=500), MULTILINE] = None
    embed: Annotated[bool | None, Field(description="(get) embed the content (default true)")] = None
    confirm: ConfirmFlag = None
    idempotency_key: IdempotencyKey = None


def link(info: FileInfo) -> Attachment:
    return Attachment(uri=info.uri, name=info.filename, mime_type=info.mime_type, size=info.size_bytes)


def embedded(content: FileContent) -> Attachment:
    info = content.info
    return Attachment(uri=info.uri, name=info.filename, mime_type=info.mime_type, data=content.data)


def _files(call: Call[FilesIn], rows: Sequence[FileInfo], attachments: Sequence[Attachment]) -> Result:
    data = shapes.FilesOut(
        action=call.args.action, files=[shapes.FileOut(**plain(r)) for r in rows], count=len(rows)
    )
    text = "\n".join(f"#{r.id} {r.filename} ({r.mime_type}, {r.size_bytes} bytes) {r.uri}" for r in rows)
    return Result(data, text or "No files.", attachments=tuple(attachments))


async def _list(call: Call[FilesIn]) -> Result:
    rows = await call.app.files.for_patient(call.p, call.args.patient_id or 0)
    return _files(call, rows, [link(r) for r in rows])


async def _add(call: Call[FilesIn]) -> Result:
    a = call.args
    added = await call.app.files.add(
        call.p,
        a.patient_id or 0,
        filename=a.filename,
        content_base64=a.content_base64,
        kind=a.kind,
        description=a.description,
        idem=call.idem,
    )
    return _files(call, [added], [link(added)])


async def _get(call: Call[FilesIn]) -> Result:
    content = await call.app.files.content(call.p, call.args.file_id or 0)
    shown = link(content.info) if call.args.embed is False else embedded(content)
    return _files(call, [content.info], [shown])


async def _remove(call: Call[FilesIn]) -> Result:
    removed = await call.app.files.remove(call.p, call.args.file_id or 0, call.idem, call.consent)
    return _files(call, [removed], [])


async def _ask_remove(call: Call[FilesIn]) -> str | None:
    return await call.app.files.question(call.p, call.args.file_id or 0)


MANAGE_PATIENT_FILES = Operation(
    name="manage_patient_files",
    title="Manage patient files",
    description="Clinicians: patient photos and documents (ID cards, referral letters, scans). Upload "
    "with add: the file's bytes base64-encoded in content_base64 (PNG, JPEG, PDF or plain text, "
    "recognised by content, not name; 10 MB by default). Each file is the MCP resource "
    "frontdesk://files/{id}; get also embeds the content in the result.",
    scopes=(access.CLINICAL_READ,),
    hints=MANAGE,
    input=FilesIn,
    output=shapes.FilesOut,
    actions={
        "list": Action("the patient's files (metadata and resource URIs)", _list, ("patient_id",)),
        "add": Action(
            "upload a PNG, JPEG, PDF or plain-text file (content checked, size limited)",
            _add,
            ("patient_id", "filename", "content_base64"),
            ("kind", "description"),
        ),
        "get": Action(
            "one file; its content is embedded in the result unless embed is false",
            _get,
            ("file_id",),
            ("embed",),
        ),
        "remove": Action("remove a file from the chart", _remove, ("file_id",), ask=_ask_remove),
    },
)

OPERATIONS = (MANAGE_PATIENT_FILES,)
