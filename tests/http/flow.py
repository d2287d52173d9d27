"""The OAuth steps a connector and a person take, driven over real HTTP: dynamic registration, the
authorize redirect, the sign-in and consent forms (posted as a browser would, cookies included), and
the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2

from tests.http.conftest import PASSWORD, Live

CALLBACK = "http://127.0.0.1:9/callback"  # loopback (RFC 8252); never reached, the Location is read
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def hidden_fields(page: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in _INPUT.findall(page):
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type") == "hidden" and "name" in attrs:
            out[attrs["name"]] = attrs.get("value", "")
    return out


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def browser() -> httpx2.AsyncClient:
    """A cookie-keeping client that does not follow redirects, so each hop can be inspected."""
    return httpx2.AsyncClient(follow_redirects=False, timeout=30)


async def register(
    hc: httpx2.AsyncClient,
    live: Live,
    redirect_uris: list[str] | None = None,
    *,
    name: str = "Test Connector",
    auth_method: str = "none",
) -> dict[str, Any]:
    body = {
        "client_name": name,
        "redirect_uris": redirect_uris or [CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": auth_method,
    }
    r = await hc.post(f"{live.base}/register", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def new_client(live: Live, redirect_uris: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
    async with browser() as hc:
        return await register(hc, live, redirect_uris, **kwargs)


def authorize_url(live: Live, client_id: str, challenge: str | None, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "state": "state-1",
        "resource": live.mcp_url,
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    params |= extra
    return f"{live.base}/authorize?{urlencode({k: v for k, v in params.items() if v})}"


@dataclass
class SignIn:
    practice: str
    email: str
    password: str = PASSWORD
    totp: str = ""


async def open_signin(hc: httpx2.AsyncClient, url: str) -> httpx2.Response:
    """GET /authorize, follow its redirect to the sign-in page."""
    r = await hc.get(url)
    assert r.status_code == 302, r.text
    assert "/oauth/signin?" in r.headers["location"], r.headers["location"]
    page = await hc.get(r.headers["location"])
    assert page.status_code == 200, page.text
    return page


async def submit_signin(
    hc: httpx2.AsyncClient, live: Live, page: httpx2.Response, who: SignIn
) -> httpx2.Response:
    form = hidden_fields(page.text) | {
        "practice": who.practice,
        "email": who.email,
        "password": who.password,
        "totp": who.totp,
    }
    return await hc.post(f"{live.base}/oauth/signin", data=form, headers={"Origin": live.base})


async def decide(
    hc: httpx2.AsyncClient, live: Live, consent: httpx2.Response, decision: str
) -> dict[str, str]:
    form = hidden_fields(consent.text) | {"decision": decision}
    r = await hc.post(f"{live.base}/oauth/consent", data=form, headers={"Origin": live.base})
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith(CALLBACK), location
    return query(location)


async def get_code(live: Live, client_id: str, who: SignIn, **extra: str) -> tuple[str, str]:
    """Sign in and approve; returns (code, verifier)."""
    verifier, challenge = pkce()
    async with browser() as hc:
        page = await open_signin(hc, authorize_url(live, client_id, challenge, **extra))
        consent = await submit_signin(hc, live, page, who)
        assert consent.status_code == 200, consent.text
        answer = await decide(hc, live, consent, "approve")
    assert answer["state"] == extra.get("state", "state-1")
    assert answer["iss"] == live.base
    return answer["code"], verifier


async def exchange(
    hc: httpx2.AsyncClient,
    live: Live,
    client_id: str,
    code: str,
    verifier: str | None,
    resource: str | None = None,
) -> httpx2.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": client_id,
        "resource": resource or live.mcp_url,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    return await hc.post(f"{live.base}/token", data=form)


async def refresh(hc: httpx2.AsyncClient, live: Live, client_id: str, token: str) -> httpx2.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": token,
        "client_id": client_id,
        "resource": live.mcp_url,
    }
    return await hc.post(f"{live.base}/token", data=form)


async def tokens(live: Live, client_id: str, who: SignIn) -> dict[str, Any]:
    code, verifier = await get_code(live, client_id, who)
    async with browser() as hc:
        r = await exchange(hc, live, client_id, code, verifier)
    assert r.status_code == 200, r.text
    return dict(r.json())


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}


async def mcp_status(
    hc: httpx2.AsyncClient, live: Live, token: str | None, url: str | None = None, **headers: str
) -> httpx2.Response:
    """POST an initialize to /mcp (or `url`) with this bearer token: 200 when the token is accepted."""
    h = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-Protocol-Version": "2025-11-25",
    }
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    return await hc.post(url or live.mcp_url, json=INITIALIZE, headers=h | headers)
