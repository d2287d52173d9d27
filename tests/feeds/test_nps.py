"""The post-session question end to end on SQLite and PostgreSQL: completing an appointment schedules
the follow-up (daysAfter, interval, maxFollowups), the worker mails it to a real local SMTP server
(aiosmtpd) when the injected clock reaches it, its link opens the feedback page (Spanish, English),
the answer is stored once (CSRF checked, out-of-range refused, audited), later follow-ups stop, and
nps_summary reports the figures."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import httpx2
import pytest
from mcp import Client
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.settings import HttpSettings
from frontdesk.mcp.server import build_server
from frontdesk.services.messaging import nps
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.messaging.feedback import figures
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.scheduling.lifecycle import TransitionRequest
from frontdesk.storage import models as m
from frontdesk.storage.repositories import feeds as feeds_repo
from frontdesk.storage.repositories import jobs as jobs_repo
from tests.bookings.conftest import audit_actions
from tests.conftest import Clock
from tests.factories import Scenario
from tests.jobs.conftest import Inbox, client_with_email

BASE = "http://127.0.0.1:8000"
FOLLOWUP = {
    "reminders.followup": True,
    "reminders.followupDaysAfter": 1,
    "reminders.followupMaxFollowups": 2,
    "reminders.followupInterval": 2,
}


@pytest.fixture
async def web(mail_app: Frontdesk) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(mail_app, HttpSettings()))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def completed(app: Frontdesk, sc: Scenario, when: str, patient: int | None = None) -> int:
    req = BookingRequest(
        provider_id=sc.garcia,
        datebook_id=sc.ny,
        starts_at=when,
        patient_id=patient or sc.juan,
        service_id=sc.cleaning,
    )
    appt = await app.appointments.book(sc.principal, req)
    for step in ("check_in", "complete"):
        await app.lifecycle.transition(sc.principal, TransitionRequest(appt.id, action=step))
    return appt.id


def _link(msg: Message) -> str:
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"http://127\.0\.0\.1:8000(/\S+/feedback/\S+)", body.get_content())
    assert found, body.get_content()
    return found.group(1)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return html.unescape(found.group(1))


async def test_completed_session_asks_once_then_stops_when_answered(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings], web: httpx2.AsyncClient
) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    await mail_app.practice_settings.update(sc.principal, FOLLOWUP)
    appt_id = await completed(mail_app, sc, "2026-03-02T10:00")  # completed Monday 13:00 UTC
    async with mail_app.db.read() as s:
        jobs = [
            j
            for j in await jobs_repo.of_subject(s, sc.practice_id, "appointment", appt_id)
            if j.kind == nps.KIND
        ]
    start = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    assert [j.run_at for j in jobs] == [start + timedelta(days=1), start + timedelta(days=3)]

    worker = mail_app.worker()
    await worker.drain()
    assert not box.to(address)  # its confirmation had nothing left to say: the session is over
    clock.now = start + timedelta(days=1) - timedelta(minutes=1)
    await worker.drain()
    assert not box.to(address)
    clock.now = start + timedelta(days=1)
    await worker.drain()
    question = box.to(address)[-1]
    assert str(question["Subject"]) == "How was your visit to Test Practice?"
    link = _link(question)
    assert link.startswith(f"/{sc.slug}/feedback/fdfb_") and link.endswith("?lang=en")
    path = link.split("?")[0]

    es = await web.get(path, headers={"Accept-Language": "es-CL,es;q=0.9"})
    assert es.status_code == 200 and 'lang="es"' in es.text and "¿Qué tan probable" in es.text
    en = await web.get(link)
    assert en.status_code == 200 and "How likely are you to recommend Test Practice" in en.text
    assert en.text.count('type="radio" id="score-') == 11 and 'for="comment"' in en.text
    assert "<script" not in en.text and "http" not in en.text.split("<body>")[1].replace(BASE, "")
    csrf = _csrf(en.text)

    no_csrf = await web.post(path, data={"score": "9"})
    assert no_csrf.status_code == 400
    transport = httpx2.ASGITransport(app=create_app(mail_app, HttpSettings()))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as stranger:  # no cookie
        forged = await stranger.post(path, data={"csrf": csrf, "score": "9"})
        assert forged.status_code == 400
    wrong = await web.post(path, data={"csrf": "x" * 43, "score": "9"})
    assert wrong.status_code == 400
    for bad in ("11", "-1", "", "nine"):
        refused = await web.post(path, data={"csrf": csrf, "score": bad})
        assert refused.status_code == 422 and 'role="alert"' in refused.text
    done = await web.post(path, data={"csrf": csrf, "score": "9", "comment": "Muy amables"})
    assert done.status_code == 200 and 'data-answered="now"' in done.text
    again = await web.post(path, data={"csrf": csrf, "score": "2", "comment": "changed my mind"})
    assert again.status_code == 200 and 'data-answered="again"' in again.text
    async with mail_app.db.read() as s:
        row = await feeds_repo.request_for(s, sc.practice_id, appt_id)
        assert row is not None and (row.score, row.comment, row.sent_count) == (9, "Muy amables", 1)
        pending = await jobs_repo.of_subject(s, sc.practice_id, "appointment", appt_id)
    assert not [j for j in pending if j.kind == nps.KIND]  # the second question is gone
    clock.now = start + timedelta(days=4)
    await worker.drain()
    assert len(box.to(address)) == 1  # no second question
    trail = [a for a in await audit_actions(mail_app, sc) if a[0] == "feedback.answer"]
    assert [(a[2], a[3]) for a in trail if a[2] == "ok"] == [("ok", "score=9")]
    assert any(a[2] == "already_answered" for a in trail)
    assert (await web.get(f"/{sc.slug}/feedback/fdfb_{'x' * 43}")).status_code == 404
    assert (await web.get(f"/nosuchpractice/feedback/{path.rsplit('/', 1)[1]}")).status_code == 404


async def test_unanswered_questions_repeat_up_to_the_maximum_and_links_expire(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings], web: httpx2.AsyncClient
) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    await mail_app.practice_settings.update(sc.principal, FOLLOWUP)
    await completed(mail_app, sc, "2026-03-02T10:00")
    worker = mail_app.worker()
    for days in (1, 3, 5, 7):
        clock.now = datetime(2026, 3, 2, 13, 0, tzinfo=UTC) + timedelta(days=days)
        await worker.drain()
    questions = [x for x in box.to(address) if "visit" in str(x["Subject"])]
    assert len(questions) == 2  # maxFollowups
    first, second = (_link(q).split("?")[0] for q in questions)
    assert first != second and (await web.get(first)).status_code == 200  # each message its own link
    clock.now += timedelta(days=31)
    assert (await web.get(second)).status_code == 404  # expired


async def test_nps_summary_figures(mail_app: Frontdesk, clock: Clock, web: httpx2.AsyncClient) -> None:
    sc, _ = await client_with_email(mail_app)
    await mail_app.practice_settings.update(sc.principal, FOLLOWUP)
    scores = [10, 9, 8, 6, 0]
    for n, score in enumerate(scores):
        appt_id = await completed(mail_app, sc, f"2026-03-0{n + 2}T10:00")
        token, hashed = nps.new_token()
        async with mail_app.db.write() as s:
            row = await feeds_repo.request_for(s, sc.practice_id, appt_id)
            assert row is not None
            row.sent_count = 1
            await feeds_repo.add_token(
                s, sc.practice_id, row.id, hashed, clock(), clock() + timedelta(days=30)
            )
        page = await web.get(f"/{sc.slug}/feedback/{token}")
        posted = await web.post(
            f"/{sc.slug}/feedback/{token}",
            data={"csrf": _csrf(page.text), "score": str(score), "comment": f"c{n}"},
        )
        assert posted.status_code == 200
    assert figures(scores) == (6.6, 2, 1, 2, 0.0)
    async with Client(build_server(mail_app, surface="frontdesk", default_principal=sc.principal)) as client:
        result = await client.call_tool("nps_summary", {})
        assert not result.is_error, result.content
        got: dict[str, Any] = result.structured_content or {}
        only = await client.call_tool("nps_summary", {"provider_id": sc.silva_j})
        bad = await client.call_tool("nps_summary", {"start": "2026-03-10", "end": "2026-03-01"})
    assert (got["responses"], got["asked"], got["responseRate"]) == (5, 5, 1.0)
    assert (got["averageScore"], got["promoters"], got["passives"], got["detractors"], got["nps"]) == (
        6.6,
        2,
        1,
        2,
        0.0,
    )
    assert [c["comment"] for c in got["recentComments"]] == ["c4", "c3", "c2", "c1", "c0"]
    assert (only.structured_content or {})["responses"] == 0
    assert bad.is_error and (bad.structured_content or {})["error"]["field"] == "start"
    async with mail_app.db.read() as s:
        stored = (
            await s.execute(
                select(m.FeedbackRequest.score).where(m.FeedbackRequest.practice_id == sc.practice_id)
            )
        ).scalars()
        assert sorted(stored) == sorted(scores)
