"""The service container every adapter (MCP, HTTP, CLI) builds on."""

from __future__ import annotations

from frontdesk.domain.errors import FrontdeskError
from frontdesk.services.audit import AuditService
from frontdesk.services.clinical.allergies import AllergyService
from frontdesk.services.clinical.diagnoses import DiagnosisService
from frontdesk.services.clinical.encounters import EncounterService
from frontdesk.services.clinical.fhir import FhirExportService
from frontdesk.services.clinical.files import FileService
from frontdesk.services.clinical.history import HistoryService
from frontdesk.services.clinical.labs import LabService
from frontdesk.services.clinical.medications import MedicationService
from frontdesk.services.clinical.notes import NoteService
from frontdesk.services.clinical.practice import PracticeInfoService
from frontdesk.services.clinical.recalls import RecallService
from frontdesk.services.clinical.schedule import PatientScheduleService
from frontdesk.services.clinical.settings import ClinicalSettings
from frontdesk.services.clinical.vitals import VitalService
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
        clinical_settings: ClinicalSettings | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or Settings.from_env()
        self.audit = AuditService(db, clock)
        self.practices = PracticeService(db, clock)
        self.directory = DirectoryService(db)
        self.patients = PatientService(db, clock, self.audit)
        self.appointments = AppointmentService(db, clock, self.settings, self.audit)
        self.availability = AvailabilityService(db, clock, self.settings)
        self.staff = StaffService(db, clock)
        self.oauth = OAuthService(db, clock, oauth_settings or OAuthSettings.from_env())
        self.clients = ClientService(db, clock)
        # The chart (clinical records): each service checks clinical scopes and audits every read.
        self.clinical_settings = clinical_settings or ClinicalSettings.from_env()
        self.encounters = EncounterService(db, clock, self.audit)
        self.medications = MedicationService(db, clock, self.audit)
        self.allergies = AllergyService(db, clock, self.audit)
        self.diagnoses = DiagnosisService(db, clock, self.audit)
        self.notes = NoteService(db, clock, self.audit)
        self.recalls = RecallService(db, clock, self.audit)
        self.vitals = VitalService(db, clock, self.audit)
        self.labs = LabService(db, clock, self.audit)
        self.files = FileService(db, clock, self.audit, self.clinical_settings)
        self.history = HistoryService(db, clock, self.audit)
        self.practice_info = PracticeInfoService(db)
        self.patient_schedule = PatientScheduleService(db, clock, self.audit)
        self.fhir = FhirExportService(db, clock, self.audit)

    @classmethod
    async def open(cls, url: str | None = None, *, migrate: bool = True, **kwargs: object) -> Frontdesk:
        db = Database(url)
        if migrate:
            await upgrade(db.url)
        return cls(db, **kwargs)  # type: ignore[arg-type]

    async def healthy(self) -> bool:
        return await self.db.ping()

    async def close(self) -> None:
        try:
            await self.audit.seal_all()  # leave no entry of this process outside the chain
        except FrontdeskError:
            pass
        await self.db.dispose()
