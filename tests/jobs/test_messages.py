"""Appointment messages end to end on SQLite and PostgreSQL, delivered to a real local SMTP server
(aiosmtpd): the confirmation with its .ics invite, the 24-hour reminder at the right local time (the
injected clock moved), rescheduling moving it, cancelling removing it, and two workers with one killed
between sending and recording still delivering each message once."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest

from frontdesk.composition import Frontdesk
from frontdesk.services.consent import Consent
from frontdesk.services.messaging.email import Email, Mailer, SmtpSettings
from frontdesk.services.scheduling.appointments import BookingRequest
from frontdesk.services.settings import Settings
from frontdesk.storage.db import Database
from frontdesk.storage.repositories import jobs as repo
from tests.conftest import Clock
from tests.factories import Scenario
from tests.jobs.conftest import Inbox, client_with_email

ROOT = Path(__file__).resolve().parents[2]  # where `python -m tests.jobs.kill_worker` runs


def _book(sc: Scenario, when: str) -> BookingRequest:
    return BookingRequest(
        provider_id=sc.garcia, datebook_id=sc.ny, starts_at=when, patient_id=sc.juan, service_id=sc.cleaning
    )


def _subjects(box: Inbox, address: str) -> list[str]:
    return [str(msg["Subject"]) for msg in box.to(address)]


def _ics(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_payload(decode=True).decode())  # type: ignore[union-attr]
    raise AssertionError("no text/calendar part")


async def test_confirmation_with_invite_then_the_24h_reminder_at_local_time(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    # Wednesday 4 March 2026 at 10:00 in New York (15:00 UTC); the clock is Monday 08:00 there.
    appt = await mail_app.appointments.book(sc.principal, _book(sc, "2026-03-04T10:00"))
    worker = mail_app.worker()
    await worker.drain()
    [confirmation] = box.to(address)
    assert confirmation["Subject"].startswith("Appointment confirmed")
    assert "10:00" in confirmation["Subject"] and "List-Unsubscribe" in confirmation
    kinds = {p.get_content_type() for p in confirmation.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= kinds
    ics = _ics(confirmation)
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics and "DTSTART:20260304T150000Z" in ics

    clock.now = datetime(2026, 3, 3, 14, 59, tzinfo=UTC)  # a minute before 10:00 New York the day before
    await worker.drain()
    assert len(box.to(address)) == 1
    clock.now = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    await worker.drain()
    assert _subjects(box, address)[1].startswith("Reminder")
    await worker.drain()
    assert len(box.to(address)) == 2  # once
    async with mail_app.db.read() as s:
        logged = [r.dedupe_key for r in await repo.sent(s, sc.practice_id)]
    assert logged == [f"appt:{appt.id}:confirmation", f"appt:{appt.id}:sessionReminder24h"]


async def test_rescheduling_moves_the_reminder_and_cancelling_removes_it(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    appt = await mail_app.appointments.book(sc.principal, _book(sc, "2026-03-04T10:00"))
    moved = await mail_app.bookings.reschedule(
        sc.principal, appt.id, "2026-03-05T11:00", consent=Consent.GIVEN
    )
    worker = mail_app.worker()
    await worker.drain()
    new_id = moved.booked.appointment.id
    async with mail_app.db.read() as s:
        assert not await repo.of_subject(s, sc.practice_id, "appointment", appt.id)  # old: none pending
        [pending] = await repo.of_subject(s, sc.practice_id, "appointment", new_id)
    assert pending.run_at == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)  # 11:00 New York, the day before
    invites = [_ics(msg) for msg in box.to(address)]
    assert any("SEQUENCE:1" in i and f"appointment-{appt.id}@" in i for i in invites)

    await mail_app.bookings.cancel(sc.principal, new_id, consent=Consent.GIVEN)
    clock.now = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
    await worker.drain()
    subjects = _subjects(box, address)
    assert not any(x.startswith("Reminder") for x in subjects)
    assert subjects[-1].startswith("Appointment cancelled")
    assert "METHOD:CANCEL" in _ics(box.to(address)[-1])


class KilledAfterSend(Mailer):
    """The server takes the message, then the worker dies before it records that (a kill mid-send)."""

    async def send(self, mail: Email) -> None:
        await super().send(mail)
        raise asyncio.CancelledError


async def test_two_workers_one_killed_mid_send_deliver_each_message_once(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings], db_url: str
) -> None:
    box, settings = inbox
    sc, address = await client_with_email(mail_app)
    for day in range(4, 7):
        for hour in ("09:00", "10:00", "11:00"):
            await mail_app.appointments.book(sc.principal, _book(sc, f"2026-03-0{day}T{hour}"))
    doomed_db = Database(db_url)
    doomed = Frontdesk(doomed_db, clock=clock, settings=Settings(), smtp=settings)
    doomed.delivery.mailer = KilledAfterSend(settings)
    try:
        with pytest.raises(asyncio.CancelledError):
            await doomed.worker("doomed").run_once()  # dies holding its batch
    finally:
        await doomed_db.dispose()
    clock.advance(minutes=6)  # its leases run out
    other = Frontdesk(Database(db_url), clock=clock, settings=Settings(), smtp=settings)
    try:
        await asyncio.gather(mail_app.worker("a").drain(), other.worker("b").drain())
    finally:
        await other.close()
    confirmations = [x for x in _subjects(box, address) if x.startswith("Appointment confirmed")]
    assert len(confirmations) == 9  # every booking's confirmation, none twice
    async with mail_app.db.read() as s:
        log = await repo.sent(s, sc.practice_id)
    assert len({r.dedupe_key for r in log}) == len(log) == 9
    assert [r.status for r in log].count("unconfirmed") == 1  # the one the killed worker had sent


async def test_a_worker_process_killed_between_sending_and_recording_sends_nothing_twice(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings], db_url: str
) -> None:
    box, settings = inbox
    sc, address = await client_with_email(mail_app)
    for hour in ("09:00", "10:00", "11:00", "14:00"):
        await mail_app.appointments.book(sc.principal, _book(sc, f"2026-03-05T{hour}"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.jobs.kill_worker",
        db_url,
        str(settings.port),
        clock().isoformat(),
        cwd=ROOT,
    )
    assert await asyncio.wait_for(proc.wait(), 60) == -signal.SIGKILL
    assert len(box.to(address)) == 1  # the one it sent before it died
    clock.advance(minutes=6)  # the dead process's leases run out
    other = Frontdesk(Database(db_url), clock=clock, settings=Settings(), smtp=settings)
    try:
        await asyncio.gather(mail_app.worker("a").drain(), other.worker("b").drain())
    finally:
        await other.close()
    subjects = _subjects(box, address)
    assert len(subjects) == len(set(subjects)) == 4  # four bookings, four confirmations, none twice
    async with mail_app.db.read() as s:
        statuses = sorted(r.status for r in await repo.sent(s, sc.practice_id))
    assert statuses == ["sent", "sent", "sent", "unconfirmed"]


async def test_an_unconfirmed_booking_is_cancelled_or_confirmed_after_the_timeout(
    mail_app: Frontdesk, clock: Clock
) -> None:
    from sqlalchemy import update as sql_update

    from frontdesk.services.scheduling.lifecycle import TransitionRequest
    from frontdesk.storage import models as m

    sc, _ = await client_with_email(mail_app)
    await mail_app.practice_settings.update(
        sc.principal, {"reminders.pendingConfirmation": True, "reminders.confirmationTimeoutHours": 2}
    )

    async def pending(when: str) -> int:
        appt = await mail_app.appointments.book(sc.principal, _book(sc, when))
        async with mail_app.db.write() as s:  # a request, as a public booking makes it
            await s.execute(
                sql_update(m.Appointment)
                .where(m.Appointment.practice_id == sc.practice_id, m.Appointment.id == appt.id)
                .values(status="requested")
            )
        req = TransitionRequest(appt.id, action="request_confirmation")
        await mail_app.lifecycle.transition(sc.principal, req)
        return appt.id

    dropped = await pending("2026-03-05T09:00")
    worker = mail_app.worker()
    clock.advance(hours=1, minutes=59)
    await worker.drain()
    assert (await mail_app.lifecycle.state(sc.principal, dropped)).current_state == "pending_confirmation"
    clock.advance(minutes=1)
    await worker.drain()
    assert (await mail_app.lifecycle.state(sc.principal, dropped)).current_state == "cancelled"

    await mail_app.practice_settings.update(sc.principal, {"reminders.pendingAutoConfirm": True})
    kept = await pending("2026-03-05T10:00")
    clock.advance(hours=2)
    await worker.drain()
    state = await mail_app.lifecycle.state(sc.principal, kept)
    assert state.current_state == "scheduled" and state.recent[-1].method == "auto"
