"""Practice settings on both databases: defaults, chapters and keys, all-or-nothing updates, roles."""

from __future__ import annotations

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.domain import access
from frontdesk.domain import settings as catalogue
from frontdesk.domain.errors import Forbidden, Invalid
from frontdesk.services.context import Principal
from tests.factories import Scenario


async def test_defaults_by_chapter_and_by_key(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    policies = await app.practice_settings.get(p, chapter="policies")
    assert policies == {"policies": {k.name: k.default for k in catalogue.chapter("policies")}}
    some = await app.practice_settings.get(p, keys=["policies.noShowMaxStrikes", "basics.timezone"])
    assert some["policies"] == {"noShowMaxStrikes": 3}
    assert some["basics"]["timezone"] == "America/New_York"  # the practice record's own zone
    everything = await app.practice_settings.get(p)
    assert list(everything) == list(catalogue.CHAPTERS)


async def test_update_is_all_or_nothing(app: Frontdesk, scenario: Scenario) -> None:
    p = scenario.principal
    with pytest.raises(Invalid) as bad:
        await app.practice_settings.update(
            p, {"policies.noShowMaxStrikes": 5, "finances.clientPaymentTiming": "SOMETIMES"}
        )
    assert bad.value.field == "finances.clientPaymentTiming"
    assert "BEFORE, AFTER" in bad.value.message
    assert (await app.practice_settings.get(p, keys=["policies.noShowMaxStrikes"]))["policies"] == {
        "noShowMaxStrikes": 3
    }
    done = await app.practice_settings.update(
        p,
        {"policies.noShowMaxStrikes": 5, "finances.clientPaymentTiming": "BEFORE", "basics.name": "Renamed"},
    )
    assert set(done) == {"basics", "finances", "policies"}  # the affected chapters, whole
    assert done["policies"]["noShowMaxStrikes"] == 5 and done["policies"]["noShowBlockDays"] == 30
    assert done["basics"]["name"] == "Renamed"
    # Back to the default: the stored row goes, the value reads as the default.
    await app.practice_settings.update(p, {"policies.noShowMaxStrikes": 3})
    assert (await app.practice_settings.get(p, keys=["policies.noShowMaxStrikes"]))["policies"] == {
        "noShowMaxStrikes": 3
    }


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"policies.nope": 1}, "policies.nope", "unknown setting"),
        ({"nope.x": 1}, "nope.x", "chapters: basics"),
        ({"policies.noShowMaxStrikes": -1}, "policies.noShowMaxStrikes", "from 0 to 100"),
        ({"policies.noShowMaxStrikes": True}, "policies.noShowMaxStrikes", "whole number"),
        ({"availability.weekdayStart": "25:00"}, "availability.weekdayStart", "HH:MM"),
        ({"basics.currency": "euro"}, "basics.currency", "ISO 4217"),
        ({"basics.currency": "ABC"}, "basics.currency", "ISO 4217"),  # the shape of a code, not one
        ({"basics.timezone": "Mars/Olympus"}, "basics.timezone", "IANA"),
        ({"communication.channels": ["email", "fax"]}, "communication.channels", "drawn from"),
        ({"basics.description": "a\x00b"}, "basics.description", "control characters"),
    ],
)
async def test_bad_values_name_the_key(
    app: Frontdesk, scenario: Scenario, changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(Invalid) as bad:
        await app.practice_settings.update(scenario.principal, changes)
    assert bad.value.field == field and words in bad.value.message


async def test_only_admins_change_settings_and_practices_stay_apart(
    app: Frontdesk, scenario: Scenario
) -> None:
    desk = Principal(scenario.practice_id, "user:desk", access.ROLE_SCOPES[access.Role.FRONT_DESK])
    assert (await app.practice_settings.get(desk, chapter="policies"))["policies"]["noShowBlockDays"] == 30
    with pytest.raises(Forbidden):
        await app.practice_settings.update(desk, {"policies.noShowBlockDays": 1})
    await app.practice_settings.update(scenario.principal, {"policies.noShowBlockDays": 7})
    other = await app.practices.create(f"other-{scenario.practice_id}", "Other", "UTC")
    mine = Principal(other.id, "user:x")
    assert (await app.practice_settings.get(mine, chapter="policies"))["policies"]["noShowBlockDays"] == 30
