"""pendingConfirmation: a booking left waiting for the client's confirmation for
reminders.confirmationTimeoutHours is cancelled, or confirmed when reminders.pendingAutoConfirm is on.
The job is enqueued when the booking enters pending_confirmation (reminders.on_created); by the time it
runs the booking may have moved on, and then it does nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain.scheduling.status import AppointmentStatus, Method
from frontdesk.services.admin.settings import values as settings_values
from frontdesk.services.jobs.queue import ClaimedJob
from frontdesk.services.scheduling import lifecycle
from frontdesk.services.usecase import UseCases
from frontdesk.storage.repositories import appointments as appt_repo

S = AppointmentStatus


class PendingConfirmations:
    def __init__(self, uc: UseCases) -> None:
        self.uc = uc

    async def __call__(self, job: ClaimedJob, _worker: str) -> None:
        async def body(s: AsyncSession, now: datetime) -> None:
            row = await appt_repo.get(s, job.practice_id, int(job.payload["appointment_id"]), lock=True)
            if row is None or S(row.status) != S.PENDING_CONFIRMATION:
                return
            v = await settings_values(s, job.practice_id)
            target = S.SCHEDULED if v["reminders.pendingAutoConfirm"] else S.CANCELLED
            reason = "confirmation timeout: " + ("confirmed" if target == S.SCHEDULED else "cancelled")
            await lifecycle.move(s, None, now, row, target, reason=reason, method=Method.AUTO)

        await self.uc.run(body)
