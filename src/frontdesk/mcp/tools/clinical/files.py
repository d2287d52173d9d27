"""managePatientFiles, and each file as the MCP resource frontdesk://files/{file_id} (read within the
caller's practice, audited like every read of the chart)."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.server.mcpserver.resources import BinaryResource, Resource, ResourceTemplate, TextResource
from mcp_types import (
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ResourceLink,
    TextResourceContents,
)
from pydantic import Field

from frontdesk.composition import Frontdesk
from frontdesk.domain.errors import FrontdeskError, NotFound
from frontdesk.mcp.principal import PrincipalResolver
from frontdesk.mcp.respond import Reply, run
from frontdesk.mcp.tools.clinical import shapes
from frontdesk.mcp.tools.clinical.common import (
    MANAGE,
    Action,
    Actions,
    IdempotencyKey,
    PatientId,
    args_of,
    idem,
    plain,
)
from frontdesk.services.clinical import dto
from frontdesk.services.context import Principal

FILE_URI = "frontdesk://files/{file_id}"
FILES = Actions(
    list=Action("the patient's files (metadata and resource URIs)", ("patient_id",)),
    add=Action(
        "upload a PNG, JPEG, PDF or plain-text file (content checked, size limited)",
        ("patient_id", "filename", "content_base64"),
        ("kind", "description"),
    ),
    get=Action(
        "one file; its content is embedded in the result unless embed is false", ("file_id",), ("embed",)
    ),
    remove=Action("remove a file from the chart", ("file_id",)),
)


def embedded(content: dto.FileContent) -> EmbeddedResource:
    info = content.info
    if info.mime_type == "text/plain":
        text = content.data.decode("utf-8")
        return EmbeddedResource(
            type="resource", resource=TextResourceContents(uri=info.uri, mime_type=info.mime_type, text=text)
        )
    blob = base64.b64encode(content.data).decode()
    return EmbeddedResource(
        type="resource", resource=BlobResourceContents(uri=info.uri, mime_type=info.mime_type, blob=blob)
    )


def link(info: dto.FileInfo) -> ResourceLink:
    return ResourceLink(
        type="resource_link", uri=info.uri, name=info.filename, mime_type=info.mime_type, size=info.size_bytes
    )


class FileTemplate(ResourceTemplate):
    """The SDK's templates give every read the template's one MIME type; a patient file has its own, so
    this template builds the resource itself."""

    app: Any = Field(exclude=True)
    resolve: Any = Field(exclude=True)

    async def create_resource(self, uri: str, params: dict[str, Any], context: Any) -> Resource:
        try:
            file_id = int(str(params["file_id"]))
        except ValueError:
            raise ResourceNotFoundError(f"Unknown resource: {uri}") from None
        try:
            p: Principal = self.resolve(context)
            content: dto.FileContent = await self.app.files.content(p, file_id)
        except NotFound:
            raise ResourceNotFoundError(f"Unknown resource: {uri}") from None
        except FrontdeskError as exc:
            raise ResourceError(f"{exc.code}: {exc.message}") from None
        info = content.info
        if info.mime_type == "text/plain":
            return TextResource(
                uri=uri, name=info.filename, mime_type=info.mime_type, text=content.data.decode()
            )
        return BinaryResource(uri=uri, name=info.filename, mime_type=info.mime_type, data=content.data)


def register(server: MCPServer[Any], app: Frontdesk, resolve: PrincipalResolver) -> None:
    async def patient_file(file_id: str) -> str:  # the signature the template advertises; never called
        raise NotImplementedError

    template = FileTemplate.model_validate(
        {
            **ResourceTemplate.from_function(
                patient_file,
                uri_template=FILE_URI,
                name="patient-file",
                title="Patient file",
                description="A photo or document from a patient's chart (managePatientFiles lists them).",
                mime_type="application/octet-stream",
            ).__dict__,
            "app": app,
            "resolve": resolve,
        }
    )
    # MCPServer has no public call that takes a template object; this is where `@server.resource` puts one.
    server._resource_manager._templates[template.uri_template] = template

    @server.tool(
        name="managePatientFiles",
        title="Manage patient files",
        annotations=MANAGE,
        description="Clinicians: patient photos and documents (ID cards, referral letters, scans). Upload "
        "with add: the file's bytes base64-encoded in content_base64 (PNG, JPEG, PDF or plain text, "
        "recognised by content, not name; 10 MB by default). Each file is the MCP resource "
        "frontdesk://files/{id}; get also embeds the content in the result.",
    )
    async def managePatientFiles(
        ctx: Context,
        action: Annotated[
            Literal["list", "add", "get", "remove"],
            Field(description=FILES.describe(), json_schema_extra=FILES.schema_extra()),
        ],
        patient_id: PatientId = None,
        file_id: Annotated[int | None, Field(description="The file's id")] = None,
        filename: Annotated[
            str | None, Field(max_length=200, description="Display name, e.g. referral.pdf")
        ] = None,
        content_base64: Annotated[str | None, Field(description="(add) the file's bytes, base64")] = None,
        kind: Annotated[Literal["photo", "document", "identity", "other"] | None, Field()] = None,
        description: Annotated[str | None, Field(max_length=500)] = None,
        embed: Annotated[bool | None, Field(description="(get) embed the content (default true)")] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Annotated[CallToolResult, shapes.FilesOut]:
        args = args_of(locals())
        extra: list[Any] = []

        async def act(p: Principal) -> Reply:
            FILES.check(action, args)
            key = idem("managePatientFiles", idempotency_key, args)
            if action == "list":
                rows = await app.files.for_patient(p, patient_id or 0)
            elif action == "add":
                rows = [
                    await app.files.add(
                        p,
                        patient_id or 0,
                        filename=filename,
                        content_base64=content_base64,
                        kind=kind,
                        description=description,
                        idem=key,
                    )
                ]
            elif action == "get":
                content = await app.files.content(p, file_id or 0)
                rows = [content.info]
                if embed is not False:
                    extra.append(embedded(content))
            else:
                rows = [await app.files.remove(p, file_id or 0, key)]
            if action != "get" or embed is False:
                extra.extend(link(r) for r in rows if action != "remove")
            data = shapes.FilesOut(
                action=action, files=[shapes.FileOut(**plain(r)) for r in rows], count=len(rows)
            )
            text = "\n".join(
                f"#{r.id} {r.filename} ({r.mime_type}, {r.size_bytes} bytes) {r.uri}" for r in rows
            )
            return Reply(data, text or "No files.")

        result = await run(ctx, resolve, act)
        if not result.is_error:
            result.content.extend(extra)
        return result
