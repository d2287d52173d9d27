"""Debian's chromium + chromium-driver, driven with Selenium: finding them and starting a headless browser.

Under CI (env CI set) a missing browser, driver or selenium fails the test instead of skipping it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(what: str) -> None:
    message = f"{what} is not installed (Debian: apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def find() -> tuple[str, str]:
    """(browser, driver) paths; skips the test when one is missing (fails it under CI)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if browser is None:
        missing("chromium")
    if driver is None:
        missing("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing("the selenium package")
    assert browser and driver
    return browser, driver


def start(paths: tuple[str, str], profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    chrome = webdriver.Chrome(service=Service(paths[1]), options=options)
    chrome.set_page_load_timeout(30)
    return chrome
