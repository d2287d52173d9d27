"""The composition root: the one module that builds the database, the settings and every service,
and wires them together. Adapters (mcp, http, cli) reach the storage only through it: they open a
`Frontdesk` (`Frontdesk.open` migrates first, `Frontdesk.build` does not) and call its services."""

from __future__ import annotations

import os
from email.utils import parseaddr
from typing import Any

from frontdesk.domain.errors import FrontdeskError
from frontdesk.services import demo
from frontdesk.services.admin.settings import SettingsService
from frontdesk.services.audit import AuditService
from frontdesk.services.booking.agendas import AgendaService
from frontdesk.services.booking.public import PublicBookingService
from frontdesk.services.clients.service import ClientRecordService
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
from frontdesk.services.dto import PracticeInfo
from frontdesk.services.jobs.queue import JobQueue, QueueStats
from frontdesk.services.jobs.worker import Handler, Worker
from frontdesk.services.messaging import notices
from frontdesk.services.messaging import service as messaging
from frontdesk.services.messaging.campaigns import CampaignService
from frontdesk.services.messaging.campaigns_delivery import KIND as CAMPAIGN_MESSAGE
from frontdesk.services.messaging.campaigns_delivery import CampaignMessages
from frontdesk.services.messaging.delivery import Delivery, SingleMessages
from frontdesk.services.messaging.domains import EmailDomainService
from frontdesk.services.messaging.domains_dns import DnsSettings, TxtLookup
from frontdesk.services.messaging.domains_signing import DomainSigner, for_practice
from frontdesk.services.messaging.email import Mailer, SmtpSettings
from frontdesk.services.messaging.feedback import FeedbackService
from frontdesk.services.messaging.nps import KIND as NPS_FOLLOWUP
from frontdesk.services.messaging.nps import NpsFollowups
from frontdesk.services.messaging.pending import PendingConfirmations
from frontdesk.services.messaging.reminders import KIND as APPOINTMENT_MESSAGE
from frontdesk.services.messaging.reminders import PENDING as PENDING_CONFIRMATION
from frontdesk.services.messaging.reminders import AppointmentMessages
from frontdesk.services.messaging.visual_service import KIND as VISUAL_MESSAGE
from frontdesk.services.messaging.visual_service import VisualMessages, VisualService
from frontdesk.services.messaging.whatsapp import WhatsAppClient, WhatsAppSettings
from frontdesk.services.messaging.whatsapp_webhook import WhatsAppWebhook
from frontdesk.services.oauth import OAuthService, OAuthSettings
from frontdesk.services.oauth_clients import ClientService
from frontdesk.services.patients import PatientService
from frontdesk.services.practices import PracticeService
from frontdesk.services.scheduling.appointments import AppointmentService
from frontdesk.services.scheduling.availability import AvailabilityService
from frontdesk.services.scheduling.bookings import BookingService
from frontdesk.services.scheduling.feeds import CalendarFeedService
from frontdesk.services.scheduling.lifecycle import LifecycleService
from frontdesk.services.scheduling.series import SeriesService
from frontdesk.services.scheduling.waitlist_service import WaitlistService
from frontdesk.services.settings import Settings
from frontdesk.services.setup import Setup
from frontdesk.services.staff import StaffService
from frontdesk.services.usecase import UseCases
from frontdesk.storage.db import Database, default_url
from frontdesk.storage.migrate import upgrade

__all__ = ["Frontdesk", "default_database_url"]


def _mailbox_of(sender: str) -> str | None:
    """The part before @ of FRONTDESK_MAIL_FROM: the default mailbox of a practice's own domain."""
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[0] if "@" in address else None


def default_database_url() -> str:
    """FRONTDESK_DATABASE_URL, else the embedded SQLite file under FRONTDESK_DATA_DIR (~/.frontdesk)."""
    return default_url()


class Frontdesk:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        settings: Settings | None = None,
        oauth_settings: OAuthSettings | None = None,
        clinical_settings: ClinicalSettings | None = None,
        smtp: SmtpSettings | None = None,
        dns: DnsSettings | None = None,
        whatsapp: WhatsAppSettings | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or Settings.from_env()
        self.audit = AuditService(db, clock)
        # Every use case of every service below runs in this one skeleton (services/usecase.py).
        self.usecases = uc = UseCases(db, clock, self.audit)
        self.practices = PracticeService(uc)
        self.practice_settings = SettingsService(uc)
        self.setup = Setup(uc, self.practice_settings)  # locations, providers, services, hours, imports
        self.directory = DirectoryService(db)
        self.patients = PatientService(uc)
        self.client_records = ClientRecordService(uc)  # Coordinalo's clients, MedCor's patients
        self.appointments = AppointmentService(uc, self.settings)
        self.series = SeriesService(uc, self.settings)
        self.waitlist = WaitlistService(uc)
        self.availability = AvailabilityService(db, clock, self.settings)
        self.lifecycle = LifecycleService(uc)
        self.bookings = BookingService(uc, self.appointments)
        self.agendas = AgendaService(uc)
        # The no-key booking flow (/mcp/public and the booking page): one service, one set of limits.
        # Whether a confirmation link can be sent is the channels' (set up with messaging below).
        self.public_booking = PublicBookingService(
            uc, self.appointments, self.availability, configured=lambda v: self.delivery.configured(v)
        )
        self.staff = StaffService(uc)
        self.oauth = OAuthService(uc, oauth_settings or OAuthSettings.from_env())
        self.clients = ClientService(uc)
        # The chart (clinical records): each service checks clinical scopes and audits every read.
        self.clinical_settings = clinical_settings or ClinicalSettings.from_env()
        self.encounters = EncounterService(uc)
        self.medications = MedicationService(uc)
        self.allergies = AllergyService(uc)
        self.diagnoses = DiagnosisService(uc)
        self.notes = NoteService(uc)
        self.recalls = RecallService(uc)
        self.vitals = VitalService(uc)
        self.labs = LabService(uc)
        self.files = FileService(uc, self.clinical_settings)
        self.history = HistoryService(uc)
        self.practice_info = PracticeInfoService(db)
        self.patient_schedule = PatientScheduleService(uc)
        self.fhir = FhirExportService(uc)
        # Messages: the job queue, its handlers, and the channels (email off without FRONTDESK_SMTP_URL).
        self.jobs = JobQueue(uc)
        self.smtp = smtp if smtp is not None else SmtpSettings.from_env()
        # Mail from a practice's verified domain is DKIM-signed (the signer reads the domain per message).
        mailer = Mailer(self.smtp, signer=DomainSigner(db)) if self.smtp else None
        # WhatsApp: one HTTP client for the Cloud API; each practice turns it on with its own settings.
        self.whatsapp = WhatsAppClient(whatsapp or WhatsAppSettings.from_env())
        self.delivery = Delivery(uc, mailer, self.whatsapp)
        self.whatsapp_webhook = WhatsAppWebhook(uc)
        self.messaging = messaging.MessagingService(uc, self.practice_settings, self.delivery)
        self.email_domains = EmailDomainService(
            uc,
            TxtLookup(dns or DnsSettings.from_env()),
            spf_include=os.environ.get("FRONTDESK_SPF_INCLUDE"),
            default_mailbox=_mailbox_of(self.smtp.mail_from) if self.smtp else None,
        )
        # Providers' private calendar feeds (/calendar/<token>.ics) and the post-session question's
        # answers (/{slug}/feedback/<token>); links are built on FRONTDESK_PUBLIC_URL.
        self.calendar_feeds = CalendarFeedService(uc, self.settings)
        self.feedback = FeedbackService(uc)
        self.visual = VisualService(uc, self.messaging)
        self.campaigns = CampaignService(uc, self.delivery)  # one job per recipient, at the channel's rate

        async def opted_out(practice_id: int, client_id: int, channel: str) -> bool:
            return await messaging.opted_out(uc, practice_id, client_id, channel)

        handlers: dict[str, Handler] = {
            APPOINTMENT_MESSAGE: AppointmentMessages(db, self.delivery),
            messaging.MESSAGE: SingleMessages(self.delivery, opted_out),
            VISUAL_MESSAGE: VisualMessages(self.delivery, opted_out),
            PENDING_CONFIRMATION: PendingConfirmations(uc),
            NPS_FOLLOWUP: NpsFollowups(uc, self.delivery, self.settings.public_url),
            **dict.fromkeys(notices.KINDS, notices.Notices(uc, self.delivery, self.settings.public_url)),
            CAMPAIGN_MESSAGE: CampaignMessages(uc, self.delivery),
        }
        # Each job runs as its practice's: the mail it sends goes from that practice's domain.
        self.job_handlers = {kind: for_practice(h) for kind, h in handlers.items()}

    def worker(self, name: str | None = None, *, poll_seconds: float = 1.0) -> Worker:
        """A worker on this process's queue and handlers (`frontdesk worker`, or inside `serve`)."""
        return Worker(self.jobs, self.job_handlers, name=name, poll_seconds=poll_seconds)

    async def queue_stats(self) -> QueueStats:
        return await self.jobs.stats()

    @classmethod
    def build(cls, url: str | None = None, **kwargs: Any) -> Frontdesk:
        """On the database at `url` (default: `default_database_url()`), as it is: no migration."""
        return cls(Database(url), **kwargs)

    @classmethod
    async def open(cls, url: str | None = None, *, migrate: bool = True, **kwargs: Any) -> Frontdesk:
        """On the database at `url`, migrated to the newest schema first (unless `migrate=False`)."""
        db = Database(url)
        if migrate:
            await upgrade(db.url)
        return cls(db, **kwargs)

    async def seed_demo(self) -> tuple[PracticeInfo, bool]:
        """The demo practice (slug `demo`), created once: (practice, created now)."""
        return await demo.seed(self.usecases, self.practices, self.setup)

    async def healthy(self) -> bool:
        return await self.db.ping()

    async def close(self) -> None:
        if self.delivery.mailer is not None:
            await self.delivery.mailer.close()
        await self.whatsapp.close()
        try:
            await self.audit.seal_all()  # leave no entry of this process outside the chain
        except FrontdeskError:
            pass
        await self.db.dispose()
