"""The MedApp widget (ui://widget/medical-app.html) books in a real headless Chromium.

A small host, served by the test on a loopback port, stands in for ChatGPT and for an MCP Apps host:
it embeds the widget HTML exactly as the real `frontdesk serve --demo` returns it from `resources/read`
and forwards the widget's tool calls to that server's MCP endpoint with the demo key (the browser
posts to the test's own `/rpc`, which proxies the JSON-RPC, so there is no CORS and no key in the
page). Nothing of Frontdesk is mocked: slots come from `get_available_slots`, bookings land in the
database and are read back with `list_appointments`.

- ChatGPT: `window.openai` (callTool, toolOutput, toolResponseMetadata, the `openai:set_globals` event).
- MCP Apps (SEP-1865, 2026-01-26): the widget in a sandboxed iframe speaks JSON-RPC over postMessage
  (`ui/initialize`, `ui/notifications/initialized`, `tools/call`; the host sends
  `ui/notifications/tool-input` and `ui/notifications/tool-result`).

Under CI (env CI set) a missing browser fails the test instead of skipping it (tests/browser/chrome.py)."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest

from tests.browser import chrome
from tests.e2e.conftest import Server, demo_server

pytestmark = pytest.mark.e2e

MCP_PATH = "/mcp/medapp"  # the MedApp seed's own surface
FRONTDESK_PATH = "/mcp"
WIDGET_URI = "ui://widget/medical-app.html"
PROTOCOL = "2025-11-25"
MCP_APPS_PROTOCOL = "2026-01-26"
WAIT = 20
# The MCP Apps default CSP for a view that declares no domains (hosts MUST apply it): the widget has
# to work under it, so it can load nothing from anywhere.
VIEW_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' data:; connect-src 'none'"
)


# --- the real server, over plain JSON-RPC -------------------------------------------------------------


class Mcp:
    """A minimal synchronous Streamable-HTTP MCP client (one session), safe to share between threads."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self._frontdesk: Mcp | None = None
        self.http = httpx2.Client(timeout=httpx2.Timeout(30, read=60))
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.headers = {
            "Authorization": f"Bearer {key}",
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
            "MCP-Protocol-Version": PROTOCOL,
        }
        answer, response = self._post(
            {
                "method": "initialize",
                "params": {
                    "protocolVersion": PROTOCOL,
                    "capabilities": {},
                    "clientInfo": {"name": "widget-test-host", "version": "1"},
                },
            }
        )
        assert "result" in answer, answer
        session = response.headers.get("mcp-session-id")
        if session:
            self.headers["Mcp-Session-Id"] = session
        note = self.http.post(
            self.url, headers=self.headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"}
        )
        assert note.status_code == 202, note.text

    def _post(self, message: dict[str, Any]) -> tuple[dict[str, Any], httpx2.Response]:
        with self.lock:
            body = {"jsonrpc": "2.0", "id": next(self.ids), **message}
            response = self.http.post(self.url, headers=self.headers, json=body)
        assert response.status_code == 200, response.text
        if response.headers["content-type"].startswith("application/json"):
            return dict(response.json()), response
        data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
        assert data, response.text
        return dict(json.loads(data[-1])), response

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The JSON-RPC answer: {"result": ...} or {"error": ...}."""
        return self._post({"method": method, "params": params})[0]

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return self.request("tools/call", {"name": name, "arguments": arguments})

    def ok(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        answer = self.call(name, arguments)
        assert "result" in answer, answer
        assert not answer["result"].get("isError"), answer["result"]
        return dict(answer["result"])

    def widget_html(self) -> str:
        answer = self.request("resources/read", {"uri": WIDGET_URI})
        content = answer["result"]["contents"][0]
        assert content["mimeType"].startswith("text/html"), content["mimeType"]
        return str(content["text"])

    @property
    def frontdesk(self) -> Mcp:
        """A session on Frontdesk's own surface (/mcp), for reading the schedule back."""
        if self._frontdesk is None:
            self._frontdesk = Mcp(self.url.removesuffix(MCP_PATH) + FRONTDESK_PATH, self.key)
        return self._frontdesk

    def close(self) -> None:
        if self._frontdesk is not None:
            self._frontdesk.close()
        self.http.close()


def patients_at(mcp: Mcp, slot: dict[str, Any], doctor: str) -> list[str]:
    """The patients the doctor sees at the slot's time (in any datebook), as the server lists them
    (through Frontdesk's own surface: the MedApp seed has no schedule tool)."""
    start = datetime.fromisoformat(slot["time"].replace("Z", "+00:00"))
    found = []
    mcp = mcp.frontdesk
    for book in mcp.ok("list_datebooks", {})["structuredContent"]["datebooks"]:
        listed = mcp.ok(
            "list_appointments",
            {
                "datebook_id": book["id"],
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=1)).isoformat(),
            },
        )["structuredContent"]["appointments"]
        found += [
            a["patient_name"]
            for a in listed
            if a["doctor_name"] == doctor
            and datetime.fromisoformat(a["start"]) == start
            and a["status"] != "cancelled"
        ]
    return found


# --- the host pages -------------------------------------------------------------------------------

# Put into the widget's document ahead of its own script, as ChatGPT injects its bridge.
OPENAI_BRIDGE = """<script>
(function () {
  var calls = [];
  window.openai = {
    theme: "light", displayMode: "inline", locale: "en-US",
    toolInput: null, toolOutput: null, toolResponseMetadata: null, widgetState: null,
    callTool: function (name, args) {
      calls.push({ name: name, args: args });
      return fetch("/rpc", { method: "POST", headers: { "Content-Type": "application/json" },
                             body: JSON.stringify({ name: name, arguments: args }) })
        .then(function (r) { return r.json(); })
        .then(function (b) {
          if (b.error) throw new Error(b.error.message);
          // "legacy": the Apps SDK's first documented answer, {result: "<JSON>"}, here only the
          // structuredContent (no _meta)
          if (window.__host.shape !== "legacy") return b.result;
          return { result: JSON.stringify(b.result.structuredContent) };
        });
    }
  };
  window.__host = {
    calls: calls,
    shape: "result",
    seed: function (args, result) {
      var globals = { toolInput: args, toolOutput: result.structuredContent || null,
                      toolResponseMetadata: result._meta || null };
      Object.assign(window.openai, globals);
      window.dispatchEvent(new CustomEvent("openai:set_globals", { detail: { globals: globals } }));
    }
  };
})();
</script>
"""

CHATGPT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatGPT stand-in</title></head>
<body><iframe id="widget" name="widget" title="Frontdesk appointments" src="/frame/chatgpt"
  style="width: 640px; height: 640px; border: 0"></iframe></body></html>
"""

# An MCP Apps host: the view in a sandboxed iframe (no same-origin), JSON-RPC over postMessage.
MCP_APPS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCP Apps host stand-in</title></head>
<body>
<script>
(function () {
  var frame = document.createElement("iframe");
  var initialized = false, seed = null;
  window.hostLog = [];   // what the view sent
  window.hostSent = [];  // what the host sent the view
  function send(message) { window.hostSent.push(message); frame.contentWindow.postMessage(message, "*"); }
  function flush() {
    if (!initialized || !seed) return;
    send({ jsonrpc: "2.0", method: "ui/notifications/tool-input", params: { arguments: seed.args } });
    send({ jsonrpc: "2.0", method: "ui/notifications/tool-result", params: seed.result });
    seed = null;
  }
  window.hostSeed = function (args, result) { seed = { args: args, result: result }; flush(); };
  window.addEventListener("message", function (ev) {
    if (ev.source !== frame.contentWindow) return;
    var m = ev.data;
    if (!m || m.jsonrpc !== "2.0") return;
    window.hostLog.push(m);
    if (m.method === "ui/initialize") {
      send({ jsonrpc: "2.0", id: m.id, result: {
        protocolVersion: "PROTOCOL",
        hostInfo: { name: "frontdesk-test-host", version: "1" },
        hostCapabilities: { serverTools: {}, logging: {} },
        hostContext: { theme: "light", displayMode: "inline", availableDisplayModes: ["inline"],
                       locale: "en-US", platform: "web" }
      } });
    } else if (m.method === "ui/notifications/initialized") {
      initialized = true;
      flush();
    } else if (m.method === "tools/call") {
      fetch("/rpc", { method: "POST", headers: { "Content-Type": "application/json" },
                      body: JSON.stringify(m.params) })
        .then(function (r) { return r.json(); })
        .then(function (b) {
          if (b.error) { send({ jsonrpc: "2.0", id: m.id, error: b.error }); return; }
          send({ jsonrpc: "2.0", id: m.id, result: b.result });
          // The spec's interactive phase also shows the host notifying the view of the call's input and
          // result; the widget must take the repeat in its stride.
          send({ jsonrpc: "2.0", method: "ui/notifications/tool-input",
                 params: { arguments: m.params.arguments } });
          send({ jsonrpc: "2.0", method: "ui/notifications/tool-result", params: b.result });
        });
    } else if (m.id !== undefined && m.method) {
      send({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "not supported here" } });
    }
  });
  frame.id = "widget";
  frame.name = "widget";
  frame.title = "Frontdesk appointments";
  frame.setAttribute("sandbox", "allow-scripts");
  frame.style.cssText = "width: 640px; height: 640px; border: 0";
  frame.src = "/frame/plain";
  document.body.appendChild(frame);
})();
</script>
</body></html>
""".replace("PROTOCOL", MCP_APPS_PROTOCOL)


class Host:
    """The host pages on a loopback port, and `/rpc`, which forwards a tools/call to the real server."""

    def __init__(self, mcp: Mcp, widget: str) -> None:
        assert "<head>" in widget
        self.mcp = mcp
        self.delay = 0.0  # seconds /rpc waits before answering, to watch the busy state
        pages = {
            "/chatgpt": (CHATGPT_PAGE, None),
            "/mcpapps": (MCP_APPS_PAGE, None),
            "/frame/chatgpt": (
                widget.replace("<head>", "<head>\n" + OPENAI_BRIDGE, 1),
                VIEW_CSP.replace("connect-src 'none'", "connect-src 'self'"),  # the bridge's fetch
            ),
            "/frame/plain": (widget, VIEW_CSP),
        }
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path)
                if page is None:
                    self.answer(404, b"not found", "text/plain")
                    return
                html, csp = page
                self.answer(200, html.encode(), "text/html; charset=utf-8", csp)

            def do_POST(self) -> None:
                if self.path != "/rpc":
                    self.answer(404, b"not found", "text/plain")
                    return
                params = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(outer.delay)
                answer = outer.mcp.call(params["name"], params.get("arguments") or {})
                self.answer(200, json.dumps(answer).encode(), "application/json")

            def answer(self, status: int, body: bytes, kind: str, csp: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                if csp:
                    self.send_header("Content-Security-Policy", csp)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chrome_paths() -> tuple[str, str]:
    return chrome.find()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with demo_server("sqlite", tmp_path_factory.mktemp("widget")) as srv:
        yield srv


@pytest.fixture(scope="module")
def mcp(server: Server) -> Iterator[Mcp]:
    client = Mcp(server.base_url + MCP_PATH, server.key)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def host(mcp: Mcp) -> Iterator[Host]:
    h = Host(mcp, mcp.widget_html())
    try:
        yield h
    finally:
        h.close()


@pytest.fixture(scope="module")
def browser(chrome_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = chrome.start(chrome_paths, tmp_path_factory.mktemp("widget-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def driver(browser: Any, host: Host) -> Iterator[Any]:
    host.delay = 0.0
    yield browser
    browser.switch_to.default_content()


# --- helpers --------------------------------------------------------------------------------------


def person() -> str:
    letters = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6])
    return f"Maria {letters.capitalize()}"


def wait(driver: Any, css: str, visible: bool = True) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    condition = ec.visibility_of_element_located if visible else ec.presence_of_element_located
    return WebDriverWait(driver, WAIT).until(condition((By.CSS_SELECTOR, css)))


def until(driver: Any, check: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(lambda d: check(d))


def into_widget(driver: Any) -> None:
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(ec.frame_to_be_available_and_switch_to_it("widget"))


def open_in_chatgpt(driver: Any, host: Host, args: dict[str, Any], result: dict[str, Any]) -> None:
    """Load the widget as ChatGPT would, then hand it the tool result (toolOutput, toolResponseMetadata
    and the `openai:set_globals` event)."""
    driver.get(f"{host.url}/chatgpt")
    into_widget(driver)
    until(driver, lambda d: d.execute_script("return document.readyState === 'complete' && !!window.__host"))
    driver.execute_script("window.__host.seed(arguments[0], arguments[1])", args, result)


def open_in_mcp_apps(driver: Any, host: Host, args: dict[str, Any], result: dict[str, Any]) -> None:
    driver.get(f"{host.url}/mcpapps")
    driver.execute_script("window.hostSeed(arguments[0], arguments[1])", args, result)
    into_widget(driver)


def host_log(driver: Any, which: str = "hostLog") -> list[dict[str, Any]]:
    driver.switch_to.default_content()
    log = list(driver.execute_script(f"return window.{which}"))
    into_widget(driver)
    return log


def slot_ids(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [b.get_attribute("data-slot-id") for b in driver.find_elements(By.CSS_SELECTOR, "button.slot")]


def fill_and_book(driver: Any, name: str, phone: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element(By.ID, "patient-name")
    field.clear()
    field.send_keys(name)
    phone_field = driver.find_element(By.ID, "patient-phone")
    phone_field.clear()
    phone_field.send_keys(phone, Keys.ENTER)


def confirmation(driver: Any) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    wait(driver, '[data-view="confirmation"]')
    return {
        key: driver.find_element(By.ID, f"confirm-{key}").text
        for key in ("doctor", "time", "patient", "phone")
    }


# --- tests ----------------------------------------------------------------------------------------


def test_the_widget_loads_nothing_from_elsewhere(mcp: Mcp) -> None:
    html = mcp.widget_html()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)
    assert "@import" not in html and "url(" not in html


def test_chatgpt_a_slot_books_through_the_form(driver: Any, host: Host, mcp: Mcp) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    args = {"doctorName": "Silva", "specialty": "Cardio"}
    seed = mcp.ok("get_available_slots", args)
    meta = seed["_meta"]
    slot = meta["slots"][0]
    open_in_chatgpt(driver, host, args, seed)

    assert wait(driver, '[data-view="slots-list"] h2').text == meta["doctor"]["name"]
    assert slot_ids(driver) == [s["id"] for s in meta["slots"]]
    first = driver.find_element(By.CSS_SELECTOR, "button.slot")
    assert first.text == slot["formattedTime"]
    first.send_keys(Keys.ENTER)  # the keyboard picks a time

    wait(driver, '[data-view="booking"]')
    assert slot["formattedTime"] in driver.find_element(By.ID, "booking-time").text
    assert driver.switch_to.active_element.get_attribute("id") == "patient-name"
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('input'))"
        ".map(i => [i.id, i.labels.length ? i.labels[0].textContent.trim() : ''])"
    )
    assert labels == [["patient-name", "Patient’s full name"], ["patient-phone", "Phone number"]]

    # Nothing typed: both fields say what is missing, focus goes to the first, nothing is called.
    driver.find_element(By.ID, "book").click()
    assert wait(driver, "#patient-name-error").text == "Enter the patient’s full name."
    assert wait(driver, "#patient-phone-error").text == "Enter a phone number."
    assert driver.find_element(By.ID, "patient-name").get_attribute("aria-invalid") == "true"
    assert driver.switch_to.active_element.get_attribute("id") == "patient-name"
    # A phone that is no phone number.
    name = person()
    fill_and_book(driver, name, "call me")
    assert "5 to 25 digits" in wait(driver, "#patient-phone-error").text
    assert not driver.find_element(By.ID, "patient-name-error").is_displayed()
    assert driver.switch_to.active_element.get_attribute("id") == "patient-phone"
    assert driver.execute_script("return window.__host.calls.length") == 0

    # Keyboard only from here: Tab to the Book button (its focus ring shows) and press Enter.
    phone = driver.find_element(By.ID, "patient-phone")
    phone.clear()  # (WebDriver's clear also takes the focus away)
    phone.send_keys("+351 912 345 678", Keys.TAB)
    book = driver.switch_to.active_element
    assert book.get_attribute("id") == "book"
    ring = driver.execute_script(
        "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]"
    )
    assert ring == ["solid", "3px"]
    host.delay = 1.5
    book.send_keys(Keys.ENTER)
    busy = wait(driver, '#book[aria-disabled="true"]')
    assert "Booking" in busy.text
    assert driver.find_element(By.ID, "booking-form").get_attribute("aria-busy") == "true"
    assert driver.find_element(By.ID, "status").get_attribute("textContent") == "Booking the appointment…"

    shown = confirmation(driver)
    assert meta["doctor"]["name"] in shown["doctor"]
    assert shown["time"] == slot["formattedTime"]
    assert shown["patient"] == name and shown["phone"] == "+351 912 345 678"
    assert driver.switch_to.active_element.tag_name == "h2"
    assert driver.execute_script("return window.__host.calls") == [
        {
            "name": "schedule_appointment",
            "args": {
                "doctorId": meta["doctor"]["id"],
                "slotId": slot["id"],
                "patientName": name,
                "patientPhone": "+351 912 345 678",
            },
        }
    ]
    assert patients_at(mcp, slot, meta["doctor"]["name"]) == [name]


def test_chatgpt_a_slot_taken_meanwhile_shows_the_error_and_keeps_the_form(
    driver: Any, host: Host, mcp: Mcp
) -> None:
    from selenium.webdriver.common.by import By

    args = {"doctorName": "Silva", "specialty": "Dermatologist"}
    seed = mcp.ok("get_available_slots", args)
    meta = seed["_meta"]
    slot = meta["slots"][0]
    open_in_chatgpt(driver, host, args, seed)
    wait(driver, '[data-view="slots-list"]')

    walk_in = person()
    doctor_id = meta["doctor"]["id"]
    mcp.ok(
        "schedule_appointment",
        {
            "doctorId": doctor_id,
            "slotId": slot["id"],
            "patientName": walk_in,
            "patientPhone": "(212) 555-0100",
        },
    )

    driver.find_element(By.CSS_SELECTOR, f'button.slot[data-slot-id="{slot["id"]}"]').click()
    wait(driver, '[data-view="booking"]')
    name = person()
    fill_and_book(driver, name, "(212) 555-0199")

    error = wait(driver, "#form-error")
    attempt = {
        "doctorId": doctor_id,
        "slotId": slot["id"],
        "patientName": name,
        "patientPhone": "(212) 555-0199",
    }
    refused = mcp.call("schedule_appointment", attempt)["result"]
    assert refused["isError"] is True
    assert error.text == refused["structuredContent"]["error"]
    assert "already booked" in error.text
    assert driver.switch_to.active_element.get_attribute("id") == "form-error"
    # The form is still there, with what was typed, and can be used again.
    assert driver.find_element(By.ID, "patient-name").get_attribute("value") == name
    assert driver.find_element(By.ID, "patient-phone").get_attribute("value") == "(212) 555-0199"
    assert driver.find_element(By.ID, "book").get_attribute("aria-disabled") is None
    assert driver.find_element(By.ID, "patient-name").get_attribute("readonly") is None
    assert patients_at(mcp, slot, meta["doctor"]["name"]) == [walk_in]

    # "Other times" asks the server again: the taken time is gone.
    driver.find_element(By.CSS_SELECTOR, '[data-action="back"]').click()
    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-view="slots-list"]'))
    fresh = mcp.ok("get_available_slots", {"doctorId": meta["doctor"]["id"]})["_meta"]["slots"]
    assert slot_ids(driver) == [s["id"] for s in fresh]
    assert slot["id"] not in slot_ids(driver)


@pytest.mark.parametrize("shape", ["result", "legacy"])
def test_chatgpt_see_times_from_the_doctors_list(driver: Any, host: Host, mcp: Mcp, shape: str) -> None:
    """`shape`: what callTool resolves with, the call result itself or the older {result: "<JSON>"}."""
    from selenium.webdriver.common.by import By

    args = {"specialty": "dentist"}
    seed = mcp.ok("search_doctors", args)
    doctors = seed["_meta"]["doctors"]
    open_in_chatgpt(driver, host, args, seed)
    driver.execute_script("window.__host.shape = arguments[0]", shape)
    wait(driver, '[data-view="doctors-list"]')
    chen = next(d for d in doctors if d["name"] == "Dr. Emily Chen")

    driver.find_element(By.CSS_SELECTOR, '[aria-label="See times for Dr. Emily Chen"]').click()
    assert wait(driver, '[data-view="slots-list"] h2').text == "Dr. Emily Chen"
    expected = mcp.ok("get_available_slots", {"doctorId": chen["id"]})["_meta"]["slots"]
    assert slot_ids(driver) == [s["id"] for s in expected] and expected
    assert driver.switch_to.active_element.tag_name == "h2"
    assert driver.execute_script("return window.__host.calls") == [
        {"name": "get_available_slots", "args": {"doctorId": chen["id"]}}
    ]

    driver.find_element(By.CSS_SELECTOR, '[data-action="doctors"]').click()
    wait(driver, '[data-view="doctors-list"]')
    assert len(driver.find_elements(By.CSS_SELECTOR, '[data-action="slots"]')) == len(doctors) == 2


def test_mcp_apps_host_disambiguates_and_books_over_postmessage(driver: Any, host: Host, mcp: Mcp) -> None:
    from selenium.webdriver.common.by import By

    args = {"doctorName": "Silva"}
    seed = mcp.ok("get_available_slots", args)
    assert seed["_meta"]["view"] == "disambiguation"
    joao = next(m for m in seed["_meta"]["matches"] if m["specialty"] == "Cardiologist")
    open_in_mcp_apps(driver, host, args, seed)

    wait(driver, '[data-view="disambiguation"]')
    driver.find_element(By.XPATH, "//button[normalize-space()='Dr. João Silva — Cardiologist']").click()
    assert wait(driver, '[data-view="slots-list"] h2').text == "Dr. João Silva"
    slots = mcp.ok("get_available_slots", {"doctorId": joao["id"]})["_meta"]["slots"]
    assert slot_ids(driver) == [s["id"] for s in slots]
    slot = slots[0]
    driver.find_element(By.CSS_SELECTOR, f'button.slot[data-slot-id="{slot["id"]}"]').click()
    wait(driver, '[data-view="booking"]')
    name = person()
    fill_and_book(driver, name, "+351 213 000 111")

    shown = confirmation(driver)
    assert "Dr. João Silva" in shown["doctor"] and shown["time"] == slot["formattedTime"]
    assert shown["patient"] == name
    assert patients_at(mcp, slot, "Dr. João Silva") == [name]

    log = host_log(driver)
    assert log[0]["method"] == "ui/initialize"
    assert log[0]["params"]["protocolVersion"] == MCP_APPS_PROTOCOL and log[0]["params"]["appInfo"]["name"]
    assert log[1] == {"jsonrpc": "2.0", "method": "ui/notifications/initialized", "params": {}}
    calls = [m["params"] for m in log if m.get("method") == "tools/call"]
    assert calls == [
        {"name": "get_available_slots", "arguments": {"doctorId": joao["id"]}},
        {
            "name": "schedule_appointment",
            "arguments": {
                "slotId": slot["id"],
                "patientName": name,
                "patientPhone": "+351 213 000 111",
                "doctorId": joao["id"],
            },
        },
    ]
    assert any(m.get("method") == "ui/notifications/size-changed" for m in log)
    # The host repeated each result as ui/notifications/tool-result after answering the call: the
    # widget kept the confirmation (and did not go back to the slots).
    sent = host_log(driver, "hostSent")
    assert [m["method"] for m in sent if "method" in m].count("ui/notifications/tool-result") == 3
    time.sleep(0.3)  # let the last repeat arrive
    assert driver.find_elements(By.CSS_SELECTOR, '[data-view="confirmation"]')
