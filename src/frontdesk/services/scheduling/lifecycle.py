"""The appointment lifecycle as a use case: the one place an appointment's status changes (`move`),
each change recorded (from, to, at, by, method, reason), the cancellation policy applied to a cancel
and the no-show side kept; and the lifecycle's reads (state with the transitions allowed now, history)
and its transition call (`to_state` or `action`, Servicialo's lifecycle_transition)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import access
from frontdesk.domain.errors import Conflict, Invalid, NotFound
from frontdesk.domain.scheduling import policies
from frontdesk.domain.scheduling.status import (
    FHIR_STATUS,
    Action,
    AppointmentStatus,
    Method,
    NoShowBy,
    action_to,
    available,
    check_transition,
    next_state,
    parse_action,
    parse_status,
)
from frontdesk.domain.settings import Values
from frontdesk.services import audit
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.consent import Consent
from frontdesk.services.context import Principal
from frontdesk.services.idempotency import Idempotency
from frontdesk.services.messaging import nps, reminders
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import appointments as appt_repo
from frontdesk.storage.repositories import bookings as repo
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import waitlist as waitlist_repo

S = AppointmentStatus
HISTORY_MAX = 500


def method_of(p: Principal) -> Method:
    """An OAuth client acting for a person is an agent; a person's own credential is manual."""
    return Method.AGENT if p.client else Method.MANUAL


async def move(
    s: AsyncSession,
    p: Principal | None,
    now: datetime,
    row: m.Appointment,
    target: AppointmentStatus,
    *,
    reason: str | None = None,
    method: Method | None = None,
    no_show_by: NoShowBy | None = None,
    policy: Values | None = None,
) -> None:
    """Change `row`'s status along the transition table and record it. A cancel applies the
    cancellation policy (`policy`: the practice's settings; a late cancel records its penalty, or is
    refused under a block policy); a no-show says whose it was (a client's is charged
    policies.noShowCharge when policies.noShowAutoApply is on)."""
    current = S(row.status)
    check_transition(current, target)
    if current == target:
        return
    if target == S.NO_SHOW:
        if no_show_by is None:
            raise Invalid("no_show_type is required: client or provider", field="no_show_type")
        row.no_show_by = no_show_by.value
        charge = int(policy["policies.noShowCharge"]) if policy is not None else 0
        if (
            no_show_by == NoShowBy.CLIENT
            and charge
            and policy is not None
            and policy["policies.noShowAutoApply"]
        ):
            # The practice charges a client's no-show without asking: recorded for billing.
            row.penalty_cents, row.penalty_currency = charge, str(policy["basics.currency"])
    if target == S.CANCELLED:
        if policy is not None and current != S.HELD:
            await _penalty(s, row, now, policy)
        # A code for reports (the person's words stay with the transition).
        row.cancel_reason = "rescheduled" if reason == "rescheduled" else "cancelled"
    if target != S.HELD:
        row.hold_expires_at = None
    if current == S.HELD and target in (S.SCHEDULED, S.CONFIRMED):
        # A hold the waitlist offered, booked by whichever path: the offer is taken.
        await waitlist_repo.accept_offer_of(s, row.practice_id, row.id, now)
    row.status = target.value
    row.updated_at = now
    by = p.actor if p is not None else "system"
    how = method or (method_of(p) if p is not None else Method.AUTO)
    await repo.add_transition(
        s, row.practice_id, row.id, current.value, target.value, now, by, how.value, reason
    )
    await reminders.on_moved(s, now, row, target, reason)  # its messages change in the same transaction
    if target == S.COMPLETED:
        await nps.on_completed(s, now, row)  # the post-session question, if the practice asks it


async def created(
    s: AsyncSession, p: Principal, now: datetime, row: m.Appointment, reason: str | None = None
) -> None:
    """The first transition of a new appointment (from nothing)."""
    await s.flush()
    await repo.add_transition(
        s, row.practice_id, row.id, None, row.status, now, p.actor, method_of(p).value, reason
    )
    await reminders.on_created(s, now, row)  # its confirmation and reminders commit with it


# The states a signed note carries forward to documented (the visit happened): each step recorded.
_TO_DOCUMENTED = {
    S.CHECKED_IN: (S.COMPLETED, S.DOCUMENTED),
    S.IN_PROGRESS: (S.COMPLETED, S.DOCUMENTED),
    S.COMPLETED: (S.DOCUMENTED,),
}


async def document(
    s: AsyncSession, p: Principal, now: datetime, practice_id: int, appointment_id: int
) -> None:
    """A signed encounter documents its appointment (method auto, by the signer); an appointment
    that has not started yet, or is cancelled, is left as it is."""
    row = await appt_repo.get(s, practice_id, appointment_id, lock=True)
    if row is None:
        return
    steps = _TO_DOCUMENTED.get(S(row.status), ())
    for target in steps:
        await move(s, p, now, row, target, reason="encounter signed", method=Method.AUTO)
    if steps:
        await audit.record(s, p, now, "appointment.document", "appointment", row.id)


async def _penalty(s: AsyncSession, row: m.Appointment, now: datetime, v: Values) -> None:
    price, currency = 0, str(v["basics.currency"])
    if row.service_id is not None:
        service = await dir_repo.service(s, row.practice_id, row.service_id)
        if service is not None:
            price, currency = service.price_cents, service.currency
    if v["policies.cancellationPenaltyKind"] == "amount":  # a fixed amount is in the practice's currency
        currency = str(v["basics.currency"])
    found = policies.cancellation_penalty(
        kind_of_policy=str(v["policies.cancellationType"]),
        deadline_hours=int(v["policies.cancellationDeadlineHours"]),
        penalty_kind=str(v["policies.cancellationPenaltyKind"]),
        penalty_value=int(v["policies.cancellationPenaltyValue"]),
        starts_at=row.starts_at,
        now=now,
        price_cents=price,
        currency=currency,
    )
    if found is not None:
        row.penalty_cents, row.penalty_currency = found.cents, found.currency


@dataclass(frozen=True, slots=True)
class TransitionInfo:
    id: int
    from_state: str | None
    to_state: str
    at: datetime
    by: str
    method: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class StateInfo:
    appointment_id: int
    current_state: str
    fhir_status: str
    available_transitions: dict[str, str]
    no_show_type: str | None
    rescheduled_from_id: int | None
    rescheduled_to_id: int | None
    provenance: str | None
    penalty_cents: int | None
    penalty_currency: str | None
    recent: list[TransitionInfo]


@dataclass(frozen=True, slots=True)
class HistoryPage:
    appointment_id: int
    transitions: list[TransitionInfo]
    next_cursor: int | None
    complete: bool = True  # False: the appointment predates the record of transitions


@dataclass(frozen=True, slots=True)
class TransitionRequest:
    appointment_id: int
    to_state: str | None = None
    action: str | None = None
    no_show_type: str | None = None
    reason: str | None = None
    idempotency: Idempotency | None = None


def _info(t: m.AppointmentTransition) -> TransitionInfo:
    return TransitionInfo(t.id, t.from_status, t.to_status, t.at, t.by, t.method, t.reason)


def _no_show_by(value: str | None) -> NoShowBy | None:
    if value is None:
        return None
    try:
        return NoShowBy(value)
    except ValueError:
        raise Invalid("no_show_type must be client or provider", field="no_show_type") from None


def target_of(current: AppointmentStatus, req: TransitionRequest) -> AppointmentStatus:
    """The state a request asks for: `to_state`, or where `action` leads from here."""
    if (req.to_state is None) == (req.action is None):
        raise Invalid("give exactly one of to_state and action", field="to_state")
    if req.action is not None:
        return next_state(current, parse_action(req.action))
    assert req.to_state is not None
    target = parse_status(req.to_state, "to_state")
    action_to(current, target)  # refuses a target the table does not reach from here
    return target


class LifecycleService:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc.scoped(read=(access.APPOINTMENTS_READ,), write=access.APPOINTMENTS_WRITE)

    async def _row(self, s: AsyncSession, practice_id: int, appointment_id: int, lock: bool) -> m.Appointment:
        row = await appt_repo.get(s, practice_id, appointment_id, lock=lock)
        if row is None:
            raise NotFound(f"no appointment with id {appointment_id}", field="appointment_id")
        return row

    async def state(self, p: Principal, appointment_id: int) -> StateInfo:
        async def body(s: AsyncSession, now: datetime) -> StateInfo:
            row = await self._row(s, p.practice_id, appointment_id, False)
            recent = await repo.recent_transitions(s, p.practice_id, row.id)
            await audit.record(s, p, now, "appointment.lifecycle.read", "appointment", row.id)
            return state_of(row, [_info(t) for t in recent])

        return await self.uc.read(p, "appointment.lifecycle.read", "appointment", appointment_id, body)

    async def history(
        self, p: Principal, appointment_id: int, *, cursor: int | None = None, limit: int = 50
    ) -> HistoryPage:
        if not 1 <= limit <= HISTORY_MAX:
            raise Invalid(f"limit must be from 1 to {HISTORY_MAX}", field="limit")

        async def body(s: AsyncSession, now: datetime) -> HistoryPage:
            row = await self._row(s, p.practice_id, appointment_id, False)
            rows = await repo.transitions(s, p.practice_id, row.id, after_id=cursor or 0, limit=limit + 1)
            await audit.record(s, p, now, "appointment.lifecycle.history", "appointment", row.id)
            page = [_info(t) for t in rows[:limit]]
            complete = await repo.has_origin(s, p.practice_id, row.id)
            return HistoryPage(row.id, page, page[-1].id if len(rows) > limit else None, complete)

        return await self.uc.read(p, "appointment.lifecycle.history", "appointment", appointment_id, body)

    async def transition(
        self, p: Principal, req: TransitionRequest, consent: Consent = Consent.MISSING
    ) -> StateInfo:
        """Move an appointment along the table; cancelling asks the person (consent)."""
        cancels = req.action == Action.CANCEL.value or req.to_state == S.CANCELLED.value

        async def body(s: AsyncSession, now: datetime) -> StateInfo:
            row = await self._row(s, p.practice_id, req.appointment_id, True)
            current = S(row.status)
            target = target_of(current, req)
            if target == current:
                raise Conflict(f"the appointment is already {current.value}", field="to_state")
            policy = await settings_values(s, p.practice_id)
            await move(
                s,
                p,
                now,
                row,
                target,
                reason=req.reason,
                no_show_by=_no_show_by(req.no_show_type),
                policy=policy,
            )
            await s.flush()
            detail = f"{current.value}->{target.value}"
            await audit.record(s, p, now, "appointment.transition", "appointment", row.id, detail=detail)
            recent = await repo.recent_transitions(s, p.practice_id, row.id)
            return state_of(row, [_info(t) for t in recent])

        return await self.uc.write(
            p,
            "appointment.transition",
            "appointment",
            req.appointment_id,
            body,
            StateInfo,
            req.idempotency,
            destroys="cancelling an appointment" if cancels else None,
            consent=consent,
        )


def state_of(row: m.Appointment, recent: list[TransitionInfo]) -> StateInfo:
    current = S(row.status)
    return StateInfo(
        appointment_id=row.id,
        current_state=current.value,
        fhir_status=FHIR_STATUS[current],
        available_transitions=available(current),
        no_show_type=row.no_show_by,
        rescheduled_from_id=row.rescheduled_from_id,
        rescheduled_to_id=row.rescheduled_to_id,
        provenance=row.provenance,
        penalty_cents=row.penalty_cents,
        penalty_currency=row.penalty_currency,
        recent=recent,
    )
