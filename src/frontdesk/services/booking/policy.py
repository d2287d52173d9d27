"""An agenda's policies laid over the practice's settings: its assignment strategy and its
cancellation policy (type, deadline, penalty) win where it sets them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.settings import Values
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.storage import models as m
from frontdesk.storage.repositories import agendas as repo


def overlay(v: Values, agenda: m.Agenda | None) -> Values:
    if agenda is None:
        return v
    over: dict[str, object] = {}
    if agenda.assignment_strategy and agenda.assignment_strategy != "manual":
        over["availability.assignmentStrategy"] = agenda.assignment_strategy
    if agenda.cancellation_type is not None:
        over["policies.cancellationType"] = agenda.cancellation_type
    if agenda.cancellation_deadline_hours is not None:
        over["policies.cancellationDeadlineHours"] = agenda.cancellation_deadline_hours
    if agenda.penalty_kind is not None:
        over["policies.cancellationPenaltyKind"] = agenda.penalty_kind
    if agenda.penalty_value is not None:
        over["policies.cancellationPenaltyValue"] = agenda.penalty_value
    return Values({**v.stored, **over}) if over else v


async def for_booking(s: AsyncSession, practice_id: int, appointment_id: int) -> Values:
    """The policy a booking is cancelled under: its agenda's over the practice's."""
    v = await settings_values(s, practice_id)
    pub = await repo.public_booking(s, practice_id, appointment_id)
    if pub is None or pub.agenda_id is None:
        return v
    return overlay(v, await repo.get(s, practice_id, pub.agenda_id))
