"""The service container every adapter (MCP, HTTP, CLI) builds on."""

from __future__ import annotations

from frontdesk.services.audit import AuditService
from frontdesk.services.context import Clock, system_clock
from frontdesk.services.directory import DirectoryService
from frontdesk.services.oauth import OAuthService, OAuthSettings
from frontdesk.services.oauth_clients import ClientService
from frontdesk.services.patients import PatientService
from frontdesk.services.practices import PracticeService
from frontdesk.services.scheduling.appointments import AppointmentService
from frontdesk.services.scheduling.availability import AvailabilityService
from frontdesk.services.settings import Settings
from frontdesk.services.staff import StaffService
from frontdesk.storage.db import Database
from frontdesk.storage.migrate import upgrade


class Frontdesk:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        settings: Settings | None = None,
        oauth_settings: OAuthSettings | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or Settings.from_env()
        self.audit = AuditService(db, clock)
        self.practices = PracticeService(db, clock)
        self.directory = DirectoryService(db)
        self.patients = PatientService(db, clock)
        self.appointments = AppointmentService(db, clock, self.settings, self.audit)
        self.availability = AvailabilityService(db, clock, self.settings)
        self.staff = StaffService(db, clock)
        self.oauth = OAuthService(db, clock, oauth_settings or OAuthSettings.from_env())
        self.clients = ClientService(db, clock)

    @classmethod
    async def open(cls, url: str | None = None, *, migrate: bool = True, **kwargs: object) -> Frontdesk:
        db = Database(url)
        if migrate:
            await upgrade(db.url)
        return cls(db, **kwargs)  # type: ignore[arg-type]

    async def healthy(self) -> bool:
        return await self.db.ping()

    async def close(self) -> None:
        await self.db.dispose()
