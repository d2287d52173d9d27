"""Campaigns end to end on SQLite and PostgreSQL through the real MCP client (Coordinalo's comms_*
campaign tools and /mcp's manage_campaigns): the predefined and ad-hoc audiences count the right
clients, sending delivers exactly one email per recipient to a real local SMTP server (aiosmtpd),
opted-out clients are skipped, progress is visible, and the channel's rate spaces the messages."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from mcp import Client
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain.text import fold
from frontdesk.mcp.server import build_server
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.settings import Settings
from frontdesk.storage import clinical_models as cm
from frontdesk.storage import models as m
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import jobs as jobs_repo
from frontdesk.storage.repositories import messages as optouts
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.jobs.conftest import Inbox, _free_port

OLD = datetime(2025, 1, 1, tzinfo=UTC)  # long before the test clock (2 March 2026)
BODY = "<h1>Hola {nombre}</h1><p>Te escribe {organizacion}. Tu correo: {email}</p>"


async def call(client: Client, tool: str, args: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert result.is_error is error, (tool, result.content[0].text if result.content else result)
    assert result.structured_content is not None
    return result.structured_content


def _server(app: Frontdesk, sc: Scenario, surface: str = "coordinalo") -> Client:
    return Client(build_server(app, surface=surface, default_principal=sc.principal))


class People:
    """The scenario's clients plus a few with a history. Juan and María were added today (new)."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.ids: dict[str, int] = {"juan": sc.juan, "maria": sc.maria}

    def email(self, who: str) -> str:
        return f"{who}.{self.sc.slug}@example.com"

    def mine(self, box: Inbox) -> list[Any]:
        """This practice's messages (a worker serves every practice: other tests' jobs share the queue)."""
        return [x for x in box.messages if f".{self.sc.slug}@" in str(x["To"])]


async def _people(app: Frontdesk) -> People:
    sc = await build_scenario(app)
    ppl = People(sc)
    pid = sc.practice_id
    async with app.db.write() as s:
        for who in ("juan", "maria"):
            row = (await s.execute(select(m.Patient).where(m.Patient.id == ppl.ids[who]))).scalar_one()
            row.email = ppl.email(who)
        # name: (email?, phone?, visits as (days ago, status), profile status)
        specs: dict[str, tuple[bool, bool, list[tuple[int, str]], str | None]] = {
            "active": (True, True, [(29, "completed"), (400, "completed")], None),
            "lapsed": (True, True, [(270, "completed")], None),
            "never": (True, False, [], None),
            "cancelled": (True, True, [(20, "cancelled"), (-5, "scheduled")], None),
            "noemail": (False, True, [(29, "completed")], None),
            "merged": (True, True, [(10, "completed")], "merged"),
        }
        for name, (has_email, has_phone, visits, status) in specs.items():
            pat = m.Patient(
                practice_id=pid,
                uid="P-" + uuid.uuid4().hex[:8].upper(),
                first_name=name.capitalize(),
                last_name="Test",
                search_name=fold(f"{name} test"),
                phone="+1 555 0199" if has_phone else None,
                email=ppl.email(name) if has_email else None,
                created_at=OLD,
            )
            s.add(pat)
            await s.flush()
            ppl.ids[name] = pat.id
            for days, st in visits:
                start = app.clock() - timedelta(days=days)
                s.add(
                    m.Appointment(
                        practice_id=pid,
                        datebook_id=sc.ny,
                        provider_id=sc.garcia,
                        patient_id=pat.id,
                        starts_at=start,
                        ends_at=start + timedelta(minutes=30),
                        status=st,
                        allow_overlap=True,
                        created_at=OLD,
                        updated_at=OLD,
                    )
                )
            if status is not None:
                s.add(
                    cm.PatientProfile(
                        practice_id=pid,
                        patient_id=pat.id,
                        status=status,
                        merged_into_id=sc.juan,
                        created_at=OLD,
                        created_by="test",
                        updated_at=OLD,
                    )
                )
        await optouts.set_optout(s, pid, ppl.ids["lapsed"], "whatsapp", True, app.clock())
    return ppl


def _create(audience: str | None = None, **more: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": f"Campaign {audience}",
        "subject": "Novedades para {nombre}",
        "htmlBody": BODY,
        "audienceType": "predefined" if audience else "adhoc",
        "confirm": True,
    }
    if audience:
        args["audienceId"] = audience
    return args | more


async def test_audiences_count_the_right_clients(mail_app: Frontdesk) -> None:
    ppl = await _people(mail_app)
    expected = {
        "active": (1, 1),  # "active" (a visit 29 days ago); "noemail" has no address
        "inactive": (3, 0),  # lapsed (9 months), never, cancelled (a cancelled and a future session)
        "new": (2, 0),  # Juan and María, added today
        "with_whatsapp": (4, 1),  # a phone and no WhatsApp opt-out: juan, maria, active, cancelled (+noemail)
        "without_whatsapp": (2, 0),  # lapsed opted out of WhatsApp, never has no phone
    }
    async with _server(mail_app, ppl.sc) as client:
        for audience, (reach, without) in expected.items():
            got = await call(client, "comms_create_email_campaign", _create(audience))
            assert (got["recipientCount"], got["withoutEmail"]) == (reach, without), audience
            assert got["status"] == "draft" and got["progress"]["total"] == 0
        lapsed = await call(
            client, "comms_create_email_campaign", _create(filters={"lastVisitBefore": "2026-01-01"})
        )
        assert lapsed["recipientCount"] == 1 and lapsed["filters"] == {"lastVisitBefore": "2026-01-01"}
        never = {"neverVisited": True, "createdBefore": "2026-01-01"}
        assert (await call(client, "comms_create_email_campaign", _create(filters=never)))[
            "recipientCount"
        ] == 2
        phone = {"lastVisitAfter": "2026-01-15", "hasPhone": True}
        assert (await call(client, "comms_create_email_campaign", _create(filters=phone)))[
            "recipientCount"
        ] == 1
        inactive_too = {"includeInactive": True, "lastVisitAfter": "2026-02-01"}
        got = await call(client, "comms_create_email_campaign", _create(filters=inactive_too))
        assert got["recipientCount"] == 1  # "active"; a merged record never
        listed = await call(client, "comms_list_campaigns", {"status": "draft"})
        assert len(listed["campaigns"]) == 9
        assert (await call(client, "comms_list_campaigns", {"status": "sent"}))["campaigns"] == []

        unconfirmed = await call(
            client, "comms_create_email_campaign", _create("new", confirm=None), error=True
        )
        assert unconfirmed["error"]["field"] == "confirm"
        bad = await call(
            client, "comms_create_email_campaign", _create("new", htmlBody="Hi {apodo}"), error=True
        )
        assert bad["error"]["field"] == "htmlBody" and "apodo" in bad["error"]["message"]
        missing = await call(
            client, "comms_create_email_campaign", _create(None, audienceType="predefined"), error=True
        )
        assert missing["error"]["field"] == "audienceId"
        assert (await call(client, "comms_list_campaigns", {}))["campaigns"].__len__() == 9


async def test_send_delivers_each_message_once_and_skips_opted_out_clients(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    ppl = await _people(mail_app)
    async with mail_app.db.write() as s:
        await optouts.set_optout(s, ppl.sc.practice_id, ppl.ids["cancelled"], "email", True, mail_app.clock())
    async with _server(mail_app, ppl.sc) as client:
        draft = await call(client, "comms_create_email_campaign", _create("inactive"))
        cid = draft["id"]
        unconfirmed = await call(client, "comms_send_campaign", {"campaignId": cid}, error=True)
        assert unconfirmed["error"]["field"] == "confirm"
        sent = await call(client, "comms_send_campaign", {"campaignId": cid, "confirm": True})
        assert sent["status"] == "sending" and sent["recipientCount"] == 3
        assert sent["progress"] | {} == {
            "total": 3,
            "queued": 2,
            "sent": 0,
            "failed": 0,
            "skipped": 1,
            "unconfirmed": 0,
        }
        again = await call(client, "comms_send_campaign", {"campaignId": cid, "confirm": True}, error=True)
        assert again["error"]["field"] == "campaignId" and "sending" in again["error"]["message"]

        clock.advance(seconds=5)  # at 60 a minute the second message is due a second after the first
        await mail_app.worker().drain()
        await mail_app.worker().drain()  # nothing left to send twice
        for who in ("lapsed", "never"):
            [msg] = box.to(ppl.email(who))
            assert msg["Subject"] == f"Novedades para {who.capitalize()}"
            assert "List-Unsubscribe" in msg
            html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
            assert f"<h1>Hola {who.capitalize()}</h1>" in html and ppl.email(who) in html
            text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
            assert text.startswith(f"Hola {who.capitalize()}\nTe escribe"), repr(text)
        assert box.to(ppl.email("cancelled")) == []
        assert len(ppl.mine(box)) == 2

        got = await call(client, "comms_get_campaign", {"campaignId": cid, "includeLogs": True})
        assert got["status"] == "sent" and got["finishedAt"]
        assert got["progress"]["sent"] == 2 and got["progress"]["skipped"] == 1
        logs = {x["clientId"]: x for x in got["logs"]}
        assert logs[ppl.ids["cancelled"]]["status"] == "skipped"
        assert logs[ppl.ids["cancelled"]]["error"] == "opted out of email"
        assert logs[ppl.ids["lapsed"]]["status"] == "sent" and logs[ppl.ids["lapsed"]]["sentAt"]
        assert logs[ppl.ids["never"]]["clientName"] == "Never Test"
        assert got["logsTruncated"] is False
        refused = await call(client, "comms_send_campaign", {"campaignId": cid, "confirm": True}, error=True)
        assert "is sent" in refused["error"]["message"]

    # The send log holds one claim per client, keyed by campaign and client.
    async with mail_app.db.read() as s:
        keys = [x.dedupe_key for x in await jobs_repo.sent(s, ppl.sc.practice_id)]
    assert sorted(keys) == sorted(f"campaign:{cid}:{ppl.ids[w]}" for w in ("lapsed", "never"))

    other = await build_scenario(mail_app)
    async with _server(mail_app, other) as client:
        for tool, args in (
            ("comms_get_campaign", {"campaignId": cid}),
            ("comms_send_campaign", {"campaignId": cid, "confirm": True}),
        ):
            hidden = await call(client, tool, args, error=True)
            assert (
                hidden["error"]["field"] == "campaignId"
                and f"no campaign with id {cid}" in hidden["error"]["message"]
            )
        assert (await call(client, "comms_list_campaigns", {}))["campaigns"] == []


async def test_an_opt_out_after_sending_is_honoured_and_a_rerun_job_sends_nothing(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    ppl = await _people(mail_app)
    sc = ppl.sc
    async with _server(mail_app, sc, "frontdesk") as client:
        made = await call(
            client,
            "manage_campaigns",
            {
                "action": "create",
                "name": "Nuevos",
                "subject": "Bienvenida",
                "html_body": BODY,
                "audience_type": "predefined",
                "audience_id": "new",
                "confirm": True,
            },
        )
        cid = made["campaign"]["id"]
        await call(client, "manage_campaigns", {"action": "send", "campaign_id": cid, "confirm": True})
        async with mail_app.db.write() as s:
            await optouts.set_optout(s, sc.practice_id, sc.maria, "email", True, mail_app.clock())
        clock.advance(seconds=5)  # the second message is due a second after the first (60 a minute)
        claimed = await mail_app.jobs.claim("w1", 10)
        assert len(claimed) == 2
        handler = mail_app.job_handlers["campaign"]
        for job in claimed:
            await handler(job, "w1")
            await mail_app.jobs.complete(job, "w1")
        await handler(replace(claimed[0], attempt=2), "w2")  # a job run again: already settled
        assert [x["To"] for x in ppl.mine(box)] == [ppl.email("juan")]
        got = await call(client, "manage_campaigns", {"action": "get", "campaign_id": cid})
        progress = got["campaign"]["progress"]
        assert (progress["sent"], progress["skipped"], got["campaign"]["status"]) == (1, 1, "sent")
        listed = await call(client, "manage_campaigns", {"action": "list", "status": "sent"})
        assert [c["id"] for c in listed["campaigns"]] == [cid]


async def test_the_channel_rate_spaces_the_messages_across_campaigns(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    ppl = await _people(mail_app)
    sc = ppl.sc
    await mail_app.practice_settings.update(sc.principal, {"communication.emailPerMinute": 2})
    async with _server(mail_app, sc) as client:
        first = (await call(client, "comms_create_email_campaign", _create("inactive")))["id"]
        second = (await call(client, "comms_create_email_campaign", _create("new")))["id"]
        one = await call(client, "comms_send_campaign", {"campaignId": first, "confirm": True})
        two = await call(client, "comms_send_campaign", {"campaignId": second, "confirm": True})
    now = clock()
    assert one["lastDueAt"] == (now + timedelta(seconds=60)).isoformat()
    assert two["lastDueAt"] == (now + timedelta(seconds=120)).isoformat()  # after the first's last
    async with mail_app.db.read() as s:
        jobs = [*await jobs_repo.of_subject(s, sc.practice_id, "campaign", first)]
        jobs += await jobs_repo.of_subject(s, sc.practice_id, "campaign", second)
    due = sorted(j.run_at for j in jobs)
    assert [(t - now).total_seconds() for t in due] == [0, 30, 60, 90, 120]
    worker = mail_app.worker()
    sent_by_minute = []
    for _ in range(3):
        await worker.drain()
        sent_by_minute.append(len(ppl.mine(box)))
        clock.advance(seconds=60)
    assert sent_by_minute == [1, 3, 5]  # never more than two a minute after the first


class Refusing(Inbox):
    """A mail server that refuses one mailbox for good (550) and takes the rest."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        if self.refused in envelope.rcpt_tos:
            return "550 5.1.1 no such mailbox"
        return await super().handle_DATA(server, session, envelope)


async def test_a_refused_address_is_logged_as_failed_and_the_campaign_still_finishes(
    db_url: str, clock: Clock
) -> None:
    probe = Frontdesk(Database(db_url), clock=clock, settings=Settings())
    ppl = await _people(probe)
    await probe.close()
    box = Refusing(ppl.email("never"))
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = SmtpSettings.parse(f"smtp://127.0.0.1:{port}?starttls=no", "Clinic <clinic@example.com>")
    app = Frontdesk(Database(db_url), clock=clock, settings=Settings(), smtp=smtp)
    try:
        async with _server(app, ppl.sc) as client:
            args = _create("inactive", idempotencyKey="win-back-1")
            cid = (await call(client, "comms_create_email_campaign", args))["id"]
            replay = await call(client, "comms_create_email_campaign", args)
            assert replay["id"] == cid  # the same key: the first draft, not a second one
            await call(client, "comms_send_campaign", {"campaignId": cid, "confirm": True})
            clock.advance(seconds=10)
            await app.worker().drain()
            got = await call(client, "comms_get_campaign", {"campaignId": cid, "includeLogs": True})
    finally:
        await app.close()
        controller.stop()
    assert sorted(x["To"] for x in ppl.mine(box)) == sorted(ppl.email(w) for w in ("lapsed", "cancelled"))
    assert got["status"] == "sent"
    assert (got["progress"]["sent"], got["progress"]["failed"]) == (2, 1)
    [failed] = [x for x in got["logs"] if x["status"] == "failed"]
    assert failed["clientId"] == ppl.ids["never"] and "550" in failed["error"]
