"""The authorize step in a real headless Chromium (Debian's chromium + chromium-driver, via Selenium):
a person opens the authorize URL of `frontdesk serve --demo` (a subprocess), signs in, sees which client
asks for which scopes and practice, approves or denies; the test then exchanges the code.

Under CI (env CI set) a missing browser fails the test instead of skipping it (tests/browser/chrome.py)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

from tests.browser import chrome
from tests.e2e.conftest import Server, demo_server

pytestmark = pytest.mark.e2e

PASSWORD_LINE = re.compile(r"email (\S+), password (\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def chrome_paths() -> tuple[str, str]:
    return chrome.find()


@pytest.fixture
def driver(chrome_paths: tuple[str, str], tmp_path: Path) -> Iterator[Any]:
    browser = chrome.start(chrome_paths, tmp_path / "profile")
    try:
        yield browser
    finally:
        browser.quit()


class Callback:
    """The connector's redirect endpoint, on a loopback port: records what the browser brings back."""

    def __init__(self) -> None:
        self.hits: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/callback":  # not the browser's own /favicon.ico
                    outer.hits.append({k: v[0] for k, v in parse_qs(url.query).items()})
                body = b"<html><body><p id='done'>You can close this window.</p></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Callback:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with demo_server("sqlite", tmp_path_factory.mktemp("browser")) as srv:
        yield srv


def owner(server: Server) -> tuple[str, str]:
    found = PASSWORD_LINE.search(server.stdout_path.read_text())
    assert found, server.logs()
    return found.group(1), found.group(2)


def start(server: Server, callback: Callback) -> tuple[str, str, str]:
    """Register a connector and build its authorize URL; returns (client_id, verifier, url)."""
    reg = httpx2.post(
        f"{server.base_url}/register",
        json={
            "client_name": "Claude (browser test)",
            "redirect_uris": [callback.url],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        },
        timeout=10,
    )
    assert reg.status_code == 201, reg.text
    client_id = reg.json()["client_id"]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": callback.url,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "browser-state",
        "scope": "appointments:read appointments:write",
        "resource": server.mcp_url,
    }
    return client_id, verifier, f"{server.base_url}/authorize?{urlencode(query)}"


def sign_in(driver: Any, url: str, email: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    assert "Claude (browser test)" in driver.find_element(By.ID, "client").text
    driver.find_element(By.ID, "practice").send_keys("demo")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()


def wait_for(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.ID, element_id))
    )


def test_sign_in_approve_and_exchange_the_code(server: Server, driver: Any) -> None:
    email, password = owner(server)
    with Callback() as callback:
        client_id, verifier, url = start(server, callback)
        sign_in(driver, url, email, password)

        assert wait_for(driver, "client-name").text == "Claude (browser test)"
        assert "Frontdesk Demo Practice" in wait_for(driver, "practice-name").text
        assert wait_for(driver, "user-name").text == "Demo Owner"
        from selenium.webdriver.common.by import By

        scopes = {
            li.get_attribute("data-scope") for li in driver.find_elements(By.CSS_SELECTOR, "#scopes li")
        }
        assert scopes == {"appointments:read", "appointments:write"}
        driver.find_element(By.ID, "approve").click()
        wait_for(driver, "done")

    assert len(callback.hits) == 1
    answer = callback.hits[0]
    assert answer["state"] == "browser-state" and answer["iss"] == server.base_url
    token = httpx2.post(
        f"{server.base_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": callback.url,
            "client_id": client_id,
            "code_verifier": verifier,
            "resource": server.mcp_url,
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    assert set(token.json()["scope"].split()) == {"appointments:read", "appointments:write"}
    listed = httpx2.post(
        server.mcp_url,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "b", "version": "1"},
            },
        },
        headers={
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-11-25",
        },
        timeout=10,
    )
    assert listed.status_code == 200, listed.text


def test_deny_sends_the_browser_back_with_access_denied(server: Server, driver: Any) -> None:
    email, password = owner(server)
    with Callback() as callback:
        _, _, url = start(server, callback)
        sign_in(driver, url, email, password)
        wait_for(driver, "deny").click()
        wait_for(driver, "done")
    assert callback.hits == [
        {
            "error": "access_denied",
            "error_description": "the user denied access",
            "state": "browser-state",
            "iss": server.base_url,
        }
    ]


def test_a_wrong_password_stays_on_the_sign_in_page(server: Server, driver: Any) -> None:
    email, _ = owner(server)
    with Callback() as callback:
        _, _, url = start(server, callback)
        sign_in(driver, url, email, "not the password")
        assert "not right" in wait_for(driver, "error").text
    assert callback.hits == []
