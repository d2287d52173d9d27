"""Visual messages by WhatsApp on SQLite and PostgreSQL, against the local Cloud API stand-in (real
HTTP, tests/jobs/whatsapp_standin.py): the card's PNG uploaded as media (the same bytes the preview
showed) and sent once as an image by its id with the card's words as caption; a 429 on the upload
retried no sooner than its Retry-After; an invalid number failing for good; WhatsApp the default
channel where the practice has it configured and on, email otherwise."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from frontdesk.composition import Frontdesk
from frontdesk.services.consent import Consent
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.messaging.whatsapp import WhatsAppSettings
from frontdesk.services.settings import Settings
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import jobs as repo
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.jobs.conftest import Inbox
from tests.jobs.test_visual import SESSION, _png_of, _server, call
from tests.jobs.whatsapp_standin import StandIn, serving

TOKEN = "EAAGtest" + "V1sual" * 25
JUAN = "14155550123"
MARIA = "14155550199"  # the stand-in says this number cannot receive WhatsApp
GIVEN = {
    "client_name": "Juan Perez",
    "provider_name": "Dra. Ana García",
    "date": "2026-03-04",
    "time": "10:00",
}


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    number_id = str(secrets.randbelow(10**14) + 10**14)  # a number of its own per test
    async with serving(StandIn(TOKEN, number_id, invalid_numbers={MARIA})) as s:
        yield s


@pytest.fixture
async def both_app(
    db_url: str, clock: Clock, standin: StandIn, inbox: tuple[Inbox, SmtpSettings]
) -> AsyncIterator[Frontdesk]:
    """An app that can send by email (the local SMTP server) and by WhatsApp (the stand-in)."""
    fd = Frontdesk(
        Database(db_url),
        clock=clock,
        settings=Settings(),
        smtp=inbox[1],
        whatsapp=WhatsAppSettings(base_url=standin.url),
    )
    yield fd
    await fd.close()


async def _clients(app: Frontdesk) -> Scenario:
    sc = await build_scenario(app)
    async with app.db.write() as s:
        for patient, phone, name in ((sc.juan, JUAN, "juan"), (sc.maria, MARIA, "maria")):
            await s.execute(
                update(m.Patient)
                .where(m.Patient.practice_id == sc.practice_id, m.Patient.id == patient)
                .values(phone="+" + phone, email=f"{name}.{sc.slug}@example.com")
            )
    return sc


async def _whatsapp_on(app: Frontdesk, sc: Scenario, standin: StandIn, channels: list[str]) -> None:
    await app.practice_settings.update(
        sc.principal,
        {
            "communication.channels": channels,
            "communication.whatsappPhoneNumberId": standin.phone_number_id,
            "communication.whatsappAccessToken": TOKEN,
        },
    )


async def _send(app: Frontdesk, sc: Scenario, client_id: int, channel: str | None = None) -> Any:
    visual = await app.visual.send(
        sc.principal,
        "session-confirmation",
        GIVEN,
        client_id=client_id,
        channel=channel,
        consent=Consent.GIVEN,
    )
    assert visual.message is not None
    return visual.message


async def _job(app: Frontdesk, sc: Scenario, key: str) -> m.Job:
    async with app.db.read() as s:
        job = await repo.by_key(s, sc.practice_id, key)
    assert job is not None
    return job


async def _log(app: Frontdesk, sc: Scenario) -> dict[str, m.SentMessage]:
    async with app.db.read() as s:
        return {r.dedupe_key: r for r in await repo.sent(s, sc.practice_id)}


async def test_send_by_whatsapp_uploads_the_previewed_png_and_sends_one_image(
    both_app: Frontdesk, standin: StandIn, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    sc = await _clients(both_app)
    await _whatsapp_on(both_app, sc, standin, ["email", "whatsapp"])
    args = {"template": "session-confirmation", "clientId": sc.juan, **SESSION}
    async with _server(both_app, sc, "coordinalo") as client:
        preview = _png_of(await call(client, "comms_render_visual_message", {**args, "action": "preview"}))
        sent = await call(
            client,
            "comms_render_visual_message",
            {**args, "action": "send", "channel": "whatsapp", "confirm": True},
        )
    message = sent.structured_content["message"]
    assert (message["channel"], message["recipient"]) == ("whatsapp", JUAN)
    assert _png_of(sent) == preview
    worker = both_app.worker()
    await worker.drain()
    await worker.drain()
    [taken] = standin.accepted
    assert taken["to"] == JUAN and taken["type"] == "image" and "link" not in taken["image"]
    media_id = taken["image"]["id"]
    assert standin.uploads == {media_id: preview}  # the very PNG the preview showed
    assert standin.upload_types[media_id] == "image/png"
    caption = taken["image"]["caption"]
    assert "Dra. Ana García" in caption and "Appointment confirmed" in caption
    row = (await _log(both_app, sc))[message["messageId"]]
    assert (row.channel, row.status, row.provider_id) == ("whatsapp", "sent", taken["wamid"])
    assert not inbox[0].messages  # not also by email
    # The job run again (a retry, a second worker) finds the claim: no upload, no message.
    job = await _job(both_app, sc, message["messageId"])
    async with both_app.db.write() as s:
        await s.execute(update(m.Job).where(m.Job.id == job.id).values(status="pending"))
    await worker.drain()
    assert standin.requests == 2 and len(standin.accepted) == 1 and len(standin.uploads) == 1


async def test_a_rate_limited_upload_is_retried_after_its_retry_after(
    both_app: Frontdesk, standin: StandIn, clock: Clock
) -> None:
    sc = await _clients(both_app)
    await _whatsapp_on(both_app, sc, standin, ["whatsapp"])
    standin.rate_limited, standin.retry_after = 1, 600
    key = (await _send(both_app, sc, sc.juan)).message_id
    worker = both_app.worker()
    await worker.drain()
    job = await _job(both_app, sc, key)
    assert job.status == "pending" and "rate limit" in (job.last_error or "")
    assert job.run_at >= clock.now + timedelta(seconds=600)
    assert key not in await _log(both_app, sc)  # the claim was released
    assert not standin.uploads and not standin.accepted
    clock.now = clock.now + timedelta(seconds=599)
    await worker.drain()
    assert standin.requests == 1
    clock.now = clock.now + timedelta(seconds=2)
    await worker.drain()
    [taken] = standin.accepted
    assert list(standin.uploads) == [taken["image"]["id"]] and standin.requests == 3
    assert (await _job(both_app, sc, key)).status == "done"
    assert (await _log(both_app, sc))[key].status == "sent"


async def test_an_invalid_number_fails_for_good(both_app: Frontdesk, standin: StandIn, clock: Clock) -> None:
    sc = await _clients(both_app)
    await _whatsapp_on(both_app, sc, standin, ["whatsapp"])
    key = (await _send(both_app, sc, sc.maria)).message_id
    worker = both_app.worker()
    await worker.drain()
    job = await _job(both_app, sc, key)
    assert job.status == "dead" and "cannot receive WhatsApp" in (job.last_error or "")
    row = (await _log(both_app, sc))[key]
    assert row.status == "failed" and "131026" in (row.error or "")
    clock.now = clock.now + timedelta(days=1)
    await worker.drain()
    assert standin.requests == 2 and not standin.accepted  # one upload, one refused send: never again


async def test_the_default_channel_is_whatsapp_where_configured_else_email(
    both_app: Frontdesk, standin: StandIn, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    sc = await _clients(both_app)
    first = await _send(both_app, sc, sc.juan)  # WhatsApp not configured for the practice yet
    assert first.channel == "email" and first.recipient == f"juan.{sc.slug}@example.com"
    await _whatsapp_on(both_app, sc, standin, ["email"])  # configured, but not on
    assert (await _send(both_app, sc, sc.juan)).channel == "email"
    await _whatsapp_on(both_app, sc, standin, ["email", "whatsapp"])
    on = await _send(both_app, sc, sc.juan)
    assert (on.channel, on.recipient) == ("whatsapp", JUAN)
    assert (await _send(both_app, sc, sc.juan, "email")).channel == "email"  # asked for: honoured
    worker = both_app.worker()
    await worker.drain()
    await worker.drain()
    assert len(inbox[0].to(first.recipient)) == 3 and len(standin.accepted) == 1
    # An opt-out made after queueing is honoured: nothing uploaded, nothing sent.
    queued = await _send(both_app, sc, sc.juan)
    await both_app.messaging.update_preferences(sc.principal, {"whatsapp": False}, sc.juan)
    await worker.drain()
    assert len(standin.accepted) == 1 and len(standin.uploads) == 1
    assert (await _job(both_app, sc, queued.message_id)).status == "done"
