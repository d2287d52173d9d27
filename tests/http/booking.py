"""Helpers of the booking page's HTTP tests: the app over httpx's ASGI transport, a scenario, and
readers of the page's forms."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import httpx2
import pytest

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.settings import HttpSettings
from tests.factories import Scenario, build_scenario

BASE = "http://127.0.0.1:8000"


@pytest.fixture
async def sc(app: Frontdesk) -> Scenario:
    return await build_scenario(app)


@pytest.fixture
async def web(app: Frontdesk) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(app, HttpSettings()))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def form(page: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form of the page."""
    m = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S)
    assert m, form_id
    return {
        html.unescape(n): html.unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(0))
    }


def radios(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'name="{name}" value="([^"]+)"', page)]


def refused(page: str) -> str:
    """The page's refusal (on the error page or above a form)."""
    m = re.search(r'<p class="error" id="(?:refused|error)" role="alert">([^<]*)</p>', page)
    assert m, page
    return html.unescape(m.group(1))
