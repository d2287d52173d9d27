"""completion/complete through the real client, in-process, both protocol modes, SQLite and PostgreSQL:
names from the caller's practice only, prefix of the name or of a word, accents and case ignored,
at most 100, patients only with patients:read (and audited), nothing for what is not ours."""

from __future__ import annotations

import dataclasses

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, PromptReference, ResourceTemplateReference
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.domain.text import fold
from frontdesk.mcp.server import build_server
from frontdesk.storage import models as m
from tests.factories import Scenario, build_scenario
from tests.mcp.conftest import Connect

BOOK = PromptReference(name="book_appointment")


async def values(client: Client, argument: str, typed: str, ref: object = BOOK) -> list[str]:
    got = await client.complete(ref, {"name": argument, "value": typed})  # type: ignore[arg-type]
    return got.completion.values


async def test_doctors_services_and_datebooks(connect: Connect) -> None:
    async with connect() as client:
        assert await values(client, "doctor", "") == ["Dr. Ana Garcia", "Dr. Ana Silva", "Dr. João Silva"]
        assert await values(client, "doctor", "ANA") == ["Dr. Ana Garcia", "Dr. Ana Silva"]  # a word
        assert await values(client, "doctor", "joao") == ["Dr. João Silva"]  # accents ignored
        assert await values(client, "doctor", "dr. j") == ["Dr. João Silva"]  # the whole name
        assert await values(client, "doctor", "silv") == ["Dr. Ana Silva", "Dr. João Silva"]
        assert await values(client, "doctor", "arcia") == []  # a prefix, not a substring
        assert await values(client, "service", "cr") == ["Crown"]
        assert await values(client, "datebook", "lis", PromptReference(name="todays_schedule")) == ["Lisboa"]
        got = await client.complete(BOOK, {"name": "doctor", "value": "a"})
        assert got.completion.total == 2 and got.completion.has_more is False


async def test_patients_are_completed_and_the_read_is_audited(
    connect: Connect, app: Frontdesk, scenario: Scenario
) -> None:
    async with connect() as client:
        assert await values(client, "patient", "Ma") == ["María Santos"]
        assert await values(client, "patient", "sant") == ["María Santos"]  # the last name
        assert await values(client, "patient", "juan p") == ["Juan Perez"]
        assert await values(client, "patient", "j") == []  # too short to list anyone
    async with app.db.read() as s:
        rows = (
            await s.execute(
                select(m.AuditEvent.action, m.AuditEvent.tool, m.AuditEvent.detail).where(
                    m.AuditEvent.practice_id == scenario.practice_id
                )
            )
        ).all()
    completions = [r for r in rows if r.tool == "completion/complete"]
    assert len(completions) == 3  # one per lookup that showed names; none for the short one
    assert {r.action for r in completions} == {"patient.search"}
    assert sorted(r.detail for r in completions) == ["completion: 1 results"] * 3


async def test_only_the_callers_practice_and_scopes(app: Frontdesk, scenario: Scenario) -> None:
    other = await build_scenario(app)
    async with app.db.write() as s:
        s.add(
            m.Patient(
                practice_id=other.practice_id,
                uid="P-OTHER01",
                first_name="Zelda",
                last_name="Zimmer",
                search_name=fold("Zelda Zimmer"),
                created_at=app.clock(),
            )
        )
    async with Client(build_server(app, default_principal=scenario.principal)) as client:
        assert await values(client, "patient", "ze") == []
        assert len(await values(client, "doctor", "")) == 3  # not the other practice's three too
    billing = dataclasses.replace(scenario.principal, scopes=frozenset({access.BILLING_READ}))
    nurse = dataclasses.replace(scenario.principal, scopes=frozenset({access.APPOINTMENTS_READ}))
    async with Client(build_server(app, default_principal=billing)) as client:
        assert await values(client, "doctor", "") == []
        assert await values(client, "patient", "ju") == []
    async with Client(build_server(app, default_principal=nurse)) as client:
        assert await values(client, "doctor", "ana") == ["Dr. Ana Garcia", "Dr. Ana Silva"]
        assert await values(client, "patient", "ju") == []  # patients need patients:read


async def test_at_most_100_values(app: Frontdesk, scenario: Scenario) -> None:
    async with app.db.write() as s:
        for i in range(130):
            first, last = "Tomás", f"Tester{i:03d}"
            s.add(
                m.Patient(
                    practice_id=scenario.practice_id,
                    uid=f"P-T{i:07d}",
                    first_name=first,
                    last_name=last,
                    search_name=fold(f"{first} {last}"),
                    created_at=app.clock(),
                )
            )
    async with Client(build_server(app, default_principal=scenario.principal)) as client:
        got = (await client.complete(BOOK, {"name": "patient", "value": "tomas"})).completion
        assert len(got.values) == 100 and got.has_more is True
        assert got.values[:2] == ["Tomás Tester000", "Tomás Tester001"]
        few = (await client.complete(BOOK, {"name": "patient", "value": "tester12"})).completion
        assert few.values == [f"Tomás Tester{i}" for i in range(120, 130)] and few.has_more is False


async def test_resource_template_arguments(app: Frontdesk, scenario: Scenario) -> None:
    server = build_server(app, default_principal=scenario.principal)

    @server.resource("frontdesk://doctors/{doctor}/card", name="doctor-card")
    def card(doctor: str) -> str:
        return doctor

    async with Client(server) as client:
        ref = ResourceTemplateReference(uri="frontdesk://doctors/{doctor}/card")
        assert await values(client, "doctor", "gar", ref) == ["Dr. Ana Garcia"]
        assert await values(client, "patient", "ju", ref) == []  # the template takes no patient


@pytest.mark.parametrize(
    ("ref", "argument"),
    [
        (PromptReference(name="test_prompt_with_arguments"), "arg1"),  # the conformance suite's
        (PromptReference(name="no_such_prompt"), "doctor"),
        (BOOK, "room"),  # not an argument of the prompt
        (PromptReference(name="review_patient_chart"), "doctor"),  # ...nor of this one
        (ResourceTemplateReference(uri="frontdesk://nothing/{doctor}"), "doctor"),
    ],
)
async def test_what_is_not_ours_completes_to_nothing(connect: Connect, ref: object, argument: str) -> None:
    async with connect() as client:
        got = await client.complete(ref, {"name": argument, "value": "a"})  # type: ignore[arg-type]
    assert got.completion.values == [] and got.completion.has_more is False


async def test_a_value_too_long_is_invalid_params(connect: Connect) -> None:
    async with connect() as client:
        with pytest.raises(MCPError) as caught:
            await client.complete(BOOK, {"name": "patient", "value": "x" * 121})
    assert caught.value.code == INVALID_PARAMS and caught.value.message.startswith("argument.value: ")
