"""The prompts through the real client, in-process, in both protocol modes: listed with their arguments,
rendered with the tools to use, refused with -32602 naming the field, and shown by scope."""

from __future__ import annotations

import dataclasses
import re

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.mcp import prompts
from frontdesk.mcp.server import build_server, new_server
from tests.factories import Scenario
from tests.mcp.conftest import Connect

EXPECTED = {
    "book_appointment": ({"patient"}, {"doctor", "service", "date", "datebook"}),
    "todays_schedule": (set(), {"datebook", "doctor", "date"}),
    "reschedule_or_cancel": ({"patient"}, {"date", "doctor"}),
    "review_patient_chart": ({"patient"}, set()),
}
TOOL_NAMES = {
    v for k, v in vars(prompts).items() if k.isupper() and not k.startswith("_") and isinstance(v, str)
}


async def test_the_prompts_are_listed_with_their_arguments(connect: Connect) -> None:
    async with connect() as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(listed) == set(EXPECTED)
    for name, (required, optional) in EXPECTED.items():
        prompt = listed[name]
        assert prompt.title and prompt.description, name
        args = {a.name: a for a in prompt.arguments or []}
        assert set(args) == required | optional, name
        assert {a for a in args if args[a].required} == required, name
        assert all(a.description for a in args.values()), name


async def test_a_prompt_names_the_tools_and_carries_the_arguments(connect: Connect) -> None:
    async with connect() as client:
        got = await client.get_prompt(
            "book_appointment",
            {
                "patient": "  Juan   Perez ",
                "doctor": "Dr. Ana Garcia",
                "service": "Cleaning",
                "date": "2026-03-03",
            },
        )
    assert len(got.messages) == 1 and got.messages[0].role == "user"
    text = got.messages[0].content.text  # type: ignore[union-attr]
    assert "“Juan Perez”" in text and "“Dr. Ana Garcia”" in text and "“Cleaning”" in text
    assert "on 2026-03-03" in text
    for tool in ("find_patients", "list_doctors", "find_available_slots", "create_appointment", "hold_slot"):
        assert tool in text, tool


async def test_every_prompt_renders_and_names_only_tools_of_the_block(connect: Connect) -> None:
    """The tool names live in one block (prompts.py); every snake_case name a prompt mentions is one."""
    async with connect() as client:
        for name, (required, _) in EXPECTED.items():
            got = await client.get_prompt(name, {a: "Juan Perez" for a in required})
            text = got.messages[0].content.text  # type: ignore[union-attr]
            mentioned = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text))
            assert mentioned and mentioned <= TOOL_NAMES, (name, mentioned - TOOL_NAMES)


@pytest.mark.parametrize(
    ("name", "arguments", "field", "rule"),
    [
        ("no_such_prompt", {}, "name", "no prompt is named 'no_such_prompt'"),
        ("book_appointment", {}, "arguments.patient", "is required"),
        ("book_appointment", {"patient": "   "}, "arguments.patient", "is required"),
        ("book_appointment", {"patient": "x", "room": "3"}, "arguments.room", "takes no such argument"),
        ("book_appointment", {"patient": "x" * 121}, "arguments.patient", "at most 120 characters"),
        ("todays_schedule", {"date": "next tuesday"}, "arguments.date", "YYYY-MM-DD"),
        ("todays_schedule", {"date": "2026-02-30"}, "arguments.date", "YYYY-MM-DD"),
        ("todays_schedule", {"datebook": "Main\u0000Street"}, "arguments.datebook", "control characters"),
    ],
)
async def test_bad_requests_are_invalid_params_naming_the_field(
    connect: Connect, name: str, arguments: dict[str, str], field: str, rule: str
) -> None:
    async with connect() as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt(name, arguments)
    assert caught.value.code == INVALID_PARAMS
    assert caught.value.message.startswith(f"{field}: ") and rule in caught.value.message


async def test_the_bare_server_already_serves_the_prompts() -> None:
    """What stdio answers before the services load: the same list, the same strict prompts/get."""
    async with Client(new_server(), mode="legacy") as client:
        assert {p.name for p in (await client.list_prompts()).prompts} == set(EXPECTED)
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("missing", {})
        assert caught.value.code == INVALID_PARAMS


async def test_prompts_are_shown_by_scope(app: Frontdesk, scenario: Scenario) -> None:
    desk = dataclasses.replace(scenario.principal, scopes=access.ROLE_SCOPES[access.Role.FRONT_DESK])
    viewer = dataclasses.replace(scenario.principal, scopes=access.ROLE_SCOPES[access.Role.READ_ONLY])
    async with Client(build_server(app, default_principal=desk)) as client:
        names = {p.name for p in (await client.list_prompts()).prompts}
        assert names == {"book_appointment", "todays_schedule", "reschedule_or_cancel"}
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("review_patient_chart", {"patient": "Juan Perez"})
        assert caught.value.code == INVALID_PARAMS and "clinical:read" in caught.value.message
    async with Client(build_server(app, default_principal=viewer)) as client:
        assert {p.name for p in (await client.list_prompts()).prompts} == {"todays_schedule"}


@pytest.mark.parametrize("surface", ["odonto", "medapp", "charm"])
async def test_seed_surfaces_advertise_no_prompts(app: Frontdesk, scenario: Scenario, surface: str) -> None:
    """The prompts name Frontdesk's own tools; like their seeds, the seed surfaces have none, and say so."""
    server = build_server(app, surface=surface, default_principal=scenario.principal)
    async with Client(server, mode="legacy") as client:
        caps = client.session.server_capabilities
        assert caps is not None and caps.prompts is None and caps.logging is not None


async def test_every_tool_a_prompt_names_is_served(app: Frontdesk, scenario: Scenario) -> None:
    from frontdesk.mcp import prompts as module

    named = {v for k, v in vars(module).items() if k.isupper() and isinstance(v, str) and v.islower()}
    named = {n for n in named if "_" in n and not n.startswith(("arguments", "text"))}
    async with Client(build_server(app, default_principal=scenario.principal)) as client:
        served = {t.name for t in (await client.list_tools()).tools}
    assert named and named <= served, sorted(named - served)
