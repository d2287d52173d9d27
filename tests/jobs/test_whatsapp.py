"""WhatsApp on SQLite and PostgreSQL, contract-tested against a local stand-in for the Cloud API (real
HTTP, tests/jobs/whatsapp_standin.py): a text message delivered once, appointment templates, media by
link, a 429 retried no sooner than its Retry-After, an invalid number and a rejected token failing for
good (recorded on the message, no retry), the signed status webhook, and secrets never shown back."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from mcp import Client
from sqlalchemy import func, select, update

from frontdesk.composition import Frontdesk
from frontdesk.domain import settings as catalogue
from frontdesk.domain.errors import Invalid
from frontdesk.mcp.server import build_server
from frontdesk.services.consent import Consent
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.messaging.whatsapp import WhatsAppSettings
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import jobs as repo
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.http.conftest import serving as serving_http
from tests.jobs.conftest import Inbox
from tests.jobs.whatsapp_standin import StandIn, serving

TOKEN = "EAAGtest" + "T0k3n" * 30  # shaped like a long-lived token
APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
VERIFY = "verify-me-4242"
JUAN = "14155550123"
MARIA = "14155550199"  # the stand-in says this number cannot receive WhatsApp
SECRETS = (TOKEN, APP_SECRET, VERIFY)


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    # A number of its own per test: the queue (one database per run) may still hold other tests' jobs.
    number_id = str(secrets.randbelow(10**14) + 10**14)
    async with serving(StandIn(TOKEN, number_id, invalid_numbers={MARIA})) as s:
        yield s


@pytest.fixture
async def wa_app(db_url: str, clock: Clock, standin: StandIn) -> AsyncIterator[Frontdesk]:
    fd = Frontdesk(
        Database(db_url), clock=clock, settings=Settings(), whatsapp=WhatsAppSettings(base_url=standin.url)
    )
    yield fd
    await fd.close()


async def configured(app: Frontdesk, standin: StandIn, *, token: str = TOKEN) -> Scenario:
    sc = await build_scenario(app)
    async with app.db.write() as s:
        for patient, phone in ((sc.juan, "+" + JUAN), (sc.maria, "+" + MARIA)):
            await s.execute(
                update(m.Patient)
                .where(m.Patient.practice_id == sc.practice_id, m.Patient.id == patient)
                .values(phone=phone)
            )
    await app.practice_settings.update(
        sc.principal,
        {
            "communication.channels": ["whatsapp"],
            "communication.whatsappPhoneNumberId": standin.phone_number_id,
            "communication.whatsappAccessToken": token,
            "communication.whatsappAppSecret": APP_SECRET,
            "communication.whatsappVerifyToken": VERIFY,
        },
    )
    return sc


async def _send_text(app: Frontdesk, sc: Scenario, client_id: int, text: str = "Hola {nombre}") -> str:
    q = await app.messaging.send(
        sc.principal, client_id, channel="whatsapp", text=text, consent=Consent.GIVEN
    )
    return q.message_id


async def _log(app: Frontdesk, sc: Scenario) -> dict[str, m.SentMessage]:
    async with app.db.read() as s:
        return {r.dedupe_key: r for r in await repo.sent(s, sc.practice_id)}


async def _job(app: Frontdesk, sc: Scenario, key: str) -> m.Job:
    async with app.db.read() as s:
        job = await repo.by_key(s, sc.practice_id, key)
    assert job is not None
    return job


async def test_a_text_message_is_delivered_once(wa_app: Frontdesk, standin: StandIn) -> None:
    sc = await configured(wa_app, standin)
    key = await _send_text(wa_app, sc, sc.juan)
    worker = wa_app.worker()
    await worker.drain()
    await worker.drain()
    [sent] = standin.accepted
    assert sent["to"] == JUAN and sent["type"] == "text" and sent["text"]["body"] == "Hola Juan"
    row = (await _log(wa_app, sc))[key]
    assert (row.channel, row.status, row.provider_id) == ("whatsapp", "sent", sent["wamid"])
    # The job run again (a second worker, a retry) finds the claim and sends nothing.
    job = await _job(wa_app, sc, key)
    async with wa_app.db.write() as s:
        await s.execute(update(m.Job).where(m.Job.id == job.id).values(status="pending"))
    await worker.drain()
    assert len(standin.accepted) == 1 and standin.requests == 1


async def test_appointment_messages_go_as_templates(
    wa_app: Frontdesk, standin: StandIn, clock: Clock
) -> None:
    sc = await configured(wa_app, standin)
    appt = await wa_app.appointments.book(
        sc.principal,
        BookingRequest(
            provider_id=sc.garcia,
            datebook_id=sc.ny,
            starts_at="2026-03-04T10:00",
            patient_id=sc.juan,
            service_id=sc.cleaning,
        ),
    )
    await wa_app.worker().drain()
    [confirmation] = standin.accepted
    template = confirmation["template"]
    assert template["name"] == "appointment_confirmation" and template["language"] == {"code": "en"}
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params[0] == "Juan" and "10:00" in params[4] and "March 4" in params[3]
    # comms_send_message with a template: the reminder template, in the practice's template language.
    await wa_app.practice_settings.update(sc.principal, {"communication.whatsappTemplateLanguage": "en_US"})
    await wa_app.messaging.send(
        sc.principal,
        sc.juan,
        channel="whatsapp",
        template_key="sessionReminder",
        session_id=appt.id,
        consent=Consent.GIVEN,
    )
    await wa_app.worker().drain()
    reminder = standin.accepted[-1]["template"]
    assert reminder["name"] == "appointment_reminder" and reminder["language"] == {"code": "en_US"}
    # The 24-hour reminder goes on WhatsApp too, once, at its time.
    clock.now = clock.now + timedelta(days=1, hours=2)
    await wa_app.worker().drain()
    await wa_app.worker().drain()
    names = [a["template"]["name"] for a in standin.accepted]
    assert names == ["appointment_confirmation", "appointment_reminder", "appointment_reminder"]


async def test_media_by_link(wa_app: Frontdesk, standin: StandIn) -> None:
    sc = await configured(wa_app, standin)
    async with Client(build_server(wa_app, surface="frontdesk", default_principal=sc.principal)) as client:
        args = {
            "action": "send",
            "client_id": sc.juan,
            "channel": "whatsapp",
            "custom_message": "Where we are, {nombre}",
            "media_url": "https://clinic.example/map.png",
            "confirm": True,
        }
        sent = await client.call_tool("manage_messages", args)
        assert not sent.is_error, sent
        bad = await client.call_tool("manage_messages", args | {"media_url": "http://clinic.example/x.png"})
        assert bad.is_error and (bad.structured_content or {})["error"]["field"] == "media_url"
    await wa_app.messaging.send(
        sc.principal,
        sc.juan,
        channel="whatsapp",
        text="Your invoice",
        media_url="https://files.example/invoice-12.pdf",
        consent=Consent.GIVEN,
    )
    with pytest.raises(Invalid) as email_media:
        await wa_app.messaging.send(
            sc.principal, sc.juan, text="x", media_url="https://a.example/a.png", consent=Consent.GIVEN
        )
    assert email_media.value.field in ("media_url", "channel")
    await wa_app.worker().drain()
    image, document = standin.accepted
    assert image["image"] == {"link": "https://clinic.example/map.png", "caption": "Where we are, Juan"}
    assert document["document"] == {
        "link": "https://files.example/invoice-12.pdf",
        "caption": "Your invoice",
        "filename": "invoice-12.pdf",
    }
    assert {r.status for r in (await _log(wa_app, sc)).values()} == {"sent"}


async def test_rate_limited_is_retried_after_its_retry_after(
    wa_app: Frontdesk, standin: StandIn, clock: Clock
) -> None:
    sc = await configured(wa_app, standin)
    standin.rate_limited, standin.retry_after = 1, 600
    key = await _send_text(wa_app, sc, sc.juan)
    worker = wa_app.worker()
    await worker.drain()
    job = await _job(wa_app, sc, key)
    assert job.status == "pending" and "rate limit" in (job.last_error or "")
    assert job.run_at >= clock.now + timedelta(seconds=600)  # not the 15-30 s backoff: Retry-After
    assert key not in await _log(wa_app, sc) and not standin.accepted  # the claim was released
    clock.now = clock.now + timedelta(seconds=599)
    await worker.drain()
    assert standin.requests == 1
    clock.now = clock.now + timedelta(seconds=2)
    await worker.drain()
    assert len(standin.accepted) == 1 and (await _job(wa_app, sc, key)).status == "done"
    assert (await _log(wa_app, sc))[key].status == "sent"


async def test_an_invalid_number_fails_for_good(wa_app: Frontdesk, standin: StandIn, clock: Clock) -> None:
    sc = await configured(wa_app, standin)
    key = await _send_text(wa_app, sc, sc.maria)
    worker = wa_app.worker()
    await worker.drain()
    job = await _job(wa_app, sc, key)
    assert job.status == "dead" and "cannot receive WhatsApp" in (job.last_error or "")
    row = (await _log(wa_app, sc))[key]
    assert row.status == "failed" and "131026" in (row.error or "")
    clock.now = clock.now + timedelta(days=1)
    await worker.drain()
    assert standin.requests == 1 and not standin.accepted  # never retried


async def test_a_rejected_token_fails_for_good(wa_app: Frontdesk, standin: StandIn) -> None:
    sc = await configured(wa_app, standin, token="EAAGwrong")
    key = await _send_text(wa_app, sc, sc.juan)
    await wa_app.worker().drain()
    job = await _job(wa_app, sc, key)
    assert job.status == "dead" and job.last_error == "WhatsApp access token rejected"
    assert (await _log(wa_app, sc))[key].error == "WhatsApp access token rejected"


async def test_off_until_configured(wa_app: Frontdesk, standin: StandIn) -> None:
    sc = await build_scenario(wa_app)
    prefs = await wa_app.messaging.preferences(sc.principal)
    assert prefs.configured["whatsapp"] is False
    with pytest.raises(Invalid) as refused:
        await _send_text(wa_app, sc, sc.juan)
    assert refused.value.field == "channel" and "not configured" in refused.value.message
    sc2 = await configured(wa_app, standin)
    assert (await wa_app.messaging.preferences(sc2.principal)).configured["whatsapp"] is True
    with pytest.raises(Invalid) as shown:  # what a read shows is not a secret to write back
        await wa_app.practice_settings.update(sc2.principal, {"communication.whatsappAccessToken": "set"})
    assert shown.value.field == "communication.whatsappAccessToken"


def _signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def _callback(wamid: str, status: str, **extra: Any) -> bytes:
    st = {"id": wamid, "status": status, "timestamp": "1772456400", "recipient_id": JUAN} | extra
    change = {"field": "messages", "value": {"messaging_product": "whatsapp", "statuses": [st]}}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [change]}]}).encode()


async def test_status_webhook_checks_its_signature_and_moves_statuses_forward(
    wa_app: Frontdesk, standin: StandIn, clock: Clock
) -> None:
    sc = await configured(wa_app, standin)
    key = await _send_text(wa_app, sc, sc.juan)
    await wa_app.worker().drain()
    wamid = standin.accepted[0]["wamid"]
    live_server = serving_http(wa_app, clock, worker=False)
    async with live_server as live, httpx.AsyncClient(base_url=live.base) as http:
        url = f"/webhooks/whatsapp/{sc.slug}"
        q = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
        ok = await http.get(url, params=q)
        assert ok.status_code == 200 and ok.text == "1158201444"
        assert (await http.get(url, params=q | {"hub.verify_token": "guess"})).status_code == 403
        assert (await http.get("/webhooks/whatsapp/no-such-practice", params=q)).status_code == 404

        delivered = _callback(wamid, "delivered")
        assert (await http.post(url, content=delivered)).status_code == 401  # no signature
        forged = await http.post(url, content=delivered, headers=_signed(delivered, "not-the-secret"))
        assert forged.status_code == 403
        tampered = await http.post(url, content=_callback(wamid, "read"), headers=_signed(delivered))
        assert tampered.status_code == 403
        assert (await _log(wa_app, sc))[key].status == "sent"  # nothing applied from those

        first = await http.post(url, content=delivered, headers=_signed(delivered))
        again = await http.post(url, content=delivered, headers=_signed(delivered))
        assert first.json() == {"applied": 1} and again.json() == {"applied": 0}
        assert (await _log(wa_app, sc))[key].status == "delivered"
        read = _callback(wamid, "read")
        assert (await http.post(url, content=read, headers=_signed(read))).json() == {"applied": 1}
        late = _callback(wamid, "delivered")  # out of order: never moves a message back
        assert (await http.post(url, content=late, headers=_signed(late))).json() == {"applied": 0}
        row = (await _log(wa_app, sc))[key]
        assert row.status == "read" and row.status_at is not None

        # A failure the API reports later is recorded on the message, with its error.
        key2 = await _send_text(wa_app, sc, sc.juan, "again")
        await wa_app.worker().drain()
        failed = _callback(
            standin.accepted[-1]["wamid"], "failed", errors=[{"code": 131049, "title": "Not delivered"}]
        )
        assert (await http.post(url, content=failed, headers=_signed(failed))).json() == {"applied": 1}
        row2 = (await _log(wa_app, sc))[key2]
        assert row2.status == "failed" and "131049" in (row2.error or "")


async def _call(client: Client, tool: str, args: dict[str, Any]) -> str:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result
    return json.dumps(result.structured_content) + "".join(getattr(c, "text", "") for c in result.content)


async def test_secrets_are_never_shown_back(wa_app: Frontdesk, standin: StandIn) -> None:
    sc = await configured(wa_app, standin)
    seen: list[str] = []
    async with Client(build_server(wa_app, surface="frontdesk", default_principal=sc.principal)) as client:
        seen.append(await _call(client, "practice_settings", {"action": "get", "chapter": "communication"}))
        seen.append(await _call(client, "practice_settings", {"action": "get"}))
        seen.append(
            await _call(
                client,
                "practice_settings",
                {"action": "update", "settings": {"communication.whatsappAppSecret": APP_SECRET + "2"}},
            )
        )
        seen.append(await _call(client, "manage_messages", {"action": "get_preferences"}))
    async with Client(build_server(wa_app, surface="coordinalo", default_principal=sc.principal)) as client:
        got = await _call(client, "settings_get", {"chapter": "communication"})
        seen.append(got)
        seen.append(await _call(client, "comms_get_preferences", {}))
        queued = await _call(
            client,
            "comms_send_message",
            {"clientId": sc.juan, "channel": "whatsapp", "customMessage": "Hi {nombre}", "confirm": True},
        )
        seen.append(queued)
    assert '"whatsappAccessToken": "set"' in seen[0] and '"whatsappVerifyToken": "set"' in seen[0]
    assert '"whatsapp": true' in seen[3] and JUAN in queued
    async with wa_app.db.read() as s:
        audit = " ".join(f"{r.action} {r.detail}" for r in (await s.execute(select(m.AuditEvent))).scalars())
    for secret in SECRETS:
        assert all(secret not in text for text in seen)
        assert secret not in audit


async def test_an_answer_lost_after_sending_is_unconfirmed_never_resent(
    db_url: str, clock: Clock, standin: StandIn
) -> None:
    settings = WhatsAppSettings(base_url=standin.url, timeout=0.3)
    app = Frontdesk(Database(db_url), clock=clock, settings=Settings(), whatsapp=settings)
    try:
        sc = await configured(app, standin)
        standin.answer_after = 1.0
        key = await _send_text(app, sc, sc.juan)
        await app.worker().drain()
        assert len(standin.accepted) == 1  # the API took it; the answer never came back in time
        assert (await _log(app, sc))[key].status == "unconfirmed"
        assert (await _job(app, sc, key)).status == "dead"
        clock.now = clock.now + timedelta(days=1)
        await app.worker().drain()
        assert standin.requests == 1
    finally:
        await app.close()


async def test_an_unreachable_api_is_retried(db_url: str, clock: Clock) -> None:
    standin = StandIn(TOKEN, "1")  # never served: only its number id is used
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = WhatsAppSettings(base_url=f"http://127.0.0.1:{port}", timeout=2)
    app = Frontdesk(Database(db_url), clock=clock, settings=Settings(), whatsapp=settings)
    try:
        sc = await configured(app, standin)
        key = await _send_text(app, sc, sc.juan)
        await app.worker().drain()
        job = await _job(app, sc, key)
        assert job.status == "pending" and "could not be reached" in (job.last_error or "")
        assert key not in await _log(app, sc)  # released: the next attempt may send
    finally:
        await app.close()


async def test_two_workers_deliver_each_message_once(wa_app: Frontdesk, standin: StandIn) -> None:
    sc = await configured(wa_app, standin)
    keys = [await _send_text(wa_app, sc, sc.juan, f"message {i}") for i in range(12)]
    one, two = wa_app.worker("one"), wa_app.worker("two")
    await asyncio.gather(one.drain(), two.drain())
    bodies = sorted(a["text"]["body"] for a in standin.accepted)
    assert bodies == sorted(f"message {i}" for i in range(12))
    log = await _log(wa_app, sc)
    assert all(log[k].status == "sent" for k in keys)
    assert len({log[k].provider_id for k in keys}) == 12


async def test_reminders_choose_whatsapp_then_email_by_the_clients_preferences(
    db_url: str, clock: Clock, standin: StandIn, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, smtp = inbox
    app = Frontdesk(
        Database(db_url),
        clock=clock,
        settings=Settings(),
        smtp=smtp,
        whatsapp=WhatsAppSettings(base_url=standin.url),
    )
    try:
        sc = await configured(app, standin)
        await app.practice_settings.update(sc.principal, {"communication.channels": ["email", "whatsapp"]})
        async with app.db.write() as s:
            await s.execute(
                update(m.Patient)
                .where(m.Patient.practice_id == sc.practice_id)
                .values(email=func.lower(m.Patient.first_name) + f".{sc.slug}@example.com")
            )
        await app.messaging.update_preferences(sc.principal, {"whatsapp": False}, sc.maria)

        def book(patient: int, when: str) -> BookingRequest:
            return BookingRequest(
                provider_id=sc.garcia,
                datebook_id=sc.ny,
                starts_at=when,
                patient_id=patient,
                service_id=sc.cleaning,
            )

        await app.appointments.book(sc.principal, book(sc.juan, "2026-03-04T10:00"))
        await app.appointments.book(sc.principal, book(sc.maria, "2026-03-04T11:00"))
        await app.worker().drain()
        # Juan has a number and accepts WhatsApp: the template; María opted out of it: email.
        assert [a["to"] for a in standin.accepted] == [JUAN]
        assert [str(msg["To"]) for msg in box.messages if sc.slug in str(msg["To"])] == [
            f"maría.{sc.slug}@example.com"
        ]
    finally:
        await app.close()


async def test_webhooks_are_per_practice(wa_app: Frontdesk, standin: StandIn, clock: Clock) -> None:
    sc = await configured(wa_app, standin)
    other = await build_scenario(wa_app)  # WhatsApp not configured: its webhook is not there
    await wa_app.practice_settings.update(
        other.principal, {"communication.whatsappAppSecret": "other-secret"}
    )
    key = await _send_text(wa_app, sc, sc.juan)
    await wa_app.worker().drain()
    body = _callback(standin.accepted[0]["wamid"], "read")
    live_server = serving_http(wa_app, clock, worker=False, ip_rate="2/minute")
    async with live_server as live, httpx.AsyncClient(base_url=live.base) as http:
        # Another practice's webhook, signed with its own secret, cannot touch this practice's message.
        theirs = await http.post(
            f"/webhooks/whatsapp/{other.slug}", content=body, headers=_signed(body, "other-secret")
        )
        assert theirs.json() == {"applied": 0}
        q = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
        assert (await http.get(f"/webhooks/whatsapp/{other.slug}", params=q)).status_code == 404
        for _ in range(3):  # webhooks have their own budget, not the 2 a minute an IP gets here
            ok = await http.post(f"/webhooks/whatsapp/{sc.slug}", content=body, headers=_signed(body))
            assert ok.status_code == 200
    assert (await _log(wa_app, sc))[key].status == "read"


def test_the_settings_rules_of_the_whatsapp_keys() -> None:
    keys = catalogue.CATALOGUE
    token = keys["communication.whatsappAccessToken"]
    assert token.secret and token.shown(TOKEN) == "set" and token.shown("") == "not set"
    assert token.check(f"  {TOKEN} ") == TOKEN and token.check("") == ""
    for shown in ("set", "not set"):
        with pytest.raises(Invalid):
            token.check(shown)
    number = keys["communication.whatsappPhoneNumberId"]
    assert not number.secret and number.shown("123") == "123"
    with pytest.raises(Invalid, match="digits only"):
        number.check("+1 555")
    language = keys["communication.whatsappTemplateLanguage"]
    assert language.check("pt_BR") == "pt_BR" and language.check("") == ""
    with pytest.raises(Invalid, match="language code"):
        language.check("Portuguese")
