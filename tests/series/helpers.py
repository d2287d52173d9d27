"""Shared helpers for the recurring-series and waitlist tests."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from frontdesk.composition import Frontdesk
from frontdesk.domain.scheduling.status import ACTIVE_STATUSES
from frontdesk.services.scheduling.series import SeriesRequest
from frontdesk.services.scheduling.waitlist_service import JoinRequest
from frontdesk.storage import models as m
from tests.factories import Scenario


def series(sc: Scenario, starts_at: str = "2026-03-03T10:00", **kw: object) -> SeriesRequest:
    base: dict[str, object] = {
        "patient_id": sc.juan,
        "provider_id": sc.garcia,
        "datebook_id": sc.ny,
        "service_id": sc.crown,
        "starts_at": starts_at,
        "frequency": "weekly",
        "count": 4,
    }
    return SeriesRequest(**(base | kw))  # type: ignore[arg-type]


def join(sc: Scenario, **kw: object) -> JoinRequest:
    base: dict[str, object] = {"patient_id": sc.maria, "service_id": sc.cleaning, "provider_id": sc.garcia}
    return JoinRequest(**(base | kw))  # type: ignore[arg-type]


async def live_overlaps(app: Frontdesk, sc: Scenario) -> list[tuple[int, int]]:
    """Pairs of live (not lapsed) appointments of one provider that overlap, read from the database."""
    now = app.clock()
    async with app.db.read() as s:
        rows = (
            (
                await s.execute(
                    select(m.Appointment)
                    .where(
                        m.Appointment.practice_id == sc.practice_id,
                        m.Appointment.status.in_([x.value for x in ACTIVE_STATUSES]),
                        m.Appointment.allow_overlap.is_(False),
                    )
                    .order_by(m.Appointment.provider_id, m.Appointment.starts_at)
                )
            )
            .scalars()
            .all()
        )
    live = [r for r in rows if not (r.status == "held" and r.hold_expires_at and r.hold_expires_at <= now)]
    return [
        (a.id, b.id)
        for a, b in itertools.pairwise(live)
        if a.provider_id == b.provider_id and b.starts_at < a.ends_at
    ]


async def offers(app: Frontdesk, sc: Scenario, status: str | None = None) -> list[m.WaitlistOffer]:
    async with app.db.read() as s:
        q = select(m.WaitlistOffer).where(m.WaitlistOffer.practice_id == sc.practice_id)
        if status:
            q = q.where(m.WaitlistOffer.status == status)
        return list((await s.execute(q.order_by(m.WaitlistOffer.id))).scalars().all())


async def appointment(app: Frontdesk, sc: Scenario, appointment_id: int) -> m.Appointment:
    async with app.db.read() as s:
        row = (
            await s.execute(
                select(m.Appointment).where(
                    m.Appointment.practice_id == sc.practice_id, m.Appointment.id == appointment_id
                )
            )
        ).scalar_one()
        return row


async def audit_actions(app: Frontdesk, sc: Scenario) -> list[str]:
    async with app.db.read() as s:
        rows = await s.execute(
            select(m.AuditEvent.action).where(
                m.AuditEvent.practice_id == sc.practice_id, m.AuditEvent.outcome == "ok"
            )
        )
        return [a for (a,) in rows.all()]


def local(iso: str) -> str:
    """The wall-clock HH:MM of an ISO 8601 time with offset."""
    return datetime.fromisoformat(iso).strftime("%H:%M")
