"""Each patient file as the MCP resource frontdesk://files/{file_id}: read within the caller's practice,
audited like every read of the chart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.server.mcpserver.resources import BinaryResource, Resource, ResourceTemplate, TextResource
from pydantic import Field

from frontdesk.domain.errors import FrontdeskError, NotFound
from frontdesk.services.clinical.operations.files import FILE_URI

if TYPE_CHECKING:
    from frontdesk.composition import Frontdesk
    from frontdesk.services.clinical import dto
    from frontdesk.services.context import Principal


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
            p: Principal = await self.resolve(context)
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


def serve_patient_files(
    server: MCPServer[Any], app: Frontdesk, who: Callable[..., Awaitable[Principal]], lister: str
) -> None:
    """Add the patient-file template; `lister` is the tool that lists the files on this surface."""

    async def patient_file(file_id: str) -> str:  # the signature the template advertises; never called
        raise NotImplementedError

    template = FileTemplate.model_validate(
        {
            **ResourceTemplate.from_function(
                patient_file,
                uri_template=FILE_URI,
                name="patient-file",
                title="Patient file",
                description=f"A photo or document from a patient's chart ({lister} lists them).",
                mime_type="application/octet-stream",
            ).__dict__,
            "app": app,
            "resolve": who,
        }
    )
    # MCPServer has no public call that takes a template object; this is where `@server.resource` puts one.
    server._resource_manager._templates[template.uri_template] = template
