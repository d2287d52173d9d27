"""Issue 14 end to end on SQLite and PostgreSQL, delivered to a real local SMTP server (aiosmtpd): a
public booking's confirmation link sent by email when the practice can send there (the tool says
where; its token still works; the link's token is made at sending, none rests in the queue), in the
page's language, confirming through the page; without a channel the old behaviour; and a waitlist
offer sent to the waitlisted client with the offer, not sent once it lapsed."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from mcp import Client
from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app
from frontdesk.http.settings import HttpSettings
from frontdesk.mcp.server import build_server
from frontdesk.services.consent import Consent
from frontdesk.services.messaging import notices
from frontdesk.services.messaging.email import SmtpSettings
from frontdesk.services.scheduling.appointments import AppointmentChange, BookingRequest
from frontdesk.storage import models as m
from tests.conftest import Clock
from tests.factories import Scenario, build_scenario
from tests.http.test_booking_page import form, radios
from tests.jobs.conftest import Inbox, client_with_email
from tests.public.conftest import booking_args, call
from tests.series.helpers import join

LINK = re.compile(r"http://127\.0\.0\.1:8000/([\w-]+)/confirm/(pbc_[\w-]+)")


def _text(msg: Any) -> str:
    return str(msg.get_body(preferencelist=("plain",)).get_content())


async def _jobs(app: Frontdesk, sc: Scenario, kind: str) -> list[m.Job]:
    async with app.db.read() as s:
        q = select(m.Job).where(m.Job.practice_id == sc.practice_id, m.Job.kind == kind)
        return list((await s.execute(q)).scalars())


async def _public(app: Frontdesk, sc: Scenario, tool: str, args: dict[str, Any], **kw: Any) -> dict[str, Any]:
    async with Client(build_server(app, surface="public", default_principal=sc.principal)) as client:
        return await call(client, tool, args, **kw)


async def test_the_tool_sends_the_link_and_still_returns_the_token(
    mail_app: Frontdesk, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc = await build_scenario(mail_app)
    address = f"lucia.{sc.slug}@example.org"  # one database for the file's tests: their own address
    who = {"fullName": "Lucía Rojas", "email": address}
    made = await _public(mail_app, sc, "public_booking_create", booking_args(sc, requester=who))
    assert made["confirmationSentTo"] == "email" and made["confirmationToken"].startswith("pbc_")
    [job] = await _jobs(mail_app, sc, notices.CONFIRM_LINK)
    assert "pbc_" not in job.payload  # the link's token is made when it is sent
    await mail_app.worker().drain()
    [mail] = box.to(address)
    assert str(mail["Subject"]).startswith("Confirm your booking") and "10:00" in str(mail["Subject"])
    found = LINK.search(_text(mail))
    assert found and found.group(1) == sc.slug and found.group(2) != made["confirmationToken"]
    # The emailed link confirms it, once; the token the tool returned is spent with it.
    args = {"orgSlug": sc.slug, "confirmationToken": found.group(2)}
    ok = await _public(mail_app, sc, "public_booking_confirm", args)
    assert ok["status"] == "scheduled"
    again = {"orgSlug": sc.slug, "confirmationToken": made["confirmationToken"]}
    assert (await _public(mail_app, sc, "public_booking_confirm", again, error=True))["error"][
        "code"
    ] == "not_found"
    await mail_app.worker().drain()
    # The booking's own confirmation (with its invite) waited for the person's.
    assert [str(x["Subject"]).split(":")[0] for x in box.to(address)] == [
        "Confirm your booking",
        "Appointment confirmed",
    ]
    # Servicialo's scheduling_book says so too; a phone-only requester gets no email.
    book = booking_args(sc, scheduledAt="2026-03-02T11:00-05:00", requester=who)
    booked = await _public(
        mail_app, sc, "scheduling_book", {k: v for k, v in book.items() if k != "submission"}
    )
    assert booked["confirmation_sent_to"] == "email" and booked["confirmation_credential"]
    phone = booking_args(
        sc,
        scheduledAt="2026-03-02T15:00-05:00",
        requester={"fullName": "Leo", "phone": "+12125550101"},
    )
    assert (await _public(mail_app, sc, "public_booking_create", phone))["confirmationSentTo"] is None


async def test_without_a_channel_nothing_is_sent(app: Frontdesk, mail_app: Frontdesk) -> None:
    # No SMTP server configured: the current behaviour, the token and nothing queued.
    sc = await build_scenario(app)
    made = await _public(app, sc, "public_booking_create", booking_args(sc))
    assert made["confirmationSentTo"] is None and made["confirmationToken"]
    assert await _jobs(app, sc, notices.CONFIRM_LINK) == []
    # Email configured, but the practice sends on no channel.
    sc2 = await build_scenario(mail_app)
    await mail_app.messaging.update_preferences(sc2.principal, {"email": False})
    made = await _public(mail_app, sc2, "public_booking_create", booking_args(sc2))
    assert made["confirmationSentTo"] is None and await _jobs(mail_app, sc2, notices.CONFIRM_LINK) == []


@pytest.fixture
async def web(mail_app: Frontdesk) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(mail_app, HttpSettings()))
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


async def test_the_page_says_check_your_email_and_the_link_confirms(
    web: httpx2.AsyncClient, mail_app: Frontdesk, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc = await build_scenario(mail_app)
    web.headers["Accept-Language"] = "es"
    times = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning})
    slot = radios(times.text, "slot")[0]
    details = await web.get(f"/{sc.slug}/book", params={"service": sc.cleaning, "slot": slot})
    address = f"lucia.{sc.slug}@example.org"
    who = {"full_name": "Lucía Rojas", "email": address, "phone": ""}
    review = await web.post(f"/{sc.slug}/book", data=form(details.text, "identity-form") | who)
    made = await web.post(f"/{sc.slug}/book", data=form(review.text, "review-form") | {"intent": "yes"})
    assert made.status_code == 201 and 'id="link-sent"' in made.text and 'id="confirm-form"' not in made.text
    assert "correo electrónico" in html.unescape(made.text)
    manage = re.search(r'id="manage" href="([^"]+)"', made.text)
    assert manage and manage.group(1).startswith(f"/{sc.slug}/booking/pbk_")
    await mail_app.worker().drain()
    [mail] = box.to(address)
    assert str(mail["Subject"]).startswith("Confirma tu reserva")
    found = LINK.search(_text(mail))
    assert found
    path = f"/{sc.slug}/confirm/{found.group(2)}"
    shown = await web.get(path)  # a GET (a mail scanner) confirms nothing
    assert shown.status_code == 200 and 'id="confirm-form"' in shown.text
    still = await web.get(manage.group(1))
    assert 'data-status="pending_confirmation"' in still.text
    forged = await web.post(path, data={"csrf": "forged"})
    assert forged.status_code == 400
    done = await web.post(path, data=form(shown.text, "confirm-form"))
    assert done.status_code == 200 and 'data-status="scheduled"' in done.text
    replay = await web.post(path, data=form(shown.text, "confirm-form"))
    assert replay.status_code == 404


async def _cancel_a_slot(app: Frontdesk, sc: Scenario, patient_id: int) -> None:
    req = BookingRequest(
        provider_id=sc.garcia,
        datebook_id=sc.ny,
        starts_at="2026-03-03T10:00",
        ends_at="2026-03-03T10:30",
        patient_id=patient_id,
    )
    appt = await app.appointments.book(sc.principal, req)
    await app.appointments.update(sc.principal, AppointmentChange(appt.id, status="cancelled"), Consent.GIVEN)


async def test_a_waitlist_offer_is_sent_to_the_client(
    mail_app: Frontdesk, clock: Clock, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc, address = await client_with_email(mail_app)
    entry = await mail_app.waitlist.join(sc.principal, join(sc, patient_id=sc.juan))
    await _cancel_a_slot(mail_app, sc, sc.maria)
    [job] = await _jobs(mail_app, sc, notices.WAITLIST_OFFER)  # queued with the offer
    await mail_app.worker().drain()
    offer_mail = [msg for msg in box.to(address) if str(msg["Subject"]).startswith("A time for you")]
    assert len(offer_mail) == 1
    body = _text(offer_mail[0])
    assert "10:00" in body and "Cleaning" in body and "reply to this message" in body
    async with mail_app.db.read() as s:
        offer = (
            await s.execute(select(m.WaitlistOffer).where(m.WaitlistOffer.entry_id == entry.id))
        ).scalar_one()
    assert offer.sent_at is not None and job.subject_id == offer.id
    # An offer that lapsed before its turn is not sent.
    sc2, address2 = await client_with_email(mail_app)
    await mail_app.waitlist.join(sc2.principal, join(sc2, patient_id=sc2.juan))
    await _cancel_a_slot(mail_app, sc2, sc2.maria)
    clock.advance(hours=1)
    await mail_app.worker().drain()
    assert not [msg for msg in box.to(address2) if str(msg["Subject"]).startswith("A time for you")]


async def test_a_reschedule_sends_a_new_link_and_an_opt_out_is_honoured(
    mail_app: Frontdesk, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    box, _ = inbox
    sc = await build_scenario(mail_app)
    address = f"leo.{sc.slug}@example.org"
    who = {"fullName": "Leo Paz", "email": address}
    made = await _public(mail_app, sc, "public_booking_create", booking_args(sc, requester=who))
    args = {"orgSlug": sc.slug, "bookingToken": made["bookingToken"], "scheduledAt": "2026-03-04T10:00"}
    moved = await _public(mail_app, sc, "public_booking_reschedule", args)
    assert moved["confirmationSentTo"] == "email"
    await mail_app.worker().drain()
    # The first link lapsed with its booking (cancelled by the reschedule): only the new one is sent.
    [mail] = box.to(address)
    assert "Wednesday, March 4, 2026" in str(mail["Subject"])
    async with mail_app.db.read() as s:
        q = (
            select(m.Appointment.patient_id)
            .join(m.PublicBooking, m.PublicBooking.appointment_id == m.Appointment.id)
            .where(m.PublicBooking.practice_id == sc.practice_id, m.PublicBooking.email == address)
        )
        patient_id = (await s.execute(q.limit(1))).scalar_one()
    await mail_app.messaging.update_preferences(sc.principal, {"email": False}, patient_id)
    again = booking_args(sc, requester=who, scheduledAt="2026-03-02T15:00-05:00")
    assert (await _public(mail_app, sc, "public_booking_create", again))["confirmationSentTo"] is None
