"""The feedback page in a real headless Chromium (Selenium): the link a follow-up email carries opens
the question, every field is labelled, a score is chosen with the keyboard alone (Tab to the group,
arrow keys, Enter submits), and the thanks page follows; with JavaScript on and off."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.services.messaging import nps
from frontdesk.storage.repositories import feeds as feeds_repo
from tests.browser import chrome
from tests.browser.test_booking_page import UNLABELLED, _find, _start, _text
from tests.conftest import Clock
from tests.factories import build_scenario
from tests.feeds.test_nps import FOLLOWUP, completed
from tests.http.conftest import serving

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture(scope="module")
def chrome_paths() -> tuple[str, str]:
    return chrome.find()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def driver(request: pytest.FixtureRequest, chrome_paths: tuple[str, str], tmp_path: Path) -> Iterator[Any]:
    browser = _start(chrome_paths, tmp_path / "profile", javascript=request.param)
    browser.javascript = request.param
    try:
        yield browser
    finally:
        browser.quit()


def _answer(d: Any, url: str) -> None:
    from selenium.webdriver.common.keys import Keys

    d.get(url)
    assert _text(d, "#feedback-title") == "How was your visit?"
    if d.javascript:
        assert d.execute_script(UNLABELLED) == []
    _find(d, "#score-0").send_keys(Keys.SPACE)  # focus the group and pick 0 ...
    active = d.switch_to.active_element
    for _ in range(9):
        active.send_keys(Keys.ARROW_RIGHT)  # ... arrows move the choice: 9
        active = d.switch_to.active_element
    assert _find(d, "#score-9").is_selected()
    active.send_keys(Keys.TAB)
    d.switch_to.active_element.send_keys("Very kind staff")  # the comment box comes next
    d.switch_to.active_element.send_keys(Keys.TAB)
    d.switch_to.active_element.send_keys(Keys.ENTER)  # the send button
    assert _text(d, "#thanks-title") == "Thank you!"
    assert _text(d, "#your-score") == "Your score: 9 of 10"


async def test_answer_with_the_keyboard(driver: Any, app: Frontdesk, clock: Clock) -> None:
    sc = await build_scenario(app)
    await app.practice_settings.update(sc.principal, FOLLOWUP)
    appt_id = await completed(app, sc, "2026-03-02T10:00")
    token, hashed = nps.new_token()
    async with app.db.write() as s:
        row = await feeds_repo.request_for(s, sc.practice_id, appt_id)
        assert row is not None
        await feeds_repo.add_token(s, sc.practice_id, row.id, hashed, clock(), clock() + timedelta(days=30))
    async with serving(app, clock) as live:
        await asyncio.to_thread(_answer, driver, f"{live.base}/{sc.slug}/feedback/{token}?lang=en")
    async with app.db.read() as s:
        row = await feeds_repo.request_for(s, sc.practice_id, appt_id)
    assert row is not None and (row.score, row.comment) == (9, "Very kind staff")
