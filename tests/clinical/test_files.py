"""managePatientFiles and the frontdesk://files/{id} resource: type by content, size limit, practice scope."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from frontdesk.composition import Frontdesk
from frontdesk.mcp.server import build_server
from tests.clinical.conftest import MAX_FILE, Connect, err, ok, staff
from tests.factories import Scenario, build_scenario

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(50)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50)
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
ZIP = b"PK\x03\x04" + bytes(40)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_upload_list_get_remove(connect: Connect, scenario: Scenario, files_root: Path) -> None:
    pid = scenario.juan
    async with connect() as c:
        photo = await c.call_tool(
            "managePatientFiles",
            {"action": "add", "patient_id": pid, "filename": "face.png", "content_base64": b64(PNG)},
        )
        info = ok(photo)["files"][0]
        assert (info["mime_type"], info["kind"], info["size_bytes"]) == ("image/png", "photo", len(PNG))
        assert info["uri"] == f"frontdesk://files/{info['id']}"
        assert photo.content[1].type == "resource_link" and photo.content[1].uri == info["uri"]
        on_disk = stored_files(files_root / str(scenario.practice_id))
        assert len(on_disk) == 1 and on_disk[0].read_bytes() == PNG and "face" not in on_disk[0].name
        letter = ok(
            await c.call_tool(
                "managePatientFiles",
                {
                    "action": "add",
                    "patient_id": pid,
                    "filename": "referral.pdf",
                    "content_base64": b64(PDF),
                    "description": "Referral from Dr. Who",
                },
            )
        )["files"][0]
        assert letter["kind"] == "document" and letter["mime_type"] == "application/pdf"
        text = ok(
            await c.call_tool(
                "managePatientFiles",
                {
                    "action": "add",
                    "patient_id": pid,
                    "filename": "notes.txt",
                    "content_base64": b64("olá\n".encode()),
                },
            )
        )["files"][0]
        scan = ok(
            await c.call_tool(
                "managePatientFiles",
                {
                    "action": "add",
                    "patient_id": pid,
                    "filename": "id-card",
                    "content_base64": b64(JPEG),
                    "kind": "identity",
                },
            )
        )["files"][0]
        assert scan["mime_type"] == "image/jpeg" and scan["kind"] == "identity"
        listed = ok(await c.call_tool("managePatientFiles", {"action": "list", "patient_id": pid}))
        assert listed["count"] == 4

        got = await c.call_tool("managePatientFiles", {"action": "get", "file_id": letter["id"]})
        embedded = got.content[1]
        assert embedded.type == "resource" and embedded.resource.mime_type == "application/pdf"
        assert base64.b64decode(embedded.resource.blob) == PDF
        as_text = await c.call_tool("managePatientFiles", {"action": "get", "file_id": text["id"]})
        assert as_text.content[1].resource.text == "olá\n"
        no_embed = await c.call_tool(
            "managePatientFiles", {"action": "get", "file_id": text["id"], "embed": False}
        )
        assert [x.type for x in no_embed.content] == ["text", "resource_link"]

        read = await c.read_resource(info["uri"])
        assert read.contents[0].mime_type == "image/png" and base64.b64decode(read.contents[0].blob) == PNG
        read_text = await c.read_resource(text["uri"])
        assert read_text.contents[0].mime_type == "text/plain" and read_text.contents[0].text == "olá\n"
        templates = await c.list_resource_templates()
        assert "frontdesk://files/{file_id}" in [t.uri_template for t in templates.resource_templates]

        ok(
            await c.call_tool(
                "managePatientFiles", {"action": "remove", "file_id": info["id"], "confirm": True}
            )
        )
        assert (
            ok(await c.call_tool("managePatientFiles", {"action": "list", "patient_id": pid}))["count"] == 3
        )
        err(await c.call_tool("managePatientFiles", {"action": "get", "file_id": info["id"]}), "conflict")


async def test_type_and_size_are_refused(connect: Connect, scenario: Scenario, files_root: Path) -> None:
    pid = scenario.juan
    base = {"action": "add", "patient_id": pid}
    async with connect() as c:
        zip_file = await c.call_tool(
            "managePatientFiles", base | {"filename": "x.zip", "content_base64": b64(ZIP)}
        )
        assert "PNG, JPEG, PDF" in err(zip_file, "invalid", "content_base64")["message"]
        renamed = await c.call_tool(
            "managePatientFiles", base | {"filename": "x.pdf", "content_base64": b64(ZIP)}
        )
        err(renamed, "invalid", "content_base64")  # the extension does not make it a PDF
        binary = await c.call_tool(
            "managePatientFiles", base | {"filename": "x.txt", "content_base64": b64(b"\x00\x01\x02binary")}
        )
        err(binary, "invalid", "content_base64")
        mismatch = await c.call_tool(
            "managePatientFiles", base | {"filename": "scan.pdf", "content_base64": b64(PNG)}
        )
        err(mismatch, "invalid", "filename")
        big = b"%PDF-1.4\n" + b"0" * MAX_FILE
        too_big = await c.call_tool(
            "managePatientFiles", base | {"filename": "big.pdf", "content_base64": b64(big)}
        )
        assert "limit" in err(too_big, "invalid", "content_base64")["message"]
        not_b64 = await c.call_tool(
            "managePatientFiles", base | {"filename": "a.txt", "content_base64": "%%%"}
        )
        err(not_b64, "invalid", "content_base64")
        empty = await c.call_tool("managePatientFiles", base | {"filename": "a.txt", "content_base64": ""})
        err(empty, "invalid")
        assert (
            ok(await c.call_tool("managePatientFiles", {"action": "list", "patient_id": pid}))["count"] == 0
        )
    assert stored_files(files_root) == []


async def test_files_are_scoped_to_the_practice_and_the_role(
    app: Frontdesk, connect: Connect, scenario: Scenario
) -> None:
    async with connect() as c:
        uri = ok(
            await c.call_tool(
                "managePatientFiles",
                {
                    "action": "add",
                    "patient_id": scenario.juan,
                    "filename": "a.txt",
                    "content_base64": b64(b"private"),
                },
            )
        )["files"][0]["uri"]
    other = await build_scenario(app)
    async with Client(build_server(app, surface="charm", default_principal=staff(other, "provider"))) as c:
        with pytest.raises(MCPError) as missing:
            await c.read_resource(uri)
        assert "private" not in str(missing.value)
        probe = await c.call_tool(
            "managePatientFiles", {"action": "get", "file_id": int(uri.rsplit("/", 1)[1])}
        )
        err(probe, "not_found", "file_id")
    async with connect("front_desk") as c:
        with pytest.raises(MCPError) as refused:
            await c.read_resource(uri)
        assert "forbidden" in str(refused.value)
        upload = await c.call_tool(
            "managePatientFiles",
            {"action": "add", "patient_id": scenario.juan, "filename": "b.txt", "content_base64": "%%%"},
        )
        err(upload, "forbidden")  # the scope is checked before the upload is even read
