"""The booking page in a real headless Chromium (Selenium, Debian's chromium + chromium-driver): a
booking end to end (every form field labelled on every step), a cancel by the manage link, the same
flow with JavaScript switched off, and the mobile-viewport screenshot in docs/booking-page.png.

The server is the real app under uvicorn in the test's event loop (tests/http/conftest.py); the
browser's blocking calls run in a thread so the loop keeps serving."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frontdesk.composition import Frontdesk
from tests.browser import chrome
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.http.conftest import serving

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
SHOT = Path(__file__).resolve().parents[2] / "docs" / "booking-page.png"
UNLABELLED = """
return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.closest('label'))
  .map(e => e.name);
"""


def _start(paths: tuple[str, str], profile: Path, *, javascript: bool) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in chrome.FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=390,844")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    browser = webdriver.Chrome(service=Service(paths[1]), options=options)
    browser.set_page_load_timeout(30)
    return browser


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


def _find(d: Any, css: str) -> Any:
    """The element once the page showing it has loaded (a click does not wait for the next page)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(d, 15).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _until_text(d: Any, css: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(d, 15).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def _click(d: Any, css: str) -> None:
    _find(d, css).click()


def _type(d: Any, css: str, text: str) -> None:
    _find(d, css).send_keys(text)


def _text(d: Any, css: str) -> str:
    return str(_find(d, css).text)


def _labelled(d: Any, seen: list[str]) -> None:
    """Every visible form field of the current page has a label (checked where scripts run)."""
    if d.javascript:
        missing = d.execute_script(UNLABELLED)
        assert missing == [], (d.current_url, missing)
    seen.append(d.title)


def _flow(d: Any, base: str, sc: Scenario, shot: bool) -> str:
    """Book and confirm through the page; returns the manage link."""
    seen: list[str] = []
    d.get(f"{base}/{sc.slug}/book?lang=en")
    _labelled(d, seen)
    _click(d, f"#service-{sc.cleaning}")
    _click(d, "#next")
    _find(d, "#slot-1-1")
    _labelled(d, seen)
    _click(d, "#slot-1-1")
    if shot:  # the time step, the busiest screen, at a phone's size
        d.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )
        SHOT.parent.mkdir(exist_ok=True)
        d.save_screenshot(str(SHOT))
    _click(d, "#next")
    _find(d, "#full_name")
    _labelled(d, seen)
    _type(d, "#full_name", "Lucía Rojas")
    _type(d, "#email", "lucia@example.org")
    _click(d, "#next")
    _find(d, "#intent")
    _labelled(d, seen)
    _click(d, "#intent")
    _click(d, "#request")
    assert "please confirm" in _text(d, "#pending")
    _click(d, "#confirm")
    assert _text(d, "#confirmed") == "Your booking is confirmed"
    assert _text(d, "#status") == "booked"
    return str(_find(d, "#manage").get_attribute("href"))


def _cancel(d: Any, link: str) -> None:
    d.get(link)
    assert _text(d, "#status") == "booked"
    _click(d, "#cancel")
    _until_text(d, "#manage-title", "Your booking is cancelled")  # the same id as the page before
    assert _text(d, "#status") == "cancelled"


async def test_book_end_to_end_and_cancel_by_link(driver: Any, app: Frontdesk, clock: Clock) -> None:
    sc = await build_scenario(app)
    async with serving(app, clock) as live:
        link = await asyncio.to_thread(_flow, driver, live.base, sc, driver.javascript)
        assert link.startswith(f"{live.base}/{sc.slug}/booking/")
        await asyncio.to_thread(_cancel, driver, link)
    if driver.javascript:
        assert SHOT.stat().st_size > 10_000
