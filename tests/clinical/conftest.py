"""Chart fixtures: staff of each role on the scenario practice, files under tmp_path, call helpers."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp.server import build_server
from frontdesk.services.clinical.files import FileStore
from frontdesk.services.clinical.settings import ClinicalSettings
from frontdesk.services.context import Principal
from tests.factories import Scenario

MAX_FILE = 64 * 1024
Connect = Callable[..., AbstractAsyncContextManager[Client]]


def staff(sc: Scenario, role: str) -> Principal:
    if role == "admin":
        return dataclasses.replace(sc.principal, actor="user:admin")
    return Principal(sc.practice_id, f"user:{role}", access.ROLE_SCOPES[access.Role(role)])


@pytest.fixture
def files_root(app: Frontdesk, tmp_path: Path) -> Path:
    """Files under this test's tmp_path, with a small size limit."""
    settings = ClinicalSettings(files_dir=tmp_path / "files", max_file_bytes=MAX_FILE)
    app.files.settings = settings
    app.files.store = FileStore(settings.files_dir)
    return settings.files_dir


@pytest.fixture
def connect(app: Frontdesk, scenario: Scenario, files_root: Path) -> Connect:
    """`async with connect("provider") as c:` opens the real mcp client as that role's staff member, on
    the CharmHealth surface (the seed's tool names) unless told another."""

    def open_as(
        role: str = "provider", sc: Scenario | None = None, surface: str = "charm"
    ) -> AbstractAsyncContextManager[Client]:
        return Client(build_server(app, surface=surface, default_principal=staff(sc or scenario, role)))

    return open_as


def ok(result: CallToolResult) -> dict[str, Any]:
    """The structured result of a call that must succeed (its text on failure)."""
    assert not result.is_error, result.content[0].text if result.content else result
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def err(result: CallToolResult, code: str, field: str | None = None) -> dict[str, Any]:
    """The error of a call that must fail with `code` (and name `field`)."""
    assert result.is_error, result.structured_content
    error: dict[str, Any] = result.structured_content["error"]  # type: ignore[index]
    assert error["code"] == code, error
    if field is not None:
        assert error.get("field") == field, error
    return error


async def seeded(connect: Connect, sc: Scenario) -> dict[str, int]:
    """One record of every kind for Juan, made by a clinician."""
    pid = sc.juan
    async with connect() as c:

        async def first(tool: str, key: str, args: dict[str, Any]) -> int:
            return int(
                ok(await c.call_tool(tool, {"action": "add", "patient_id": pid, **args}))[key][0]["id"]
            )

        return {
            "allergy": await first(
                "managePatientAllergies",
                "allergies",
                {"allergen": "Codeine", "category": "drug", "reaction": "itching"},
            ),
            "medication": await first("managePatientDrugs", "medications", {"drug_name": "Sertraline 50 mg"}),
            "diagnosis": await first("managePatientDiagnoses", "diagnoses", {"code": "F32.9"}),
            "note": await first("managePatientNotes", "notes", {"text": "Discussed depression screening"}),
            "recall": await first(
                "managePatientRecalls", "recalls", {"due_date": "2026-03-10", "reason": "PHQ-9"}
            ),
            "vitals": await first("managePatientVitals", "readings", {"pulse": 72}),
            "lab": await first(
                "managePatientLabs", "labs", {"loinc_code": "2345-7", "test_name": "Glucose", "value": "95"}
            ),
            "file": await first(
                "managePatientFiles",
                "files",
                {"filename": "x.txt", "content_base64": base64.b64encode(b"depression screen").decode()},
            ),
            "encounter": int(
                ok(
                    await c.call_tool(
                        "documentEncounter",
                        {"action": "create", "patient_id": pid, "chief_complaint": "Low mood"},
                    )
                )["encounters"][0]["id"]
            ),
        }
